-- Every meter with its readings up to the end of the day.
SELECT meter_number,
       count(*) AS readings,
       min(reading_start_utc) AS first_reading_utc,
       max(reading_start_utc) AS last_reading_utc,
       sum(consumption) AS total_consumption
FROM smrt.readings
WHERE reading_start_utc < %(end)s
GROUP BY meter_number
ORDER BY meter_number
