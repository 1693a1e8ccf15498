-- The most popular album(s) among customers, by invoice lines sold; ties listed by title then id.
WITH per_album AS (
    SELECT al.album_id, al.title AS album, ar.name AS artist, count(*) AS lines_sold
    FROM raw_data.invoice_items ii
    JOIN raw_data.tracks t ON t.track_id = ii.track_id
    JOIN raw_data.albums al ON al.album_id = t.album_id
    LEFT JOIN raw_data.artists ar ON ar.artist_id = al.artist_id
    GROUP BY al.album_id, al.title, ar.name
)
SELECT album_id, album, artist, lines_sold
FROM per_album
WHERE lines_sold = (SELECT max(lines_sold) FROM per_album)
ORDER BY album, album_id
