"""SMRT smart-meter files: everything specific to this dataset is in this package and in
include/sql/smrt/. See docs/datasets/smrt.md for the decisions (meter numbers, DV files, order).
"""
from __future__ import annotations

from filegate.dataset import Dataset, Table
from filegate.datasets.smrt.reader import read_smrt

READINGS = Table(
    name="readings",
    staging_columns={
        "_file_id": "bigint",
        "_line": "integer",
        "meter_number_raw": "text",
        "meter_number": "text",
        "reading_date": "text",
        "reading_time": "text",
        "reading_start_utc": "timestamptz",
        "consumption_raw": "text",
        "consumption": "numeric",
    },
    target="smrt.readings",
)


def _read(path, settings):
    return read_smrt(path, accept_dev=settings.smrt_accept_dev)


def _suite(table, staging):
    from filegate.datasets.smrt.suite import readings_suite

    return readings_suite()


SMRT = Dataset(
    name="smrt",
    description="Smart-meter consumption files (HEADR / CONSU / TRAIL), hourly readings per meter",
    pattern="*.SMRT",
    reader=_read,
    tables=(READINGS,),
    suite=_suite,
    reports=("summary", "meters", "files", "daily_consumption"),
    reloadable=False,
    tags=("smrt", "smart-meter"),
)
