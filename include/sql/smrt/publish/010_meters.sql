-- smrt.meters (a derived table), after the generated readings upsert and in the same transaction:
-- every meter the published readings mention, keeping the file it was first seen in.
INSERT INTO smrt.meters (meter_number, first_file_id, first_seen_at)
SELECT DISTINCT ON (s.meter_number) s.meter_number, s._file_id, now()
FROM {staging_readings} AS s
JOIN filegate.files AS f ON f.file_id = s._file_id
WHERE s._file_id = ANY(%(file_ids)s)
ORDER BY s.meter_number, f.sort_key, s._file_id
ON CONFLICT (meter_number) DO NOTHING
