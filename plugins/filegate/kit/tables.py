"""Declared tables: a dataset says what its tables hold, once, and everything else derives from
that: the ORM model (and so the migration), the staging columns, the typing of source records
(`filegate.kit.coerce`), the generated upserts (`filegate.ingest.upsert`) and the standard suite checks
(`filegate.ingest.audit`).

A column names its source: a field of a flat record, matched whatever its spelling of case and
separators (`TrackId`, `track_id`, `TRACKID`), or a dotted path into a nested JSON record
(`sale.amount.saleamt`), where a missing object anywhere on the path gives null. Its warehouse
name defaults to the snake_case of the source's last step (`TrackId` -> `track_id`). A flat
field may arrive under other names too (`aliases`: `time` and `timestamp` for `ts`); two of one
column's names in one record are a fault. A table may keep every field it does not declare in a
catch-all column (`attributes`, an hstore or jsonb: `filegate.kit.attributes`) instead of refusing
or ignoring it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Callable

from filegate.kit import column_types

# Every loaded row says where it came from. `_file_id`/`_line` in staging, `file_id`/`line` in
# targets; file_id is indexed but is not a foreign key (see filegate/models.py).
LINEAGE = {"_file_id": "bigint", "_line": "integer"}
LINEAGE_COMMENTS = {"file_id": "the file this row came from (filegate.files)",
                    "line": "the line of the file where the record starts"}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def match_key(name: str) -> str:
    """How flat source names are compared: case and separators do not matter."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Column:
    source: str                    # the source field, or a dotted path into a nested record
    type: str                      # a name in filegate.kit.column_types
    name: str = ""                 # the warehouse column; default: snake_case of the source's last step
    staged_only: bool = False      # kept in staging for the audit (a raw spelling), not published
    required: bool = False         # NOT NULL in the target, and checked so by the suite (keys always are)
    comment: str | None = None
    aliases: tuple[str, ...] = ()  # other names a flat field arrives under, matched as the source is

    def __post_init__(self) -> None:
        column_types.get(self.type)   # an unknown type fails at declaration, not mid-load
        if self.aliases and "." in self.source:
            raise ValueError(f"column {self.source}: a path into a nested record takes no aliases")
        if not self.name:
            object.__setattr__(self, "name", snake(self.source.rsplit(".", 1)[-1]))

    @cached_property
    def path(self) -> tuple[str, ...] | None:
        """The steps into a nested JSON record, or None for a flat field."""
        return self.steps if "." in self.source else None

    @cached_property
    def steps(self) -> tuple[str, ...]:
        """The source's steps: one for a flat field, several for a path into a nested record."""
        return tuple(self.source.split("."))

    @property
    def column_type(self) -> column_types.ColumnType:
        return column_types.get(self.type)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every name the source field may arrive under: the source, then the aliases."""
        return (self.source, *self.aliases)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] = ()     # upsert key; none: a re-delivered file replaces its earlier rows
    references: dict[str, tuple[str, str]] = field(default_factory=dict)   # column -> (table, column), audited
    minimum: dict[str, float] = field(default_factory=dict)                # column -> smallest allowed value
    maximum: dict[str, float] = field(default_factory=dict)                # column -> largest allowed value
    greater_than_zero: tuple[str, ...] = ()
    unique_across_files: bool = False   # a key in two files of one batch refuses both (a broken export)
    repeats_in_file: bool = False  # a key twice in one file is a re-delivery (the later line wins), not a fault
    extra: str = "refuse"          # source fields not declared: "refuse" the file, or "ignore" them
    attributes: str | None = None  # or keep them, as text, in this hstore/jsonb column (overrides extra)
    parent: tuple[str, tuple[str, ...]] | None = None   # (table, columns holding its key): a parent
                                   # re-delivered replaces all its children rows
    derived: bool = False          # maintained by the dataset's publish SQL: not staged, no lineage,
                                   # not counted as rows loaded
    surrogate_key: str | None = None   # a generated bigint primary key, for unkeyed tables
    indexes: dict[str, str] = field(default_factory=dict)   # column -> index method ("btree", "gin"),
                                   # for the queries that read the table
    comment: str | None = None
    schema: str = ""               # the dataset's name; set by its Dataset

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: two columns share a name: {names}")
        unknown = [c for c in (*self.keys, *self.references, *self.minimum, *self.maximum, *self.greater_than_zero,
                               *(self.parent[1] if self.parent else ()), *self.indexes) if c not in names]
        if unknown:
            raise ValueError(f"table {self.name}: {unknown} are not among its columns {names}")
        methods = [m for m in self.indexes.values() if m not in ("btree", "gin", "brin", "hash")]
        if methods:
            raise ValueError(f"table {self.name}: index methods must be btree, gin, brin or hash, not {methods}")
        if self.extra not in ("refuse", "ignore"):
            raise ValueError(f"table {self.name}: extra must be 'refuse' or 'ignore', not {self.extra!r}")
        if self.attributes is not None:
            kept = next((c for c in self.columns if c.name == self.attributes), None)
            if kept is None or kept.type not in ("hstore", "jsonb"):
                raise ValueError(f"table {self.name}: attributes must name one of its hstore or jsonb columns, "
                                 f"not {self.attributes!r}")
        spellings = [match_key(s) for s, _ in self.spelled()]
        if len(set(spellings)) != len(spellings):
            raise ValueError(f"table {self.name}: two columns share a source name or alias: {spellings}")

    @property
    def target(self) -> str:
        """"schema.table" the publish upserts into."""
        return f"{self.schema}.{self.name}"

    @property
    def published(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.staged_only)

    @cached_property
    def staging_columns(self) -> dict[str, str]:
        """column -> PostgreSQL type, as staged for the audit (lineage first)."""
        return {**LINEAGE, **{c.name: c.column_type.pg for c in self.columns}}

    def spelled(self, paths: bool = False) -> list[tuple[str, Column]]:
        """(name, column) for each name a source field may arrive under: flat fields' sources and
        aliases (`paths`: a path's dotted source too, as a CSV header spells it). The catch-all
        column is filled by the fields no column names, never from a field of its own name."""
        return [(s, c) for c in self.columns if (paths or c.path is None) and c.name != self.attributes
                for s in c.spellings]

    @cached_property
    def by_match_key(self) -> dict[str, Column]:
        """Each name of a flat field (`match_key`) -> its column: how JSON keys are matched."""
        return {match_key(s): c for s, c in self.spelled()}

    @cached_property
    def by_header_key(self) -> dict[str, Column]:
        """Each name of a column, a path's dotted source included (`match_key`) -> the column: how
        a CSV header is matched (a header spells a path as one name)."""
        return {match_key(s): c for s, c in self.spelled(paths=True)}

    def fields(self, fold: Callable[[str], str] = str.lower) -> dict[str, str]:
        """Each name of a flat field, folded by `fold` -> its column's name: for a reader of its
        own that compares names its way (events: lower-cased)."""
        return {fold(s): c.name for s, c in self.spelled()}

    def in_schema(self, schema: str) -> "Table":
        return self if self.schema else replace(self, schema=schema)


def model(table: Table, base: type) -> type:
    """The ORM model of a declared table, registered on `base` (so on its metadata)."""
    from sqlalchemy import BigInteger, DateTime, Index, Integer
    from sqlalchemy.orm import mapped_column

    indexes = tuple(Index(f"ix_{table.name}_{column}", column, postgresql_using=method)
                    for column, method in table.indexes.items())
    attrs: dict = {"__tablename__": table.name,
                   "__table_args__": (*indexes, {"schema": table.schema,
                                                 **({"comment": table.comment} if table.comment else {})})}
    if table.surrogate_key:
        attrs[table.surrogate_key] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    for c in table.published:
        key = c.name in table.keys
        attrs[c.name] = mapped_column(c.column_type.sqlalchemy(), primary_key=key, nullable=not (key or c.required),
                                      autoincrement=False, comment=c.comment)   # keys come from the data
    if not table.derived:
        attrs["file_id"] = mapped_column(BigInteger, nullable=False, index=True, comment=LINEAGE_COMMENTS["file_id"])
        attrs["line"] = mapped_column(Integer, nullable=False, comment=LINEAGE_COMMENTS["line"])
        attrs["loaded_at"] = mapped_column(DateTime(timezone=True), nullable=False)
    class_name = "".join(p.title() for p in f"{table.schema}_{table.name}".split("_"))
    return type(class_name, (base,), attrs)
