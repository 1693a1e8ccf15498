"""
### wells: well master and monthly production

Loads the well master (`landing/wells/wellData*.json`, a JSON array of wells, re-delivered whole
when it changes, often under the same name) into `wells.wells`, and monthly production
(`ProductionData<N>.json`, JSON arrays of up to gigabytes, one line or pretty-printed) into
`wells.production`, streamed in flat memory. API numbers are stored in one canonical form, 14
digits (`05-123-45678-00`, `05123456780000` and `05-123-45678` are one well).

wait → claim → convert (the arrays streamed a chunk at a time) → stage → audit (Great
Expectations: keys, volumes not negative, month 1–12, days 0–31, every production api in the
master, stored or in the batch) → publish (upserts: a well's operator is the latest master's, a
month delivered again overwrites; in the same transaction `wells.well_production` and
`wells.operators` are brought in step) → archive. A master with the same name and the same bytes
as one loaded is a duplicate; with other bytes it is a new delivery.

Reports (`reports/wells/<report>/<YYYY-MM-DD>.csv`): operator_monthly, operator_summary,
api_operator_index; and the export `reports/wells/operator_wells/<YYYY-MM-DD>.json.gz`, one NDJSON
line per operator with its wells and their months, streamed. See docs/datasets/wells.md.
"""
from __future__ import annotations

from filegate.datasets.wells.tables import TABLES
from filegate.kit.declaration import Dataset, Export

DATASET = Dataset(
    name="wells",
    description="Well master and monthly production (JSON arrays of up to gigabytes), per-operator aggregates",
    pattern="*.[jJ][sS][oO][nN]",   # ProductionData1.JSON too: the reader takes names in any case
    reader="filegate.datasets.wells.reader:read_wells",
    tables=TABLES,
    reloadable=True,   # a master (or production file) re-delivered under its name with other bytes upserts
    summary_reports=("operator_summary",),
    exports=(Export("operator_wells", "filegate.datasets.wells.export:operator_wells"),),
    sample="filegate.datasets.wells.sample:write_for_first_run",
    tags=("wells", "production"),
)
