-- Events of the day by name and level, most frequent first.
SELECT event, level, count(*) AS events
FROM events.events
WHERE ts >= %(start)s AND ts < %(end)s
GROUP BY event, level
ORDER BY events DESC, event, level NULLS FIRST
