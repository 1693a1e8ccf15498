"""Publish statements generated from a table declaration; they run first in the publish
transaction, before the dataset's own SQL steps (include/sql/<dataset>/publish/*.sql).

Keyed tables: upsert. A table declared unique across files (and not repeating keys in a file)
reaches publish with every key once, as the audit refuses a batch's files that repeat one, so its
rows go in as they are (no sort). Otherwise, when several files of the batch carry the same key, the file latest in
file order (`files.sort_key`) wins, and within a file the record latest in it: the later line,
and on one line (a JSON document on one line) the later record, which COPY stored later in the
freshly filled staging table (`ctid`). Unkeyed tables: a re-delivered file replaces the rows its
earlier versions (same name) left, then its rows are inserted. A child table (`Table.parent`):
every parent the batch delivers first loses all its stored children, so a re-delivered parent's
children are exactly those delivered with it. A keyed table that holds no row yet (a first load)
gets a plain INSERT: nothing can conflict, and PostgreSQL's speculative insertion for ON CONFLICT
made a first load much slower (measured: bench/README.md, "wells side by side").
"""
from __future__ import annotations

from typing import Iterable

from psycopg import sql

from filegate.kit.tables import Table


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))


def _list(names: Iterable[str], prefix: str = "") -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL(prefix + "{}").format(sql.Identifier(n)) for n in names)


def for_tables(tables: tuple[Table, ...], staging: dict[str, str],
               empty: frozenset[str] = frozenset()) -> list[tuple[str, sql.Composed]]:
    """(label, statement) for every loaded table, in declaration order (parents before children);
    `staging` maps each table of the batch to its staging table; `empty`: the tables known to
    hold no row (under the publish lock, so nothing can fill them meanwhile)."""
    by_name = {t.name: t for t in tables}
    out = []
    for table in tables:
        if table.derived:
            continue
        parent = by_name.get(table.parent[0]) if table.parent else None
        if table.parent and (parent is None or parent.derived or not parent.keys):
            raise ValueError(f"table {table.name}: parent {table.parent[0]!r} must be a keyed, loaded table")
        out += [(table.target, s) for s in statements(table, staging, parent, table.name in empty)]
    return out


def statements(table: Table, staging: dict[str, str], parent: Table | None = None,
               empty: bool = False) -> list[sql.Composed]:
    columns = [c.name for c in table.published]
    fields = dict(target=_ident(table.target), staging=_ident(staging[table.name]), cols=_list(columns),
                  source=_list(columns, "s."))
    replaced = _children_replaced(table, table.parent[1], parent, staging) if parent and table.parent else []
    if not table.keys:
        return [*replaced,
            sql.SQL("DELETE FROM {target} t USING filegate.files earlier, filegate.files f"
                    " WHERE t.file_id = earlier.file_id AND earlier.dataset = f.dataset"
                    " AND earlier.filename = f.filename AND earlier.file_id <> f.file_id"
                    " AND f.file_id = ANY(%(file_ids)s)").format(**fields),
            sql.SQL("INSERT INTO {target} ({cols}, file_id, line, loaded_at)"
                    " SELECT {source}, s._file_id, s._line, now() FROM {staging} s"
                    " WHERE s._file_id = ANY(%(file_ids)s) ORDER BY s._file_id, s._line").format(**fields),
        ]
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
        for c in (*[c for c in columns if c not in table.keys], "file_id", "line", "loaded_at"))
    if table.unique_across_files and not table.repeats_in_file:
        # the audit refuses every file of a batch that repeats a key: no key to choose a winner for
        rows = ("SELECT {source}, s._file_id, s._line, now() FROM {staging} s"
                " WHERE s._file_id = ANY(%(file_ids)s)")
    else:
        rows = ("SELECT DISTINCT ON ({skeys}) {source}, s._file_id, s._line, now()"
                " FROM {staging} s JOIN filegate.files f ON f.file_id = s._file_id"
                " WHERE s._file_id = ANY(%(file_ids)s)"
                " ORDER BY {skeys}, f.sort_key DESC, s._file_id DESC, s._line DESC, s.ctid DESC")
    return [*replaced, sql.SQL(
        "INSERT INTO {target} ({cols}, file_id, line, loaded_at) " + rows
        + ("" if empty else " ON CONFLICT ({keys}) DO UPDATE SET {updates}")
    ).format(**fields, keys=_list(table.keys), skeys=_list(table.keys, "s."), updates=updates)]


def _children_replaced(table: Table, child_columns: tuple[str, ...], parent: Table,
                       staging: dict[str, str]) -> list[sql.Composed]:
    """Delete the stored children of every parent the batch delivers (its key held in the
    child's `parent` columns, in the parent's key order)."""
    return [sql.SQL(
        "DELETE FROM {target} t WHERE ({child}) IN (SELECT {keys} FROM {parent} p"
        " WHERE p._file_id = ANY(%(file_ids)s))"
    ).format(target=_ident(table.target), child=_list(child_columns, "t."), keys=_list(parent.keys, "p."),
             parent=_ident(staging[parent.name]))]
