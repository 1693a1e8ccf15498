"""What is made from published rows: daily report CSVs from SQL (`reports`), a dataset's nested
NDJSON gzip exports (`exports`), and what both share (`daily`: the UTC day, atomic replacement)."""
