-- Distinct users and sessions of the day, and the median number of events per user (events
-- without a user count for no one).
WITH day AS (
    SELECT user_id, session_id FROM events.events WHERE ts >= %(start)s AND ts < %(end)s
), per_user AS (
    SELECT count(*) AS events FROM day WHERE user_id IS NOT NULL GROUP BY user_id
)
SELECT (SELECT count(DISTINCT user_id) FROM day) AS users,
       (SELECT count(DISTINCT session_id) FROM day) AS sessions,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY events) FROM per_user) AS events_per_user
