"""
### smrt_ingest

Loads SMRT smart-meter files dropped into `landing/smrt/` into `smrt.readings` (Airflow DAG).

wait for complete files → claim (registry, duplicates refused) → convert each file to NDJSON gzip
→ stage (COPY) → audit (Great Expectations) → publish (upsert in one transaction) → archive.
Bad files go to `quarantine/smrt/<run>/` with a `.reason.json` beside them.
"""
from pathlib import Path

from filegate.dags import ingest_dag

dag = ingest_dag(Path(__file__).stem, __doc__)
