-- The genre(s) with the shortest average track length; ties (on the exact average) listed by name then id.
WITH per_genre AS (
    SELECT g.genre_id, g.name AS genre, avg(t.milliseconds) AS avg_ms
    FROM raw_data.genres g
    JOIN raw_data.tracks t ON t.genre_id = g.genre_id
    GROUP BY g.genre_id, g.name
)
SELECT genre_id, genre, round(avg_ms / 60000.0, 2) AS average_minutes
FROM per_genre
WHERE avg_ms = (SELECT min(avg_ms) FROM per_genre)
ORDER BY genre, genre_id
