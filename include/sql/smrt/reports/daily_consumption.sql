-- Consumption per meter for the day; hours_reported < 24 shows a partial day.
SELECT meter_number,
       (%(start)s::timestamptz AT TIME ZONE 'UTC')::date AS date,
       sum(consumption) AS consumption,
       count(*) AS hours_reported
FROM smrt.readings
WHERE reading_start_utc >= %(start)s AND reading_start_utc < %(end)s
GROUP BY meter_number
ORDER BY meter_number
