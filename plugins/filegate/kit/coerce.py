"""Typing source records by a table's declaration: the same logical record comes out identical
whatever format it arrived in (an integer from CSV and from JSON is one integer; an empty CSV
field and a JSON null are both null), or the file is refused naming the line and the column.

`typed_csv` and `typed_json` turn a reader's chunks (`filegate.kit.readers`) into chunks of typed
records. A `Typer` types one layout (a table and the source names one file uses): its `fast_chunk`
and `fast_one` are generated code, one comprehension per layout, without a call per value; each
of their expressions returns what the reference `coerce_record` would, or raises, and then the
reference decides (or names the line and the value in a Reject). The output never depends on
which path ran; tests pit the two against each other.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, NoReturn, Sequence

from filegate.kit import attributes
from filegate.kit.column_types import COERCION_ERRORS, FAST_SCOPE, fast_expression
from filegate.kit.errors import Reject, excerpt
from filegate.kit.tables import Column, Table, match_key

Chunk = tuple[str, list[dict]]


def typed_csv(table: Table, chunks: Iterator[Any]) -> Iterator[Chunk]:
    """CSV rows are typed by position, with one plan for the whole file (the header's)."""
    names = next(chunks)
    typer = Typer(table, tuple(names), 1, from_text=True)
    for lines, rows in chunks:
        yield table.name, typer.chunk(rows, lines)


def typed_json(table: Table, chunks: Iterable[Any]) -> Iterator[Chunk]:
    """JSON records are typed by name; each distinct set of keys gets its plan once."""
    typers: dict[tuple, Typer] = {}

    def typer_for(names: tuple, line: int) -> Typer:
        typer = typers.get(names)
        if typer is None:
            typer = typers[names] = Typer(table, names, line, from_text=False)
        return typer

    free = layout_free(table)
    for lines, records in chunks:
        try:   # the common case: the whole run has the keys of its first record (or keys do not matter)
            out = typer_for(() if free else tuple(records[0]), lines[0]).fast_chunk(records, lines)
        except Reject:
            raise
        except Exception:
            out = [typer_for(tuple(r), line).one(r, line) for r, line in zip(records, lines)]
        yield table.name, out


class Typer:
    """Types the records of one layout: `names` are the source fields (CSV header or JSON keys)."""

    def __init__(self, table: Table, names: tuple, line: int, from_text: bool):
        self.table, self.names, self.from_text = table, names, from_text
        self.plan = plan(table, names, line, from_text)
        self.paths = () if from_text else tuple(c for c in table.columns if c.path)
        # the positions of the fields the catch-all column keeps (none without one)
        roots = _roots(table, from_text)
        self.kept = tuple(i for i, (n, c) in enumerate(self.plan) if c is None and n not in roots) \
            if table.attributes else ()
        self.unprefixed = (table.attributes,) if table.attributes else ()   # its own name's object lends no prefix
        self.empty = dict.fromkeys(c.name for c in table.columns)   # columns a record lacks are null
        self.fast_chunk, self.fast_one = _compile(self)

    def chunk(self, items: list, lines: Sequence[int]) -> list[dict]:
        try:
            return self.fast_chunk(items, lines)
        except Exception:
            return [self.one(item, line) for item, line in zip(items, lines)]

    def one(self, item: Any, line: int) -> dict:
        try:
            out = self.fast_one(item)
        except Exception:
            record = dict(zip(self.names, item)) if self.from_text else item
            out = coerce_record(self, record, line)
        out["_line"] = line
        return out


def plan(table: Table, names: Sequence[str], line: int, from_text: bool) -> list[tuple[str, Column | None]]:
    """[(source name, declared column or None when not declared)] for the names a file uses;
    Reject for two names of one column, and naming the strangers when the table refuses
    undeclared fields."""
    by_key = table.by_header_key if from_text else table.by_match_key
    roots = _roots(table, from_text)
    out: list[tuple[str, Column | None]] = []
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for n in names:
        column = by_key.get(match_key(n))
        if column is None and n not in roots:
            unknown.append(n)
        elif column is not None and seen.setdefault(column.name, n) != n:
            raise Reject(line, f"column {column.name} is given twice (as {seen[column.name]!r} and {n!r})")
        out.append((n, column))
    if unknown and table.extra == "refuse" and not table.attributes:
        raise Reject(line, f"column(s) {excerpt(unknown)} are not in the declared schema of {table.name} "
                           f"(declared: {[c.source for c in table.columns]})")
    return out


def _roots(table: Table, from_text: bool) -> set[str]:
    """The first steps of the table's paths: JSON keys the paths read, not undeclared fields."""
    return set() if from_text else {c.path[0] for c in table.columns if c.path}


def coerce_record(typer: Typer, record: dict, line: int) -> dict:
    """The reference typing, value by value: the fast path must agree with it or defer to it."""
    out = typer.empty.copy()
    for source, column in typer.plan:
        if column is not None:
            out[column.name] = _value(column, source, record[source], typer.from_text, line)
    for column in typer.paths:
        try:
            value = path_value(record, column.steps)
        except TypeError:
            raise Reject(line, f"column {column.source}: a step of the path holds no object") from None
        out[column.name] = _value(column, column.source, value, False, line)
    if typer.table.attributes:
        out[typer.table.attributes] = _kept(typer, [(typer.plan[i][0], record[typer.plan[i][0]]) for i in typer.kept],
                                            line)
    return out


def _kept(typer: Typer, pairs: list[tuple[str, Any]], line: int) -> dict:
    try:
        return attributes.collect(pairs, typer.from_text, typer.unprefixed)
    except ValueError as e:
        raise Reject(line, str(e)) from None


def _value(column: Column, source: str, value: Any, from_text: bool, line: int) -> Any:
    kind = column.column_type
    try:
        return (kind.coerce_text if from_text else kind.coerce)(value)
    except COERCION_ERRORS:
        raise Reject(line, f"column {source}: {excerpt(value)} is not {kind.noun}") from None


def path_value(record: dict, path: tuple[str, ...]) -> Any:
    """The value at `path`; a missing or null object on the way gives None, anything else that
    is not an object raises TypeError."""
    value: object = record
    for step in path:
        if value is None:
            return None
        if type(value) is not dict:
            raise TypeError(step)
        value = value.get(step)
    return value


def _compile(typer: Typer) -> tuple[Callable, Callable]:
    """(fast_chunk(items, lines), fast_one(item)), generated for this layout."""
    planned = [(i, column) for i, (_, column) in enumerate(typer.plan) if column is not None]
    if not (typer.plan or typer.paths):
        return _no_fast_path, _no_fast_path   # no field at all: the reference decides
    source = {column.name: f"v{i}" for i, column in planned}
    source.update({column.name: f"p{j}" for j, column in enumerate(typer.paths)})
    fields = []
    for column in typer.table.columns:
        value = source.get(column.name)
        if column.name == typer.table.attributes:
            kept = "".join(f"({typer.plan[i][0]!r}, v{i}), " for i in typer.kept)
            fields.append(f"{column.name!r}: _collect(({kept}), {typer.from_text}, {typer.unprefixed!r})")
            continue
        fields.append(f"{column.name!r}: " + (
            "None" if value is None else fast_expression(column.column_type, value, typer.from_text)))
    record = "{" + ", ".join(fields)
    values = ", ".join([f"v{i}" for i in range(len(typer.plan))] + [f"p{j}" for j in range(len(typer.paths))])
    scope = {**FAST_SCOPE, "_mismatch": _mismatch, "_path": path_value, "_NULL": {None: {}}, "_collect": attributes.collect,
             **{f"_P{j}": column.path for j, column in enumerate(typer.paths)}}
    if typer.from_text:
        bind = f"({values},), ln in zip(items, lines)"
        one = f"def fast_one(r):\n    {values}, = r\n    return {record}}}\n"
    elif layout_free(typer.table):   # every column a path, undeclared fields ignored: any keys will do
        values = ", ".join(f"p{j}" for j in range(len(typer.paths)))
        access = ", ".join(_path_expression(column.steps) for column in typer.paths)
        bind = f"r, ln in zip(items, lines) for {values}, in (({access},),)"
        one = f"def fast_one(r):\n    {values}, = {access},\n    return {record}}}\n"
    else:   # the keys must be exactly the layout's: as many, and each found
        access = ", ".join([f"r[{name!r}]" for name, _ in typer.plan] +
                           [_path_expression(column.steps) for column in typer.paths])
        bind = (f"r, ln in zip(items, lines) if len(r) == {len(typer.plan)} or _mismatch() "
                f"for {values}, in (({access},),)")
        one = (f"def fast_one(r):\n    if len(r) != {len(typer.plan)}: _mismatch()\n"
               f"    {values}, = {access},\n    return {record}}}\n")
    code = f"def fast_chunk(items, lines):\n    return [{record}, '_line': ln}} for {bind}]\n" + one
    exec(code, scope)
    return scope["fast_chunk"], scope["fast_one"]


def layout_free(table: Table) -> bool:
    """Whether one typer serves every record whatever its keys: all columns are paths (found by
    exact steps, not by matching a layout's spellings) and undeclared fields are ignored."""
    return table.extra == "ignore" and not table.attributes and all(c.path for c in table.columns)


def _path_expression(path: tuple[str, ...]) -> str:
    """`path_value(r, path)` inlined: a missing or null object gives None; anything else that is
    not an object raises (`_NULL[x]` for a falsy non-None x, `.get` on a truthy non-dict), and the
    reference path then decides."""
    expression = "r"
    for step in path:
        if expression != "r":
            expression = f"({expression} or _NULL[{expression}])"
        expression = f"{expression}.get({step!r})"
    return expression


def _mismatch() -> NoReturn:
    raise LookupError("a record with other keys")


def _no_fast_path(*args: Any) -> NoReturn:
    raise LookupError("no fast path for this layout")

