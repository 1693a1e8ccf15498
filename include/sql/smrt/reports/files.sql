-- Files received during the day and what became of them; rows = records read from the file.
SELECT filename,
       received_at,
       status,
       reason,
       rows_read AS rows,
       header ->> 'generation_number' AS generation_number,
       header ->> 'created_at_utc' AS created_at_utc
FROM filegate.files
WHERE dataset = 'smrt' AND received_at >= %(start)s AND received_at < %(end)s
ORDER BY received_at, file_id
