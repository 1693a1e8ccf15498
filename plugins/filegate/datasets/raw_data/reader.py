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
from filegate.readers import (detect_format, read_csv_batches, read_json_array_batches, read_ndjson_batches,
                              read_records)

log = logging.getLogger(__name__)


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
    if spec is None:
        log.warning("%s: subfolder %r has no declared schema; its records are kept as JSONB in "
                    "raw_data.%s (declare the table to load it typed)", path.name, table, UNDECLARED)
        return ParsedFile.from_records(header, sort_key, ((UNDECLARED, line, {"source_table": table, "doc": rec})
                                                          for line, rec in read_records(path)))
    if kind == "csv":
        return ParsedFile(header, sort_key, _typed_csv(spec, read_csv_batches(path)))
    batches = read_ndjson_batches(path) if kind == "ndjson" else read_json_array_batches(path)
    return ParsedFile(header, sort_key, _typed_json(spec, batches))


def _typed_csv(spec: TableSpec, batches):
    """CSV rows are typed by position, with one plan for the whole file (the header's)."""
    names = next(batches)
    typer = Typer(spec, _plan(spec, names, 1), by_position=True)
    for lines, rows in batches:
        yield spec.name, typer.batch(rows, lines)


def _typed_json(spec: TableSpec, batches):
    """JSON records are typed by name; each distinct set of keys gets its plan once."""
    typers: dict[tuple, Typer] = {}

    def typer_for(names: tuple, line: int) -> Typer:
        typer = typers.get(names)
        if typer is None:
            typer = typers[names] = Typer(spec, _plan(spec, names, line), by_position=False)
        return typer

    for lines, records in batches:
        try:   # the common case: the whole run has the keys of its first record
            out = typer_for(tuple(records[0]), lines[0]).fast_batch(records, lines)
        except Reject:
            raise
        except Exception:
            out = [typer_for(tuple(r), line).one(r, line) for r, line in zip(records, lines)]
        yield spec.name, out


class Typer:
    """Types records of one layout (a table and the source names a file uses). `fast_batch` and
    `fast_one` are generated code without a call per value; each of their expressions returns
    what the reference `_coerce` would, or raises, and then `one` asks `_coerce`, which decides
    (or names the line and the value in a Reject). The output never depends on which path ran."""

    def __init__(self, spec: TableSpec, plan: list, by_position: bool):
        self.plan, self.by_position = plan, by_position
        self.names = [source for source, _ in plan]
        self.empty = _empty(spec)
        self.fast_batch, self.fast_one = _compile(spec, plan, by_position)

    def batch(self, items: list, lines) -> list[dict]:
        try:
            return self.fast_batch(items, lines)
        except Exception:
            return [self.one(item, line) for item, line in zip(items, lines)]

    def one(self, item, line: int) -> dict:
        try:
            out = self.fast_one(item)
        except Exception:
            record = dict(zip(self.names, item)) if self.by_position else item
            out = _coerce(self.plan, self.empty, record, line)
        out["_line"] = line
        return out


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
    """(fast_batch(items, lines), fast_one(item)), generated for this layout."""
    sources = {column.name: i for i, (_, column) in enumerate(plan)}
    if len(sources) != len(plan):
        return _no_fast_path, _no_fast_path   # two spellings of one column: the reference path decides
    values = ", ".join(f"v{i}" for i in range(len(plan)))
    fields = []
    for column in spec.columns:
        i = sources.get(column.name)
        fast = FAST_FROM_TEXT if by_position else FAST
        fields.append(f"{column.name!r}: " + ("None" if i is None else fast[column.type].format(v=f"v{i}")))
    record = "{" + ", ".join(fields)
    if by_position:
        bind = f"({values},), ln in zip(items, lines)"
        one = f"def fast_one(r):\n    {values}, = r\n    return {record}}}\n"
    else:   # the keys must be exactly the plan's: as many, and each found
        access = ", ".join(f"r[{source!r}]" for source, _ in plan)
        bind = (f"r, ln in zip(items, lines) if len(r) == {len(plan)} or _mismatch() "
                f"for {values}, in (({access},),)")
        one = f"def fast_one(r):\n    {values}, = {access},\n    return {record}}}\n"
    code = f"def fast_batch(items, lines):\n    return [{record}, '_line': ln}} for {bind}]\n" + one
    scope = dict(_FAST_SCOPE)
    exec(code, scope)
    return scope["fast_batch"], scope["fast_one"]


def _mismatch():
    raise LookupError("a record with other keys")


def _no_fast_path(*args):
    raise LookupError("no fast path for this layout")


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
# CSV values are always text: fewer checks. `_NUMERIC_TEXT_SEEN.get` misses (None) for unseen
# spellings and for blanks, and the call then decides.
FAST_FROM_TEXT = {
    "integer": "(int({v}) if {v} else None)",
    "text": "({v} or None)",
    "numeric": "(_NUMERIC_TEXT_SEEN.get({v}) or _numeric_remembered({v}))",
    "timestamp": "_timestamp({v})",
}
_NUMERIC_SEEN: dict = {}   # (type, spelling) -> canonical text; prices repeat, Decimal is slow
_NUMERIC_TEXT_SEEN: dict = {}   # the same for text spellings alone
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
            if kind is str:
                _NUMERIC_TEXT_SEEN[v] = canonical
        return canonical


_FAST_SCOPE = {"_integer": _integer, "_text": _text, "_timestamp": _timestamp, "_mismatch": _mismatch,
               "_numeric_remembered": _numeric_remembered, "_NUMERIC_TEXT_SEEN": _NUMERIC_TEXT_SEEN}
