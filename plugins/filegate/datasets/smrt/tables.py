"""SMRT's tables: hourly readings (from the files) and the meters seen (kept by publish SQL)."""
from __future__ import annotations

from filegate.kit.tables import Column, Table

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
