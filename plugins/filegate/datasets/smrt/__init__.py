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

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from filegate.kit.declaration import Dataset
from filegate.kit.tables import Column, Table
from filegate.settings import load


class SmrtSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FILEGATE_SMRT_", env_ignore_empty=True, frozen=True, extra="ignore")

    accept_dev: bool = Field(False, description="load files with a DV (development) generation number")


READINGS = Table(
    name="readings",
    columns=(
        # raw spellings are staged beside the parsed values, so the audit can show what arrived
        Column("meter_number_raw", "text", staged_only=True),
        Column("meter_number", "text"),
        Column("reading_date", "text", staged_only=True),
        Column("reading_time", "text", staged_only=True),
        Column("reading_start_utc", "timestamptz", comment="start of the hour measured"),
        Column("consumption_raw", "text", staged_only=True),
        Column("consumption", "numeric", required=True),
    ),
    keys=("meter_number", "reading_start_utc"),
    minimum={"consumption": 0},
    comment="Hourly consumption; the latest file to report an hour wins",
)

METERS = Table(   # kept by include/sql/smrt/publish/010_meters.sql
    name="meters",
    columns=(Column("meter_number", "text"), Column("first_file_id", "bigint", required=True),
             Column("first_seen_at", "timestamptz", required=True)),
    keys=("meter_number",),
    derived=True,
    comment="Meters seen in SMRT files (canonical 11-digit numbers)",
)


def _read(path, settings):
    from filegate.datasets.smrt.reader import read_smrt

    return read_smrt(path, accept_dev=load(SmrtSettings).accept_dev)


def _checks(table, staging):
    from filegate.datasets.smrt.suite import readings_checks

    return readings_checks() if table.name == READINGS.name else []


def _sample(landing_dir, settings) -> str:
    from filegate.datasets.smrt.sample import write_sample

    written = write_sample(landing_dir)
    return f"a sample of {len(written)} SMRT files (some deliberately bad)"


DATASET = Dataset(
    name="smrt",
    description="Smart-meter consumption files (HEADR / CONSU / TRAIL), hourly readings per meter",
    pattern="*.SMRT",
    reader=_read,
    tables=(READINGS, METERS),
    checks=_checks,
    reloadable=False,
    sample=_sample,
    settings=lambda: load(SmrtSettings),
    tags=("smrt", "smart-meter"),
    ui="filegate.datasets.smrt.ui",
)
