-- wells.operators as of the report day: per operator (its wells' current operator), wells,
-- producing wells, first and last month reported, cumulative volumes, from the months up to the
-- report day. For today it is wells.operators itself.
WITH per_well AS (
    SELECT p.api, bool_or(p.oil > 0 OR p.gas > 0) AS producing,
           min(p.year * 100 + p.month) AS first_month, max(p.year * 100 + p.month) AS last_month,
           sum(p.oil) AS oil, sum(p.gas) AS gas, sum(p.water) AS water
    FROM wells.production AS p
    WHERE make_date(p.year, p.month, 1) < %(end)s
    GROUP BY p.api
)
SELECT w.operator, count(*) AS wells, count(*) FILTER (WHERE pw.producing) AS producing_wells,
       to_char(make_date(min(pw.first_month) / 100, mod(min(pw.first_month), 100), 1), 'YYYY-MM') AS first_month,
       to_char(make_date(max(pw.last_month) / 100, mod(max(pw.last_month), 100), 1), 'YYYY-MM') AS last_month,
       coalesce(sum(pw.oil), 0) AS oil, coalesce(sum(pw.gas), 0) AS gas, coalesce(sum(pw.water), 0) AS water
FROM wells.wells AS w
LEFT JOIN per_well AS pw ON pw.api = w.api
GROUP BY w.operator
ORDER BY w.operator
