-- wells.well_production (derived), after the generated upserts and in the same transaction: the
-- totals of every well this batch delivered production for, recomputed from all its stored months
-- (a month delivered again replaces its earlier volumes, so adding the batch's rows would be wrong).
INSERT INTO wells.well_production AS t
    (api, months, producing_months, first_month, last_month, oil, gas, water)
SELECT p.api, count(*), count(*) FILTER (WHERE p.oil > 0 OR p.gas > 0),
       make_date(min(p.year * 100 + p.month) / 100, mod(min(p.year * 100 + p.month), 100), 1),
       make_date(max(p.year * 100 + p.month) / 100, mod(max(p.year * 100 + p.month), 100), 1),
       sum(p.oil), sum(p.gas), sum(p.water)
FROM wells.production AS p
WHERE p.api IN (SELECT s.api FROM {staging_production} AS s WHERE s._file_id = ANY(%(file_ids)s))
GROUP BY p.api
ON CONFLICT (api) DO UPDATE SET
    months = EXCLUDED.months, producing_months = EXCLUDED.producing_months,
    first_month = EXCLUDED.first_month, last_month = EXCLUDED.last_month,
    oil = EXCLUDED.oil, gas = EXCLUDED.gas, water = EXCLUDED.water
