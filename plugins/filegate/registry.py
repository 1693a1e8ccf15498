"""The file registry (`filegate.files`): what arrived, when, what became of it.

Claiming decides each landed file's fate under a per-dataset advisory lock:
- new name (or a name only ever rejected): a new `claimed` row;
- same name and bytes already `claimed` (a crashed or retried run): the same row is reused,
  so a retry never creates a second claim;
- same name and bytes `loaded` but still in landing (crash between commit and archive):
  the archive move is finished, nothing is loaded again;
- a name already `loaded` (and the dataset not reloadable): a `duplicate` row, file to quarantine.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from filegate.landing import LandedFile

CLAIMED, LOADED, REJECTED, DUPLICATE = "claimed", "loaded", "rejected", "duplicate"


@dataclass(frozen=True)
class Decision:
    action: str            # "claim" | "duplicate" | "archive"
    file_id: int
    reason: str | None = None


def lock_dataset(conn, dataset: str) -> None:
    """Serialise claim and publish of one dataset across runs and processes (until commit)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('filegate:' || %s))", (dataset,))


def decide(conn, dataset: str, landed: LandedFile, batch_id: str, reloadable: bool) -> Decision:
    rows = conn.execute(
        "SELECT file_id, status, sha256, stored_path, loaded_at FROM filegate.files"
        " WHERE dataset = %s AND filename = %s ORDER BY file_id",
        (dataset, landed.filename),
    ).fetchall()
    here = str(landed.path)
    for file_id, status, sha, _, _ in rows:
        if status == CLAIMED:
            if sha == landed.sha256:
                conn.execute("UPDATE filegate.files SET batch_id = %s, stored_path = %s WHERE file_id = %s",
                             (batch_id, here, file_id))
                return Decision("claim", file_id)
            conn.execute(
                "UPDATE filegate.files SET status = 'rejected', reason = %s WHERE file_id = %s",
                ("superseded: a different version of this file arrived before it was loaded", file_id),
            )
    loaded = [r for r in rows if r[1] == LOADED]
    if loaded:
        file_id, _, sha, stored, loaded_at = loaded[-1]
        if sha == landed.sha256 and stored == here:
            return Decision("archive", file_id)
        if not reloadable:
            reason = (f"duplicate: {landed.filename} was already loaded as file_id {file_id} "
                      f"at {loaded_at:%Y-%m-%d %H:%M:%S} UTC; a file name is never loaded twice")
            return Decision("duplicate", _insert(conn, dataset, landed, batch_id, DUPLICATE, reason), reason)
    return Decision("claim", _insert(conn, dataset, landed, batch_id, CLAIMED, None, reloadable))


def _insert(conn, dataset, landed: LandedFile, batch_id, status, reason, reloadable=False) -> int:
    return conn.execute(
        "INSERT INTO filegate.files (dataset, filename, received_at, size_bytes, sha256, status, reason,"
        " batch_id, stored_path, reloadable) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING file_id",
        (dataset, landed.filename, landed.received_at, landed.size, landed.sha256, status, reason,
         batch_id, str(landed.path), reloadable),
    ).fetchone()[0]


def status(conn, file_id: int) -> tuple[str, str | None]:
    row = conn.execute("SELECT status, reason FROM filegate.files WHERE file_id = %s", (file_id,)).fetchone()
    if row is None:
        raise LookupError(f"file_id {file_id} is not in the registry")
    return row


def record_conversion(conn, file_id: int, header: dict, sort_key: str, rows_read: int) -> None:
    conn.execute(
        "UPDATE filegate.files SET header = %s, sort_key = %s, rows_read = %s WHERE file_id = %s",
        (json.dumps(header), sort_key, rows_read, file_id),
    )


def reject(conn, file_id: int, reason: str, details: dict | None = None) -> None:
    conn.execute(
        "UPDATE filegate.files SET status = 'rejected', reason = %s, details = %s"
        " WHERE file_id = %s AND status = 'claimed'",
        (reason, json.dumps(details, default=str) if details is not None else None, file_id),
    )


def set_stored_path(conn, file_id: int, path) -> None:
    conn.execute("UPDATE filegate.files SET stored_path = %s WHERE file_id = %s", (str(path), file_id))


def claimed_in(conn, file_ids: list[int]) -> list[tuple[int, str]]:
    """(file_id, sort_key) of the files still claimed, in publish order; locks their rows."""
    return conn.execute(
        "SELECT file_id, sort_key FROM filegate.files WHERE file_id = ANY(%s) AND status = 'claimed'"
        " ORDER BY sort_key, file_id FOR UPDATE",
        (file_ids,),
    ).fetchall()


def mark_loaded(conn, file_ids: list[int], targets: list[str]) -> dict[int, int]:
    """Mark files loaded with the rows each now holds in the target tables; return those counts."""
    from filegate.warehouse import compose

    counts = dict.fromkeys(file_ids, 0)
    for target in targets:
        q = compose("SELECT file_id, count(*) FROM {target} WHERE file_id = ANY(%(ids)s) GROUP BY file_id",
                    target=target)
        for file_id, n in conn.execute(q, {"ids": file_ids}):
            counts[file_id] += n
    for file_id, n in counts.items():
        conn.execute(
            "UPDATE filegate.files SET status = 'loaded', rows_loaded = %s, loaded_at = now(), reason = NULL"
            " WHERE file_id = %s",
            (n, file_id),
        )
    return counts
