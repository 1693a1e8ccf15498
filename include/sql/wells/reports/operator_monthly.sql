-- Per operator and month: wells producing (oil or gas above zero that month), oil, gas and water.
-- Every month stored up to the report day; production is attributed to the well's current operator.
SELECT w.operator,
       to_char(make_date(p.year, p.month, 1), 'YYYY-MM') AS month,
       count(*) FILTER (WHERE p.oil > 0 OR p.gas > 0) AS wells_producing,
       sum(p.oil) AS oil, sum(p.gas) AS gas, sum(p.water) AS water
FROM wells.production AS p
JOIN wells.wells AS w ON w.api = p.api
WHERE make_date(p.year, p.month, 1) < %(end)s
GROUP BY w.operator, p.year, p.month
ORDER BY w.operator, p.year, p.month
