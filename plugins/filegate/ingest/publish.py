"""Publish: in ONE transaction upsert the passing files' rows and mark them loaded; then archive.

The transaction runs, in order: the upserts generated from the dataset's declared tables
(`filegate.ingest.upsert`), then the dataset's own steps, `include/sql/<dataset>/publish/*.sql` in name
order, with `{staging_<table>}` bound to the batch's staging tables and `%(file_ids)s` to the
files being published; a step keeps derived tables (aggregates, dimensions) in step with the
rows. A crash before commit leaves the targets untouched and the files claimed (claimable
again); a crash after commit leaves them loaded, and the next attempt only finishes the archive
moves.

A first load into an empty table builds the table's secondary indexes once, after the rows are
in (`_drop_secondary_indexes`), instead of growing them a row at a time; meanwhile the table is
locked, which for an empty table keeps no reader from anything.

A file's values can pass the audit and still be refused by PostgreSQL at publish: a value too
long for an index (a 3,000-character user agent in a GIN over hstore, an operator name keying a
derived table), a sum that overflows in a derived table, a constraint. Failing the whole batch
would fail every run after it the same way (the files stay claimed), so a batch PostgreSQL
refuses is published again in halves, each in its savepoint and in publish order, down to the
files refused alone (`_publish_in_halves`); each is handed back with the line found by bisecting
its rows (`_locate`), and the others load. A file refused anywhere in the batch can take with it
the parents other files' rows refer to: those files are refused too (`_orphans`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import Connection
from psycopg.sql import Composed

from filegate.ingest import faults, moves, registry, upsert
from filegate.kit.declaration import Dataset
from filegate.kit.errors import QUOTE_LIMIT, Reject, bounded, excerpt, refused_by_postgres
from filegate.warehouse.connection import compose, connect, value

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    rows: dict[int, int] = field(default_factory=dict)        # file loaded -> the rows it now holds
    refused: dict[int, Reject] = field(default_factory=dict)  # file PostgreSQL refused -> where and why


class StepRefused(Exception):
    """PostgreSQL refused one publish step for the rows it was given."""

    def __init__(self, step: str, error: psycopg.Error):
        super().__init__(f"{step}: {error}")
        self.step = step
        self.error = error


def publish_batch(conninfo: str, dataset: Dataset, staging: dict[str, str], file_ids: list[int],
                  others_refused: bool = False) -> Published:
    """Upsert `file_ids` (those still claimed) from `staging` ({table: staging table}) and mark them
    loaded; a file whose rows PostgreSQL refuses is left claimed and handed back in `refused`.
    `others_refused`: files of the batch were refused before publish, so rows in staging may be
    of files that do not load (see `_orphans`)."""
    published = Published()
    with connect(conninfo) as conn:
        registry.lock_dataset(conn, dataset.name)
        pending = registry.claimed_in(conn, file_ids)
        if pending:
            refused = _publish(conn, dataset, staging, pending, others_refused)
            loaded = [i for i in pending if i not in refused]
            rows = registry.mark_loaded(conn, loaded, [t.target for t in dataset.loaded_tables]) if loaded else {}
            published = Published(rows, refused)
        faults.inject("publish.before_commit")
        for name in staging.values():
            conn.execute(compose("DROP TABLE IF EXISTS {t}", t=name))
    faults.inject("publish.after_commit")
    return published


def _publish(conn: Connection, dataset: Dataset, staging: dict[str, str], pending: list[int], others_refused: bool) -> dict[int, Reject]:
    """Publish the batch in one go, or, when PostgreSQL refuses it, in halves; then, when files of
    the batch were refused, make sure no loaded row refers to a row that did not load, and if one
    does, refuse its file too and publish the rest again. Returns the files refused."""
    refused: dict[int, Reject] = {}
    while True:
        todo = [i for i in pending if i not in refused]
        if not todo:
            return refused
        with conn.transaction() as attempt:
            found: dict[int, Reject] = {}
            try:
                with conn.transaction():   # a savepoint: a refused batch leaves nothing behind
                    _publish_together(conn, dataset, staging, todo)
            except StepRefused as e:
                log.warning("PostgreSQL refused the batch at %s (%s); publishing it in parts to find the file(s) "
                            "at fault", e.step, bounded(str(e.error), QUOTE_LIMIT))
                found = _publish_in_halves(conn, dataset, staging, todo)
            refused.update(found)
            orphans = (_orphans(conn, dataset, staging, [i for i in todo if i not in found])
                       if others_refused or refused else {})
            if not orphans:
                return refused
            refused.update(orphans)
            raise psycopg.Rollback(attempt)   # and publish the others again, without them


def _orphans(conn: Connection, dataset: Dataset, staging: dict[str, str], file_ids: list[int]) -> dict[int, Reject]:
    """The files whose published rows refer (`Table.references`) to a row no loaded file holds:
    the audit counted the batch's staged rows as the parents, and the file that brought a parent
    may have been refused since (by the audit, at stage or at publish)."""
    orphans: dict[int, Reject] = {}
    for table in dataset.loaded_tables:
        if table.name not in staging:
            continue
        for column, (parent, parent_column) in table.references.items():
            for file_id, line, found in conn.execute(compose(
                    "SELECT DISTINCT ON (s._file_id) s._file_id, s._line, s.{c}::text FROM {s} s"
                    " WHERE s._file_id = ANY(%(ids)s) AND s.{c} IS NOT NULL"
                    " AND NOT EXISTS (SELECT FROM {p} p WHERE p.{pc} = s.{c}) ORDER BY s._file_id, s._line",
                    s=staging[table.name], c=column, p=f"{table.schema}.{parent}", pc=parent_column),
                    {"ids": file_ids}):
                orphans.setdefault(file_id, Reject(line, (
                    f"{table.name}.{column} {excerpt(found)} refers to no {parent}.{parent_column}: the file of this "
                    f"batch that delivered it was refused, so this one cannot load without it")))
    return orphans


def _publish_together(conn: Connection, dataset: Dataset, staging: dict[str, str], file_ids: list[int]) -> None:
    """The whole batch in one go; a first load into an empty table gets plain inserts and its
    secondary indexes built after the rows."""
    empty = frozenset(t.name for t in dataset.loaded_tables if _empty(conn, t.target))
    deferred = _drop_secondary_indexes(conn, [t.target for t in dataset.loaded_tables if t.name in empty])
    _run(conn, dataset, staging, file_ids, empty)
    for name, definition in deferred:
        try:
            conn.execute(definition)
        except psycopg.Error as e:
            if refused_by_postgres(e):
                raise StepRefused(f"building index {name}", e) from e
            raise
        log.info("index %s built over the first load", name)


def _run(conn: Connection, dataset: Dataset, staging: dict[str, str], file_ids: list[int],
         empty: frozenset[str] = frozenset()) -> None:
    for label, statement in steps(dataset, staging, empty):
        try:
            cur = conn.execute(statement, {"file_ids": file_ids})
        except psycopg.Error as e:
            if refused_by_postgres(e):
                raise StepRefused(label, e) from e
            raise
        log.info("%s: %s rows", label, cur.rowcount)


def _publish_in_halves(conn: Connection, dataset: Dataset, staging: dict[str, str], file_ids: list[int]) -> dict[int, Reject]:
    """Publish the files in publish order, halving a refused run of them until the files refused
    alone are found (so k bad files of n cost about k·log2(n) tries, not n), each try in its
    savepoint; return {file_id: Reject} for those, whose rows are rolled back. A later file still
    wins a key over an earlier one: the runs go in order."""
    refused: dict[int, Reject] = {}

    def publish(run: list[int]) -> None:
        try:
            with conn.transaction():
                _run(conn, dataset, staging, run)
            return
        except StepRefused as e:
            if len(run) == 1:
                refused[run[0]] = _locate(conn, dataset, staging, run[0], e)
                return
        publish(run[:len(run) // 2])
        publish(run[len(run) // 2:])

    half = len(file_ids) // 2   # the batch as a whole was refused already
    for run in (file_ids[:half], file_ids[half:]):
        if run:
            publish(run)
    log.info("published %d file(s) apart; PostgreSQL refused %d", len(file_ids) - len(refused), len(refused))
    return refused


def _locate(conn: Connection, dataset: Dataset, staging: dict[str, str], file_id: int, refusal: StepRefused) -> Reject:
    """The line of `file_id` whose rows PostgreSQL refuses, found by publishing halves of the
    file's lines (about log2(lines) tries), in a savepoint that is always rolled back; a refusal
    no single line causes (a sum over many lines) is the whole file's."""
    with conn.transaction() as outer:
        rows = {}   # the file's rows of each table, copied once: a try reads only these
        for n, (table, name) in enumerate(staging.items()):
            rows[table] = f"pg_temp.filegate_file_{n}"
            conn.execute(compose("CREATE TEMP TABLE {r} AS SELECT * FROM {t} WHERE _file_id = %(f)s",
                                 r=rows[table], t=name), {"f": file_id})
        lines = [span for name in rows.values() for span in conn.execute(
            compose("SELECT min(_line), max(_line) FROM {r}", r=name)).fetchall() if span[0] is not None]

        def refused(first: int, last: int) -> StepRefused | None:
            try:
                with conn.transaction() as attempt:
                    probes = {}
                    for table, name in rows.items():
                        probes[table] = name.replace("_file_", "_probe_")
                        conn.execute(compose("CREATE TEMP TABLE {p} AS SELECT * FROM {r}"
                                             " WHERE _line BETWEEN %(first)s AND %(last)s", p=probes[table], r=name),
                                     {"first": first, "last": last})
                    _run(conn, dataset, probes, [file_id])
                    raise psycopg.Rollback(attempt)
            except StepRefused as e:
                return e
            return None

        found = None
        if lines:
            low, high = min(lo for lo, _ in lines), max(hi for _, hi in lines)
            while low < high:
                middle = (low + high) // 2
                if refused(low, middle):
                    high = middle
                else:
                    low = middle + 1
            alone = refused(low, low)
            found = _reject(low, alone) if alone else None
        raise psycopg.Rollback(outer)
    return found or _reject(None, refusal)


