"""
### raw_data_ingest

Loads music-store table extracts dropped as `landing/raw_data/<table>/<table>_<n>.<ext>` (CSV with
`,` `;` tab or `|`, NDJSON, JSON arrays) into typed `raw_data.<table>` tables (Airflow DAG).

wait → claim → convert each file (typed by the declared schema) → stage → audit (Great
Expectations: keys, ranges, references) → publish (upsert by primary key, later parts win) → archive.
A subfolder with no declared schema is kept as JSONB in `raw_data.undeclared_records`.
"""
from pathlib import Path

from filegate.dags import ingest_dag

dag = ingest_dag(Path(__file__).stem, __doc__)
