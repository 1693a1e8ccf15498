-- One row per well, ordered by operator and api, for the operator_wells export (datasets/wells/export.py):
-- its operator, api, its fields as a JSON object (the master's spelling), and its months up to the
-- report day as a JSON array in year and month order (null: none). A well's months are read through the
-- production key's index; at most twelve a year, they are the largest piece held.
SELECT w.operator, w.api,
       row_to_json((SELECT d FROM (SELECT w.well_name AS "wellName", w.operator, w.county, w.field, w.status,
                                          w.well_type AS "wellType", w.spud_date AS "spudDate",
                                          w.latitude, w.longitude) AS d))::text AS well,
       (SELECT '[' || string_agg(row_to_json(m)::text, ',' ORDER BY m.year, m.month) || ']'
        FROM (SELECT p.year, p.month, p.oil, p.gas, p.water, p.days
              FROM wells.production AS p
              WHERE p.api = w.api AND make_date(p.year, p.month, 1) < %(end)s) AS m) AS months
FROM wells.wells AS w
ORDER BY w.operator, w.api