def _reject(line: int | None, refusal: StepRefused) -> Reject:
    diag = refusal.error.diag
    primary = diag.message_primary or str(refusal.error)
    where = f"the publish step {refusal.step}" if refusal.step.endswith(".sql") else refusal.step
    problem = f"PostgreSQL refused its rows at publish ({where}): {primary}"
    if "index row" in primary:
        problem += " (a value too long to index: PostgreSQL indexes at most about 2,700 bytes of a value)"
    elif diag.message_detail:
        problem += f" ({bounded(diag.message_detail, QUOTE_LIMIT)})"
    return Reject(line, problem)


def steps(dataset: Dataset, staging: dict[str, str], empty: frozenset[str] = frozenset()) -> list[tuple[str, Composed]]:
    """(label, statement): the generated upserts (plain inserts into the tables in `empty`), then
    the dataset's publish SQL files."""
    idents = {f"staging_{table}": name for table, name in staging.items()}
    return [*upsert.for_tables(dataset.tables, staging, empty),
            *((path.name, compose(path.read_text(), **idents)) for path in dataset.publish_sql())]


def _empty(conn: Connection, target: str) -> bool:
    return value(conn, compose("SELECT NOT EXISTS (SELECT FROM {t})", t=target))


def _drop_secondary_indexes(conn: Connection, targets: list[str]) -> list[tuple[str, str]]:
    """Drop the indexes of `targets` (empty tables, under the publish lock) that no key or unique
    constraint needs; return (name, its CREATE INDEX) to build each again after the load, in the
    same transaction. Building an index once over a first load is cheaper than growing it a row
    at a time (measured: bench/README.md, "events side by side"). Keys stay: they are what the
    load checks against."""
    from psycopg import sql

    dropped = []
    for target in targets:
        for schema, name, definition in conn.execute(
                "SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary ORDER BY 2",
                (target,)).fetchall():
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, name)))
            dropped.append((f"{schema}.{name}", definition))
    if dropped:
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    return dropped


def archive_loaded(conninfo: str, dataset: Dataset, file_ids: list[int], landing_dir: Path,
                   archive_root: Path, run_folder: str) -> list[Path]:
    """Move loaded files that are still in landing to archive/ (idempotent)."""
    moved = []
    with connect(conninfo) as conn:
        loaded = registry.loaded_in(conn, file_ids)
    for f in loaded:
        if f.stored_path is None or not f.stored_path.exists() or landing_dir not in f.stored_path.parents:
            continue
        target = moves.place(conninfo, f.file_id, archive_root, dataset.name, run_folder, f.filename)
        moved.append(moves.store(conninfo, f.file_id, f.stored_path, target, "archive"))
    return moved
