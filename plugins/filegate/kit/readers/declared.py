"""The default reader: the format detected from the file's content, every value typed by the
declaration of the table the file's subfolder names.

A dataset whose files are CSV/TSV, NDJSON or JSON arrays of records needs no reader of its own:
`landing/<dataset>/<table>/<table>_<n>.<ext>` loads into `<table>` (a dataset of one table takes
its files from anywhere in its landing), so the same logical record comes out identical whatever
format it arrived in. Parts of one table apply in part order (`tracks_2` after `tracks_1`,
`tracks_10` after `tracks_9`). A subfolder that names no table is still read when the dataset
keeps an `undeclared` table (nothing is lost): its records go there untyped, as JSONB, with a
warning in the log; without one, the file is refused.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from filegate.kit.coerce import typed_csv, typed_json
from filegate.kit.errors import Reject
from filegate.kit.parsed import ParsedFile
from filegate.kit.readers import read_records
from filegate.kit.readers.delimited import read_csv_chunks
from filegate.kit.readers.detect import detect_format
from filegate.kit.readers.json_array import read_json_array_chunks
from filegate.kit.readers.ndjson import read_ndjson_chunks
from filegate.kit.tables import Table

log = logging.getLogger(__name__)


def part_number(path: Path) -> int | None:
    m = re.search(r"_(\d+)$", path.stem)
    return int(m.group(1)) if m else None


def read_declared(path: Path, tables: tuple[Table, ...], undeclared: Table | None = None) -> ParsedFile:
    """`path` read into the table its subfolder names (of `tables`), or kept in `undeclared`."""
    declared = {t.name: t for t in tables if t is not undeclared}
    only = next(iter(declared.values())) if len(declared) == 1 and undeclared is None else None
    table = only.name if only is not None else path.parent.name
    kind = detect_format(path)
    target = declared.get(table)
    n = part_number(path)
    sort_key = f"{table}/{n:012d}" if n is not None else f"{table}/{path.name}"
    header = {"table": table, "format": kind, "declared": target is not None}
    if target is None:
        if undeclared is None:
            raise Reject(None, f"subfolder {table!r} names no declared table (tables: {', '.join(sorted(declared))})")
        log.warning("%s: subfolder %r has no declared schema; its records are kept as JSONB in "
                    "%s (declare the table to load it typed)", path.name, table, undeclared.target)
        return ParsedFile.from_records(header, sort_key, ((undeclared.name, line, {"source_table": table, "doc": rec})
                                                          for line, rec in read_records(path)))
    if kind == "csv":
        return ParsedFile(header, sort_key, typed_csv(target, read_csv_chunks(path)))
    chunks = read_ndjson_chunks(path) if kind == "ndjson" else read_json_array_chunks(path)
    return ParsedFile(header, sort_key, typed_json(target, chunks))

