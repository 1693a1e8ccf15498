"""raw_data reader: `landing/raw_data/<table>/<table>_<n>.<ext>`, any of CSV (`,` `;` tab `|`),
NDJSON or a JSON array, typed by the table's declaration (filegate.kit.coerce), so the same logical
record comes out identical whatever format it arrived in.

A subfolder with no declared schema is still read (nothing is lost): its records go, untyped,
to the `undeclared_records` table as JSONB, with a warning in the log.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from filegate.datasets.raw_data.tables import TABLES, UNDECLARED
from filegate.kit.coerce import typed_csv, typed_json
from filegate.kit.declaration import ParsedFile
from filegate.kit.readers import (
    detect_format,
    read_csv_chunks,
    read_json_array_chunks,
    read_ndjson_chunks,
    read_records,
)

log = logging.getLogger(__name__)


def part_number(path: Path) -> int | None:
    m = re.search(r"_(\d+)$", path.stem)
    return int(m.group(1)) if m else None


def read_raw(path: Path, settings=None) -> ParsedFile:
    table = path.parent.name
    kind = detect_format(path)
    declared = TABLES.get(table)
    n = part_number(path)
    # parts of one table apply in part order: tracks_2 after tracks_1, tracks_10 after tracks_9
    sort_key = f"{table}/{n:012d}" if n is not None else f"{table}/{path.name}"
    header = {"table": table, "format": kind, "declared": declared is not None}
    if declared is None:
        log.warning("%s: subfolder %r has no declared schema; its records are kept as JSONB in "
                    "raw_data.%s (declare the table to load it typed)", path.name, table, UNDECLARED.name)
        return ParsedFile.from_records(header, sort_key, ((UNDECLARED.name, line, {"source_table": table, "doc": rec})
                                                          for line, rec in read_records(path)))
    if kind == "csv":
        return ParsedFile(header, sort_key, typed_csv(declared, read_csv_chunks(path)))
    chunks = read_ndjson_chunks(path) if kind == "ndjson" else read_json_array_chunks(path)
    return ParsedFile(header, sort_key, typed_json(declared, chunks))
