"""Streaming reader for SMRT smart-meter files (HEADR / CONSU... / TRAIL).

Structure is checked here and a structural fault rejects the whole file: missing or malformed
header, wrong field counts, unknown records, a missing trailer (truncated transfer), records
after the trailer, bytes that are not UTF-8, NUL bytes. Row values (dates, hours, consumption, meter
numbers) are passed on raw plus parsed, and judged by the Great Expectations suite, so a bad
value is reported with all the others of its file rather than one at a time.

Memory is constant: the file is read line by line and records are yielded as they come.
"""
from __future__ import annotations

import csv
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from filegate.datasets.smrt.settings import SmrtSettings
from filegate.kit.errors import QUOTE_LIMIT, Reject, bounded, excerpt
from filegate.kit.parsed import ParsedFile
from filegate.kit.readers import bounded_lines, csv_reader
from filegate.kit.readers.lines import refuse_nul, text_line

HEADER_FIELDS = ("record id", "file type", "company id", "creation date", "creation time", "generation number")
CONSU_FIELDS = ("record id", "meter number", "measurement date", "measurement time", "consumption")
GENERATION = re.compile(r"(PN|DV)[0-9]{6}")
ENVIRONMENTS = {"PN": "production", "DV": "development"}
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")
METER_WIDTH = 11   # canonical meter numbers are zero-padded to 11 digits (see docs/datasets/smrt.md)


def canonical_meter(raw: str) -> str | None:
    """'0000000002' and '00000000002' are the same meter: zero-pad digit strings to 11."""
    if raw.isascii() and raw.isdigit() and len(raw) <= METER_WIDTH:
        return raw.zfill(METER_WIDTH)
    return None


def read(path: Path, settings: SmrtSettings) -> ParsedFile:
    """The dataset's reader (`Dataset.reader`): `read_smrt` with SMRT's own settings."""
    return read_smrt(path, accept_dev=settings.accept_dev)


def read_smrt(path: Path, accept_dev: bool = False) -> ParsedFile:
    rows = _rows(path)
    first = next(rows, None)
    if first is None:
        raise Reject(1, "file is empty: expected a HEADR record (truncated transfer?)")
    line, fields = first
    if fields[0] != "HEADR":
        raise Reject(line, f"first record must be HEADR, found {excerpt(fields[0])}")
    header = _header(line, fields)
    named = path.name[: -len(path.suffix)] if path.suffix else path.name
    if GENERATION.fullmatch(named) and named != header["generation_number"]:
        # the name is how senders and operators refer to a file: a disagreement is a wrong file
        raise Reject(line, f"the file is named {path.name} but its HEADR holds generation number "
                           f"{header['generation_number']}: the name and the header must agree")
    if header["environment"] == "development" and not accept_dev:
        raise Reject(line, f"development file (generation number {header['generation_number']}): DV files are "
                           "not loaded unless FILEGATE_SMRT_ACCEPT_DEV=true")
    sort_key = f"{header['created_at_utc']}|{header['generation_number']}"
    return ParsedFile.from_records(header, sort_key, _readings(rows, line))


def _header(line: int, fields: list[str]) -> dict:
    if len(fields) != len(HEADER_FIELDS):
        raise Reject(line, f"HEADR has {len(fields)} fields, expected {len(HEADER_FIELDS)}: {', '.join(HEADER_FIELDS)}")
    _, file_type, company, date, time, generation = fields
    if file_type != "SMRT":
        raise Reject(line, f"file type is {excerpt(file_type)}, expected 'SMRT'")
    if not company:
        raise Reject(line, "company id is empty")
    try:
        created = datetime.strptime(date + time, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
        if len(date) != 8 or len(time) != 6:
            raise ValueError
    except ValueError:
        raise Reject(line, f"creation date/time {excerpt(date)} {excerpt(time)} is not a valid YYYYMMDD HHMMSS") from None
    if not GENERATION.fullmatch(generation):
        raise Reject(line, f"generation number {excerpt(generation)} does not match (PN|DV) followed by 6 digits")
    return {
        "file_type": file_type,
        "company_id": company,
        "created_at_utc": created.isoformat(),
        "generation_number": generation,
        "environment": ENVIRONMENTS[generation[:2]],
    }


def _readings(rows: Iterator[tuple[int, list[str]]], header_line: int) -> Iterator[tuple[str, int, dict]]:
    last = header_line
    for line, fields in rows:
        last = line
        kind = fields[0]
        if kind == "CONSU":
            if len(fields) != len(CONSU_FIELDS):
                raise Reject(line, f"CONSU has {len(fields)} fields, expected {len(CONSU_FIELDS)}: "
                                   f"{', '.join(CONSU_FIELDS)}")
            yield "readings", line, _reading(fields)
        elif kind == "TRAIL":
            if len(fields) != 1:
                raise Reject(line, f"TRAIL has {len(fields)} fields, expected 1 (record id)")
            extra = next(rows, None)
            if extra is not None:
                raise Reject(extra[0], f"{bounded(extra[1][0], QUOTE_LIMIT) or 'a record'} found after TRAIL: TRAIL must be the last record")
            return
        elif kind == "HEADR":
            raise Reject(line, "second HEADR record: a file has exactly one header")
        else:
            raise Reject(line, f"unknown record type {excerpt(kind)} (expected HEADR, CONSU or TRAIL)")
    raise Reject(last, "no TRAIL record: the file ends without its trailer (truncated transfer?)")


def _reading(fields: list[str]) -> dict:
    _, meter, date, time, consumption = fields
    return {
        "meter_number_raw": meter,
        "meter_number": canonical_meter(meter),
        "reading_date": date,
        "reading_time": time,
        "reading_start_utc": _hour_start(date, time),
        "consumption_raw": consumption,
        "consumption": consumption if DECIMAL.fullmatch(consumption) else None,
    }


@lru_cache(maxsize=65536)
def _hour_start(date: str, time: str) -> str | None:
    """ISO start of the measured hour, or None when the date or time is not valid."""
    if len(date) != 8 or len(time) != 4 or not (date + time).isdigit():
        return None
    try:
        return datetime.strptime(date + time, "%Y%m%d%H%M").replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return None


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank CSV record; a space may follow each comma."""
    reader = csv_reader(_decoded_lines(path), skipinitialspace=True, strict=True)
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            yield reader.line_num, [f.strip() for f in fields]
    except csv.Error as e:
        raise Reject(reader.line_num, f"malformed CSV: {e}") from None


def _decoded_lines(path: Path) -> Iterator[str]:
    with open(path, "rb") as f:
        for number, raw in enumerate(bounded_lines(f, b""), start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            refuse_nul(number, raw, "a SMRT file")
            yield text_line(number, raw)
