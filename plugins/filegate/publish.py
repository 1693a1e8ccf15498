"""Publish: in ONE transaction upsert the passing files' rows and mark them loaded; then archive.

The upsert SQL is the dataset's, one statement per file under include/sql/<dataset>/publish/,
run in name order with `{staging_<table>}` bound to the batch's staging tables and
`%(file_ids)s` to the files being published. A crash before commit leaves the targets untouched
and the files claimed (claimable again); a crash after commit leaves them loaded, and the next
attempt only finishes the archive moves.
"""
from __future__ import annotations

import logging
from pathlib import Path

from filegate import faults, landing, registry
from filegate.dataset import Dataset
from filegate.warehouse import compose, connect, sql_files

log = logging.getLogger(__name__)


def publish(conninfo: str, dataset: Dataset, staging: dict[str, str], file_ids: list[int]) -> dict[int, int]:
    """Upsert `file_ids` (those still claimed) from `staging` ({table: staging table}); return rows per file."""
    counts: dict[int, int] = {}
    with connect(conninfo) as conn:
        registry.lock_dataset(conn, dataset.name)
        pending = [file_id for file_id, _ in registry.claimed_in(conn, file_ids)]
        if pending:
            for label, statement in _statements(dataset, staging):
                cur = conn.execute(statement, {"file_ids": pending})
                log.info("%s: %s rows", label, cur.rowcount)
            counts = registry.mark_loaded(conn, pending, [t.target for t in dataset.tables])
        faults.inject("publish.before_commit")
        for name in staging.values():
            conn.execute(compose("DROP TABLE IF EXISTS {t}", t=name))
    faults.inject("publish.after_commit")
    return counts


def _statements(dataset: Dataset, staging: dict[str, str]) -> list[tuple[str, object]]:
    """The dataset's publish SQL files in name order, or statements generated from its tables."""
    files = sql_files(f"{dataset.name}/publish")
    if files:
        idents = {f"staging_{table}": name for table, name in staging.items()}
        return [(path.name, compose(path.read_text(), **idents)) for path in files]
    from filegate.upsert import statements

    return [(table.target, s) for table in dataset.tables for s in statements(table, staging[table.name])]


def archive_loaded(conninfo: str, dataset: Dataset, file_ids: list[int], landing_dir: Path,
                   archive_root: Path, batch: str) -> list[Path]:
    """Move loaded files that are still in landing to archive/ (idempotent)."""
    moved = []
    with connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT file_id, filename, stored_path FROM filegate.files"
            " WHERE file_id = ANY(%s) AND status = 'loaded'", (file_ids,)).fetchall()
        for file_id, filename, stored in rows:
            path = Path(stored) if stored else None
            if path is None or not path.exists() or landing_dir not in path.parents:
                continue
            target = landing.move(path, archive_root, dataset.name, batch, filename)
            registry.set_stored_path(conn, file_id, target)
            moved.append(target)
    return moved
