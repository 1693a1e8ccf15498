-- Events of the day, how many were errors (level error or fatal), and their share (null for a day without events).
SELECT count(*) AS events,
       count(*) FILTER (WHERE level IN ('error', 'fatal')) AS errors,
       round(count(*) FILTER (WHERE level IN ('error', 'fatal'))::numeric / nullif(count(*), 0), 4) AS error_rate
FROM events.events
WHERE ts >= %(start)s AND ts < %(end)s
