-- Sales stored by the end of the day [start, end), by postal code and month of sale: how many, and
-- the median sale amount of those with one (empty when none has).
SELECT
    postal_code,
    to_char(sale_date, 'YYYY-MM') AS month,
    count(*) AS sales,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY sale_amount))::numeric, 2) AS median_sale_amount
FROM housing.sales
WHERE loaded_at < %(end)s
GROUP BY postal_code, to_char(sale_date, 'YYYY-MM')
ORDER BY postal_code NULLS LAST, month
