-- One row for the day [start, end): readings and meters measured that day, files received that
-- day by outcome (duplicates count as rejected), and the last file received up to the day's end.
SELECT
    (SELECT count(DISTINCT meter_number) FROM smrt.readings
      WHERE reading_start_utc >= %(start)s AND reading_start_utc < %(end)s) AS meters,
    (SELECT count(*) FROM smrt.readings
      WHERE reading_start_utc >= %(start)s AND reading_start_utc < %(end)s) AS readings,
    count(*) AS files_received,
    count(*) FILTER (WHERE status = 'loaded') AS files_loaded,
    count(*) FILTER (WHERE status IN ('rejected', 'duplicate')) AS files_rejected,
    (SELECT filename FROM filegate.files WHERE dataset = 'smrt' AND received_at < %(end)s
      ORDER BY received_at DESC, file_id DESC LIMIT 1) AS last_file_received,
    (SELECT max(received_at) FROM filegate.files WHERE dataset = 'smrt' AND received_at < %(end)s) AS last_received_at
FROM filegate.files
WHERE dataset = 'smrt' AND received_at >= %(start)s AND received_at < %(end)s
