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
from filegate.readers import detect_format, read_csv, read_csv_rows, read_json_array, read_ndjson

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
    if kind == "csv":   # by position: no dict per row before typing
        return ParsedFile(header, sort_key, _typed_rows(spec, read_csv_rows(path)))
    return ParsedFile(header, sort_key, _typed(spec, records))


def _typed(spec: TableSpec, records):
    """Type JSON records (dicts); each distinct set of keys gets its plan once."""
    empty = _empty(spec)
    plans: dict[tuple, tuple] = {}   # source names -> (fast, plan)
    for line, record in records:
        names = tuple(record)
        entry = plans.get(names)
        if entry is None:
            plan = _plan(spec, names, line)
            entry = plans[names] = (_compile(spec, plan, by_position=False), plan)
        fast, plan = entry
        try:
            out = fast(record)
        except Exception:   # the fast path only knows the common spellings: decide slowly
            out = _coerce(plan, empty, record, line)
        yield spec.name, line, out


def _typed_rows(spec: TableSpec, rows):
    """Type CSV rows (lists, the header first): one plan for the whole file."""
    _, names = next(rows)
    empty = _empty(spec)
    plan = _plan(spec, names, 1)
    fast = _compile(spec, plan, by_position=True)
    for line, row in rows:
        try:
            out = fast(row)
        except Exception:
            out = _coerce(plan, empty, dict(zip(names, row)), line)
        yield spec.name, line, out


def _empty(spec: TableSpec) -> dict:
    return dict.fromkeys(c.name for c in spec.columns)   # columns a record lacks are null


def _plan(spec: TableSpec, names, line: int) -> list:
    """[(source name, declared column)] for the names a file uses, or Reject naming the strangers."""
    by_key = spec.by_match_key
    unknown = [n for n in names if match_key(n) not in by_key]
    if unknown:
        raise Reject(line, f"column(s) {unknown} are not in the declared schema of {spec.name} "
                           f"(declared: {[c.source for c in spec.columns]})")
    return [(n, by_key[match_key(n)]) for n in names]


def _coerce(plan, empty: dict, record: dict, line: int) -> dict:
    """The reference coercion, value by value: the fast path must agree with it or defer to it."""
    out = empty.copy()
    for source, column in plan:
        try:
            out[column.name] = COERCE[column.type](record[source])
        except (ValueError, TypeError, InvalidOperation):
            raise Reject(line, f"column {source}: {record[source]!r} is not {column.type}") from None
    return out


def _compile(spec: TableSpec, plan, by_position: bool):
    """A generated function typing a whole record without a call per value. Each expression
    returns what `_coerce` would, or raises (and the caller then asks `_coerce`), so the output
    never depends on which path ran."""
    sources = {column.name: i for i, (_, column) in enumerate(plan)}
    if len(sources) != len(plan):
        return _no_fast_path   # two spellings of one column: leave it to the reference path
    if by_position:
        bind = ", ".join(f"v{i}" for i in range(len(plan))) + ", = r"
    else:
        bind = "; ".join(f"v{i} = r[{source!r}]" for i, (source, _) in enumerate(plan))
    fields = []
    for column in spec.columns:
        i = sources.get(column.name)
        fields.append(f"{column.name!r}: " + ("None" if i is None else FAST[column.type].format(v=f"v{i}")))
    code = f"def fast(r):\n    {bind}\n    return {{{', '.join(fields)}}}\n"
    scope = dict(_FAST_SCOPE)
    exec(code, scope)
    return scope["fast"]


def _no_fast_path(record):
    raise LookupError


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


# Fast-path expressions, `{v}` being the source value. Each either returns exactly what COERCE
# returns for that value or raises; the common cases (CSV strings, JSON ints) need no call.
FAST = {
    "integer": "(int({v}) if {v}.__class__ is str and {v} else {v} if {v}.__class__ is int else _integer({v}))",
    "text": "({v} if {v}.__class__ is str and {v} else _text({v}))",
    "numeric": "_numeric_remembered({v})",
    "timestamp": "_timestamp({v})",
}
_NUMERIC_SEEN: dict = {}   # (type, spelling) -> canonical text; prices repeat, Decimal is slow
_NUMERIC_SEEN_MAX = 1 << 16


def _numeric_remembered(v):
    kind = v.__class__
    if kind is not str and (kind is not float or not v):   # 0.0 == -0.0 would share an entry
        return _numeric(v)
    key = (kind, v)
    try:
        return _NUMERIC_SEEN[key]
    except KeyError:
        canonical = _numeric(v)
        if len(_NUMERIC_SEEN) < _NUMERIC_SEEN_MAX:
            _NUMERIC_SEEN[key] = canonical
        return canonical


_FAST_SCOPE = {"_integer": _integer, "_text": _text, "_timestamp": _timestamp,
               "_numeric_remembered": _numeric_remembered}
