"""
### SMRT smart-meter files

Loads `*.SMRT` files dropped into `landing/smrt/` (a HEADR record, hourly CONSU readings, a TRAIL
record) into `smrt.readings`, and keeps `smrt.meters` (every meter seen, with the file it was
first seen in) in step in the same transaction.

wait for complete files → claim (registry, duplicates refused) → convert each file to NDJSON gzip
→ stage (COPY) → audit (Great Expectations) → publish (upsert in one transaction) → archive.
Bad files go to `quarantine/smrt/<run>/` with a `.reason.json` beside them. Reports:
`reports/smrt/<report>/<YYYY-MM-DD>.csv`. Decisions (meter numbers, DV files, order):
docs/datasets/smrt.md.
"""
from __future__ import annotations

from filegate.datasets.smrt.settings import SmrtSettings, smrt_settings
from filegate.datasets.smrt.tables import METERS, READINGS
from filegate.kit.declaration import Dataset

__all__ = ["DATASET", "METERS", "READINGS", "SmrtSettings", "smrt_settings"]

DATASET = Dataset(
    name="smrt",
    description="Smart-meter consumption files (HEADR / CONSU / TRAIL), hourly readings per meter",
    pattern="*.SMRT",
    reader="filegate.datasets.smrt.reader:read",
    tables=(READINGS, METERS),
    checks="filegate.datasets.smrt.suite:checks",
    reloadable=False,
    sample="filegate.datasets.smrt.sample:write_for_first_run",
    settings=smrt_settings,
    tags=("smrt", "smart-meter"),
    ui="filegate.datasets.smrt.ui",
)
