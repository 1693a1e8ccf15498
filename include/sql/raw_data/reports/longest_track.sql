-- The longest track(s) in minutes; ties are all listed, by name then id.
SELECT track_id, name, round(milliseconds / 60000.0, 2) AS minutes
FROM raw_data.tracks
WHERE milliseconds = (SELECT max(milliseconds) FROM raw_data.tracks)
ORDER BY name, track_id
