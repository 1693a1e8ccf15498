"""raw_data reader: `landing/raw_data/<table>/<table>_<n>.<ext>`, any of CSV (`,` `;` tab `|`),
NDJSON or a JSON array. Values are typed by the table's declared schema, so the same logical
record comes out identical whatever format it arrived in: an integer from CSV and from JSON is
the same integer, and empty CSV fields and JSON nulls are both null.

A subfolder with no declared schema is still read (nothing is lost): its records go, untyped,
to the `undeclared_records` table as JSONB, with a warning in the log.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from filegate.dataset import ParsedFile
from filegate.datasets.raw_data.tables import TABLES, UNDECLARED, TableSpec, match_key
from filegate.errors import Reject
from filegate.readers import detect_format, read_csv, read_json_array, read_ndjson

log = logging.getLogger(__name__)
READERS = {"csv": read_csv, "ndjson": read_ndjson, "json-array": read_json_array}


def part_number(path: Path) -> int | None:
    m = re.search(r"_(\d+)$", path.stem)
    return int(m.group(1)) if m else None


def read_raw(path: Path, settings=None) -> ParsedFile:
    table = path.parent.name
    kind = detect_format(path)
    spec = TABLES.get(table)
    n = part_number(path)
    # parts of one table apply in part order: tracks_2 after tracks_1, tracks_10 after tracks_9
    sort_key = f"{table}/{n:012d}" if n is not None else f"{table}/{path.name}"
    header = {"table": table, "format": kind, "declared": spec is not None}
    records = READERS[kind](path)
    if spec is None:
        log.warning("%s: subfolder %r has no declared schema; its records are kept as JSONB in "
                    "raw_data.%s (declare the table to load it typed)", path.name, table, UNDECLARED)
        return ParsedFile(header, sort_key, ((UNDECLARED, line, {"source_table": table, "doc": rec})
                                             for line, rec in records))
    return ParsedFile(header, sort_key, _typed(spec, records))


def _typed(spec: TableSpec, records):
    by_key = {match_key(c.source): c for c in spec.columns}
    empty = dict.fromkeys(c.name for c in spec.columns)   # columns a record lacks are null
    plans: dict[tuple, list] = {}   # per distinct set of source names: (source, name, coerce, type)
    for line, record in records:
        names = tuple(record)
        plan = plans.get(names)
        if plan is None:
            unknown = [n for n in names if match_key(n) not in by_key]
            if unknown:
                raise Reject(line, f"column(s) {unknown} are not in the declared schema of {spec.name} "
                                   f"(declared: {[c.source for c in spec.columns]})")
            plan = plans[names] = [(n, c.name, COERCE[c.type], c.type) for n in names for c in [by_key[match_key(n)]]]
        out = empty.copy()
        for source, name, coerce, kind in plan:
            try:
                out[name] = coerce(record[source])
            except (ValueError, TypeError, InvalidOperation):
                raise Reject(line, f"column {source}: {record[source]!r} is not {kind}") from None
        yield spec.name, line, out


# Coercers: CSV gives str (the hot path, tested first); JSON gives str, int, float, bool, None.
def _integer(v):
    if type(v) is str:
        return int(v) if v and not v.isspace() else None   # int() allows surrounding spaces
    if v is None or isinstance(v, bool):
        if v is None:
            return None
        raise TypeError
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    raise ValueError


def _numeric(v):
    if v is None or v == "" or (type(v) is str and v.isspace()):
        return None
    if isinstance(v, bool):
        raise TypeError
    d = Decimal(v.strip() if type(v) is str else str(v))
    if not d.is_finite():
        raise ValueError
    # one spelling per value: 0.990, 0.99 and 9.9E-1 all become "0.99"
    return format(d.normalize(), "f")


def _text(v):
    if type(v) is str:
        return v or None
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        raise TypeError
    return str(v)


def _timestamp(v):
    if v is None or v == "":
        return None
    return datetime.fromisoformat(str(v).strip().replace("Z", "+00:00")).isoformat()


COERCE = {"integer": _integer, "numeric": _numeric, "text": _text, "timestamp": _timestamp}
