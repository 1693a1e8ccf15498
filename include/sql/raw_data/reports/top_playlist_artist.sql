-- The artist(s) appearing in the most playlists (distinct playlists counted); ties listed by name then id.
WITH per_artist AS (
    SELECT ar.artist_id, ar.name AS artist, count(DISTINCT pt.playlist_id) AS playlists
    FROM raw_data.playlist_track pt
    JOIN raw_data.tracks t ON t.track_id = pt.track_id
    JOIN raw_data.albums al ON al.album_id = t.album_id
    JOIN raw_data.artists ar ON ar.artist_id = al.artist_id
    GROUP BY ar.artist_id, ar.name
)
SELECT artist_id, artist, playlists
FROM per_artist
WHERE playlists = (SELECT max(playlists) FROM per_artist)
ORDER BY artist, artist_id
