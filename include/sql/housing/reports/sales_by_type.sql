-- Sales with an amount stored by the end of the day [start, end), by property type (a null type
-- is its own row, last): how many, and the median sale amount and price per square foot.
SELECT
    property_type,
    count(*) AS sales,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY sale_amount))::numeric, 2) AS median_sale_amount,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_sqft))::numeric, 2) AS median_price_per_sqft
FROM housing.sales
WHERE sale_amount IS NOT NULL AND loaded_at < %(end)s
GROUP BY property_type
ORDER BY property_type NULLS LAST
