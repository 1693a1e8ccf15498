-- wells.operators (derived), last in the publish transaction: recomputed whole from the master
-- and the per-well totals (tens of thousands of rows, milliseconds), so a well sold to another
-- operator moves its wells and volumes with it, and an operator left with no well disappears.
MERGE INTO wells.operators AS o
USING (
    SELECT w.operator, count(*) AS wells,
           count(*) FILTER (WHERE wp.producing_months > 0) AS producing_wells,
           min(wp.first_month) AS first_month, max(wp.last_month) AS last_month,
           coalesce(sum(wp.oil), 0) AS oil, coalesce(sum(wp.gas), 0) AS gas, coalesce(sum(wp.water), 0) AS water
    FROM wells.wells AS w
    LEFT JOIN wells.well_production AS wp ON wp.api = w.api
    GROUP BY w.operator
) AS a ON o.operator = a.operator
WHEN MATCHED THEN UPDATE SET
    wells = a.wells, producing_wells = a.producing_wells, first_month = a.first_month,
    last_month = a.last_month, oil = a.oil, gas = a.gas, water = a.water
WHEN NOT MATCHED THEN INSERT (operator, wells, producing_wells, first_month, last_month, oil, gas, water)
    VALUES (a.operator, a.wells, a.producing_wells, a.first_month, a.last_month, a.oil, a.gas, a.water)
WHEN NOT MATCHED BY SOURCE THEN DELETE
