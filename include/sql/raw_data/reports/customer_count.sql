-- How many different customers.
SELECT count(DISTINCT customer_id) AS customers
FROM raw_data.customers
