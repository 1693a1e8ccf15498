-- Sales per shop on the report day
SELECT shop, count(*) AS items, sum(price) AS revenue, bool_and(paid) AS all_paid
FROM toy.items
WHERE sold_on >= %(start)s::date AND sold_on < %(end)s::date
GROUP BY shop
ORDER BY shop
