-- Upsert readings; the same meter and hour arriving again overwrites the stored value and the
-- row then points at the file it now comes from. Inside one batch the file latest in file order
-- (creation timestamp, then generation number: files.sort_key) wins, whatever the listing order.
INSERT INTO smrt.readings AS r (meter_number, reading_start_utc, consumption, file_id, line, loaded_at)
SELECT DISTINCT ON (s.meter_number, s.reading_start_utc)
       s.meter_number, s.reading_start_utc, s.consumption, s._file_id, s._line, now()
FROM {staging_readings} AS s
JOIN filegate.files AS f ON f.file_id = s._file_id
WHERE s._file_id = ANY(%(file_ids)s)
ORDER BY s.meter_number, s.reading_start_utc, f.sort_key DESC, s._file_id DESC
ON CONFLICT (meter_number, reading_start_utc) DO UPDATE
SET consumption = EXCLUDED.consumption,
    file_id = EXCLUDED.file_id,
    line = EXCLUDED.line,
    loaded_at = EXCLUDED.loaded_at
