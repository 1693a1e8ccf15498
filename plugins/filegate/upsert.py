"""Publish statements generated from a table declaration, for datasets without hand-written
`include/sql/<dataset>/publish/` files.

Keyed tables: upsert; when several files of the batch carry the same key, the file latest in
file order (`files.sort_key`) wins. Unkeyed tables: a re-delivered file replaces the rows its
earlier versions (same name) left, then its rows are inserted.
"""
from __future__ import annotations

from psycopg import sql

from filegate.dataset import Table

LINEAGE = ("_file_id", "_line")


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))


def statements(table: Table, staging: str) -> list[sql.Composed]:
    columns = [c for c in table.staging_columns if c not in LINEAGE]
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    source = sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in columns)
    fields = dict(target=_ident(table.target), staging=_ident(staging), cols=cols, source=source)
    if not table.keys:
        return [
            sql.SQL("DELETE FROM {target} t USING filegate.files earlier, filegate.files f"
                    " WHERE t.file_id = earlier.file_id AND earlier.dataset = f.dataset"
                    " AND earlier.filename = f.filename AND earlier.file_id <> f.file_id"
                    " AND f.file_id = ANY(%(file_ids)s)").format(**fields),
            sql.SQL("INSERT INTO {target} ({cols}, file_id, line, loaded_at)"
                    " SELECT {source}, s._file_id, s._line, now() FROM {staging} s"
                    " WHERE s._file_id = ANY(%(file_ids)s) ORDER BY s._file_id, s._line").format(**fields),
        ]
    keys = sql.SQL(", ").join(map(sql.Identifier, table.keys))
    skeys = sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(k)) for k in table.keys)
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
        for c in (*[c for c in columns if c not in table.keys], "file_id", "line", "loaded_at"))
    return [sql.SQL(
        "INSERT INTO {target} ({cols}, file_id, line, loaded_at)"
        " SELECT DISTINCT ON ({skeys}) {source}, s._file_id, s._line, now()"
        " FROM {staging} s JOIN filegate.files f ON f.file_id = s._file_id"
        " WHERE s._file_id = ANY(%(file_ids)s)"
        " ORDER BY {skeys}, f.sort_key DESC, s._file_id DESC, s._line DESC"
        " ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    ).format(**fields, keys=keys, skeys=skeys, updates=updates)]
