-- The 20 paths requested most in the day (the `path` attribute: an app event's, or an access-log
-- request's), with the 95th percentile of `ms` where events carry a number there. An example of
-- querying the hstore column: `?` and `->` are served by its GIN index.
SELECT attributes -> 'path' AS path,
       count(*) AS requests,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY (
           CASE WHEN attributes -> 'ms' ~ '^\s*-?[0-9]+(\.[0-9]+)?\s*$' THEN (attributes -> 'ms')::numeric END
       ))::numeric, 1) AS p95_ms
FROM events.events
WHERE ts >= %(start)s AND ts < %(end)s AND attributes ? 'path'
GROUP BY 1
ORDER BY requests DESC, path
LIMIT 20
