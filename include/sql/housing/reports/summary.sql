-- One row, the state at the end of the day [start, end): responses received and what became of
-- them (duplicates count as rejected), records in the loaded ones, sales stored, how many records
-- collapsed into a sale already stored (the same sale delivered again), and the sales' date range.
WITH files AS (
    SELECT * FROM filegate.files WHERE dataset = 'housing' AND received_at < %(end)s
), stored AS (
    SELECT * FROM housing.sales WHERE loaded_at < %(end)s
)
SELECT
    (SELECT count(*) FROM files) AS files,
    (SELECT count(*) FROM files WHERE status = 'loaded' AND loaded_at < %(end)s) AS files_loaded,
    (SELECT count(*) FROM files WHERE status IN ('rejected', 'duplicate')) AS files_rejected,
    (SELECT coalesce(sum(rows_read), 0) FROM files WHERE status = 'loaded' AND loaded_at < %(end)s)
        AS records_received,
    (SELECT count(*) FROM stored) AS sales_stored,
    (SELECT coalesce(sum(rows_read), 0) FROM files WHERE status = 'loaded' AND loaded_at < %(end)s)
        - (SELECT count(*) FROM stored) AS duplicates_collapsed,
    (SELECT min(sale_date) FROM stored) AS first_sale_date,
    (SELECT max(sale_date) FROM stored) AS last_sale_date
