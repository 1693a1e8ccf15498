"""The file registry (`filegate.files`): what arrived, when, and what became of it. Every read
and write of the ledger goes through this module, which hands out typed records
(`RegisteredFile`, `FileStatus`), never bare rows.

Claiming decides each landed file's fate under a per-dataset advisory lock:
- new name (or a name only ever rejected): a new `claimed` row;
- same name and bytes already `claimed` by a run that is still going (`live`): left to it;
- same name and bytes already `claimed` by a run that died or ended (a crash, a retried run): the
  same row is reused, so a retry never creates a second claim;
- same name and bytes `loaded` but still in landing (crash between commit and archive):
  the archive move is finished, nothing is loaded again;
- same name and bytes refused but still in landing (crash between the refusal and the move):
  the quarantine move is finished, nothing is read again;
- a name already `loaded` (and the dataset not reloadable): a `duplicate` row, file to quarantine;
  in a reloadable dataset, only when the bytes are those of the name's version loaded last (a
  changed re-delivery loads, and so does a return to an earlier version);
- the bytes of a `loaded` file under another name: a `duplicate` row naming that file, unless the
  dataset declares renamed copies legitimate (`Dataset.renamed_copies`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from filegate.ingest.landing import LandedFile
from filegate.warehouse.connection import value
from filegate.warehouse.models import FileStatus

if TYPE_CHECKING:   # psycopg is imported where a connection is opened
    from psycopg import Connection


class Action(str, Enum):
    """What claim does with a landed file."""
    CLAIM = "claim"
    LEAVE = "leave"           # another run, still going, holds its claim
    REFUSE_DUPLICATE = "refuse_duplicate"  # recorded as a duplicate: move it to quarantine
    MOVE_TO_ARCHIVE = "move_to_archive"      # it was loaded, only the move to archive is left
    MOVE_TO_QUARANTINE = "move_to_quarantine"  # it was refused, only the move to quarantine is left


@dataclass(frozen=True)
class Decision:
    action: Action
    file_id: int
    reason: str | None = None


@dataclass(frozen=True)
class RegisteredFile:
    file_id: int
    dataset: str
    filename: str              # relative to landing/<dataset>/
    received_at: datetime
    size_bytes: int
    sha256: str
    status: FileStatus
    reason: str | None
    header: dict | None
    details: dict | None
    sort_key: str | None
    rows_read: int | None
    rows_loaded: int | None
    run_id: str                # the Airflow run that handled it last
    stored_path: Path | None   # where the raw file is now
    reloadable: bool
    claimed_at: datetime
    loaded_at: datetime | None
    handled_at: datetime       # the last time a run decided something about it (claim, refusal, load)


_COLUMNS = ", ".join(f.name for f in fields(RegisteredFile))


def _record(row: tuple) -> RegisteredFile:
    values = dict(zip((f.name for f in fields(RegisteredFile)), row))
    values["status"] = FileStatus(values["status"])
    values["stored_path"] = Path(values["stored_path"]) if values["stored_path"] else None
    return RegisteredFile(**values)


def _select(conn: Connection, where: str, params: Sequence[Any], tail: str = "") -> list[RegisteredFile]:
    from psycopg.rows import tuple_row  # whatever row factory the caller's connection has

    cursor = conn.cursor(row_factory=tuple_row)
    return [_record(r) for r in cursor.execute(f"SELECT {_COLUMNS} FROM filegate.files WHERE {where} {tail}", params)]


def lock_dataset(conn: Connection, dataset: str) -> None:
    """Serialise claim and publish of one dataset across runs and processes (until commit)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('filegate:' || %s))", (dataset,))


def decide(conn: Connection, dataset: str, landed: LandedFile, run_id: str, reloadable: bool,
           renamed_copies: bool = False, live: Callable[[str], bool] | None = None) -> Decision:
    """What claim does with `landed`. `live(run_id)`: whether another run is still going (then
    its claims are its own); unset, no other run is."""
    earlier = named(conn, dataset, landed.filename)
    here = str(landed.path)
    unmoved = unmoved_refusal(earlier, landed.path)
    if unmoved is not None and unmoved.sha256 == landed.sha256:
        return Decision(Action.MOVE_TO_QUARANTINE, unmoved.file_id, unmoved.reason)
    for f in earlier:
        if f.status is FileStatus.CLAIMED:
            if f.sha256 == landed.sha256 and f.run_id != run_id and live is not None and live(f.run_id):
                return Decision(Action.LEAVE, f.file_id, f"claimed by run {f.run_id}, which is still going")
            if f.sha256 == landed.sha256:
                conn.execute("UPDATE filegate.files SET run_id = %s, stored_path = %s, handled_at = now()"
                             " WHERE file_id = %s",
                             (run_id, here, f.file_id))
                return Decision(Action.CLAIM, f.file_id)
            conn.execute(
                "UPDATE filegate.files SET status = 'rejected', reason = %s, handled_at = now() WHERE file_id = %s",
                ("superseded: a different version of this file arrived before it was loaded", f.file_id),
            )
    loaded = [f for f in earlier if f.status is FileStatus.LOADED]
    if loaded:
        last = loaded[-1]
        if last.sha256 == landed.sha256 and (str(last.stored_path) == here or _move_interrupted(last)):
            return Decision(Action.MOVE_TO_ARCHIVE, last.file_id)
        if not reloadable:
            reason = (f"duplicate: {landed.filename} was already loaded as file_id {last.file_id} "
                      f"at {last.loaded_at:%Y-%m-%d %H:%M:%S} UTC; a file name is never loaded twice")
            return Decision(Action.REFUSE_DUPLICATE, _insert(conn, dataset, landed, run_id, FileStatus.DUPLICATE, reason),
                            reason)
        if last.sha256 == landed.sha256:
            reason = (f"duplicate: {landed.filename} has the same content (sha256 {landed.sha256[:16]}…) as its version "
                      f"loaded last, file_id {last.file_id} at {last.loaded_at:%Y-%m-%d %H:%M:%S} UTC; a re-delivery "
                      "loads only when its content changed")
            return Decision(Action.REFUSE_DUPLICATE, _insert(conn, dataset, landed, run_id, FileStatus.DUPLICATE, reason),
                            reason)
    if not renamed_copies:
        # loaded, or claimed (two identical files arriving together: one loads, issue 31)
        twin = _select(conn, "dataset = %s AND sha256 = %s AND status IN ('loaded', 'claimed') AND filename <> %s",
                       (dataset, landed.sha256, landed.filename), "ORDER BY file_id LIMIT 1")
        if twin:
            t = twin[0]
            when = (f"loaded as file_id {t.file_id} at {t.loaded_at:%Y-%m-%d %H:%M:%S} UTC" if t.status is FileStatus.LOADED
                    else f"claimed as file_id {t.file_id} by run {t.run_id}")
            reason = (f"duplicate: {landed.filename} has the same content (sha256 {landed.sha256[:16]}…) as "
                      f"{t.filename}, {when}; the same content is not loaded again under another name")
            return Decision(Action.REFUSE_DUPLICATE, _insert(conn, dataset, landed, run_id, FileStatus.DUPLICATE, reason),
                            reason)
    return Decision(Action.CLAIM, _insert(conn, dataset, landed, run_id, FileStatus.CLAIMED, None, reloadable))


def unmoved_refusal(earlier: list[RegisteredFile], path: Path) -> RegisteredFile | None:
    """The last record of a file name when it is a refusal whose file never left `path` (its
    move to quarantine not begun, or interrupted)."""
    last = earlier[-1] if earlier else None
    if last is None or not last.status.refused:
        return None
    return last if last.stored_path == path or _move_interrupted(last) else None


def _move_interrupted(f: RegisteredFile) -> bool:
    """The registry names the file's place in archive or quarantine (`filegate.ingest.moves` records it
    before moving), and nothing is there: the move was interrupted and the file is still in landing."""
    return f.stored_path is not None and not f.stored_path.exists() and not f.stored_path.is_symlink()


def named(conn: Connection, dataset: str, filename: str) -> list[RegisteredFile]:
    """Every record of one file name, oldest first."""
    return _select(conn, "dataset = %s AND filename = %s", (dataset, filename), "ORDER BY file_id")


def _insert(conn: Connection, dataset: str, landed: LandedFile, run_id: str, status: FileStatus, reason: str | None,
            reloadable: bool = False) -> int:
    return value(
        conn,
        "INSERT INTO filegate.files (dataset, filename, received_at, size_bytes, sha256, status, reason,"
        " run_id, stored_path, reloadable) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING file_id",
        (dataset, landed.filename, landed.received_at, landed.size, landed.sha256, status.value, reason,
         run_id, str(landed.path), reloadable),
    )


def record_refused(conn: Connection, dataset: str, landed: LandedFile, run_id: str, reason: str) -> int:
    """Record a file refused before it was read (a link, not a regular file): its sha256 is empty."""
    return _insert(conn, dataset, landed, run_id, FileStatus.REJECTED, reason)


def get(conn: Connection, file_id: int) -> RegisteredFile:
    found = _select(conn, "file_id = %s", (file_id,))
    if not found:
        raise LookupError(f"file_id {file_id} is not in the registry")
    return found[0]


def files(conn: Connection, file_ids: Iterable[int]) -> list[RegisteredFile]:
    return _select(conn, "file_id = ANY(%s)", (list(file_ids),), "ORDER BY file_id")


def handled_since(conn: Connection, dataset: str, since: datetime) -> list[RegisteredFile]:
    """The dataset's files some run claimed, refused or loaded since `since` (a file re-claimed
    after a crash included), in arrival order."""
    return _select(conn, "dataset = %s AND handled_at >= %s", (dataset, since), "ORDER BY file_id")


def stale_claims(conn: Connection, dataset: str, older_than_s: float) -> list[RegisteredFile]:
    """Files still `claimed` that no run has touched for `older_than_s` seconds: their run died.
    The next run re-claims them (same name and bytes reuse the claim)."""
    return _select(conn, "dataset = %s AND status = 'claimed' AND handled_at < now() - make_interval(secs => %s)",
                   (dataset, older_than_s), "ORDER BY file_id")


def runs_with_claims(conn: Connection, dataset: str) -> set[str]:
    """The runs that still hold claimed files of the dataset: their staging tables and parts
    are in use (or will be, by whoever re-claims the files)."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT run_id FROM filegate.files WHERE dataset = %s AND status = 'claimed'", (dataset,))}


@dataclass(frozen=True)
class Claims:
    """The files one run holds claimed: until it publishes or refuses them, or, should it die,
    until a later run claims them again."""
    run_id: str
    files: int
    since: datetime   # when a run last touched the oldest of them


def claims(conn: Connection, dataset: str) -> list[Claims]:
    """The dataset's claimed files by the run holding them, oldest first."""
    return [Claims(run_id, n, since) for run_id, n, since in conn.execute(
        "SELECT run_id, count(*), min(handled_at) FROM filegate.files WHERE dataset = %s AND status = 'claimed'"
        " GROUP BY run_id ORDER BY 3", (dataset,))]


def count(conn: Connection, dataset: str | None = None) -> int:
    """How many files were received (of one dataset, or of all), whatever became of them."""
    if dataset is None:
        return value(conn, "SELECT count(*) FROM filegate.files")
    return value(conn, "SELECT count(*) FROM filegate.files WHERE dataset = %s", (dataset,))


def status_counts(conn: Connection, dataset: str) -> dict[FileStatus, int]:
    """How many of the dataset's files are in each status (every status named, zeros included)."""
    counts = dict.fromkeys(FileStatus, 0)
    for status, n in conn.execute("SELECT status, count(*) FROM filegate.files WHERE dataset = %s GROUP BY status",
                                  (dataset,)):
        counts[FileStatus(status)] = n
    return counts


@dataclass(frozen=True)
class DayCounts:
    """One UTC day of a dataset: files received that day, loaded and refused that day, and the
    rows the files loaded that day hold."""
    day: date
    received: int
    loaded: int
    refused: int
    rows_loaded: int


def by_day(conn: Connection, dataset: str, days: int = 30) -> list[DayCounts]:
    """The dataset's last `days` days with any activity, newest first."""
    rows = conn.execute(
        "SELECT day, sum(received), sum(loaded), sum(refused), sum(rows_loaded) FROM ("
        " SELECT (received_at AT TIME ZONE 'UTC')::date AS day, 1 AS received, 0 AS loaded, 0 AS refused,"
        "  0 AS rows_loaded FROM filegate.files WHERE dataset = %(ds)s"
        " UNION ALL SELECT (loaded_at AT TIME ZONE 'UTC')::date, 0, 1, 0, coalesce(rows_loaded, 0)"
        "  FROM filegate.files WHERE dataset = %(ds)s AND status = 'loaded'"
        " UNION ALL SELECT (handled_at AT TIME ZONE 'UTC')::date, 0, 0, 1, 0"
        "  FROM filegate.files WHERE dataset = %(ds)s AND status IN ('rejected', 'duplicate')"
        ") AS events GROUP BY day ORDER BY day DESC LIMIT %(days)s",
        {"ds": dataset, "days": days})
    return [DayCounts(day, *map(int, counts)) for day, *counts in rows]


@dataclass(frozen=True)
class Page:
    files: list[RegisteredFile]   # newest first
    total: int                    # files matching the filter, on every page


def page(conn: Connection, dataset: str, statuses: list[FileStatus] | None = None, name: str | None = None,
         limit: int = 50, offset: int = 0) -> Page:
    """One page of the dataset's files, newest first: of the given statuses (all when None), whose
    name contains `name` (case-insensitive, taken literally)."""
    where, params = ["dataset = %s"], list[object]([dataset])
    if statuses:
        where.append("status = ANY(%s)")
        params.append([s.value for s in statuses])
    if name:
        where.append("filename ILIKE %s ESCAPE '\\'")
        params.append("%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    condition = " AND ".join(where)
    total = value(conn, f"SELECT count(*) FROM filegate.files WHERE {condition}", params)
    return Page(_select(conn, condition, [*params, limit, offset], "ORDER BY file_id DESC LIMIT %s OFFSET %s"), total)


def last_received(conn: Connection, dataset: str) -> RegisteredFile | None:
    found = _select(conn, "dataset = %s", (dataset,), "ORDER BY received_at DESC, file_id DESC LIMIT 1")
    return found[0] if found else None


def record_conversion(conn: Connection, file_id: int, header: dict, sort_key: str, rows_read: int) -> None:
    conn.execute(
        "UPDATE filegate.files SET header = %s, sort_key = %s, rows_read = %s WHERE file_id = %s",
        (json.dumps(header), sort_key, rows_read, file_id),
    )


def refuse(conn: Connection, file_id: int, reason: str, details: dict | None = None) -> None:
    """Refuse a claimed file: status `rejected`, with the reason and the audit's findings."""
    conn.execute(
        "UPDATE filegate.files SET status = 'rejected', reason = %s, details = %s, handled_at = now()"
        " WHERE file_id = %s AND status = 'claimed'",
        (reason, json.dumps(details, default=str) if details is not None else None, file_id),
    )


def release(conn: Connection, file_id: int) -> None:
    """Forget a claim nothing was loaded from (the file changed or went away before it was read
    whole): the next look at landing registers the file as it is then."""
    conn.execute("DELETE FROM filegate.files WHERE file_id = %s AND status = 'claimed'", (file_id,))


def set_stored_path(conn: Connection, file_id: int, path: Path | str) -> None:
    conn.execute("UPDATE filegate.files SET stored_path = %s WHERE file_id = %s", (str(path), file_id))


def claimed_in(conn: Connection, file_ids: list[int]) -> list[int]:
    """The files of `file_ids` still claimed, in publish order; locks their rows."""
    return [r[0] for r in conn.execute(
        "SELECT file_id FROM filegate.files WHERE file_id = ANY(%s) AND status = 'claimed'"
        " ORDER BY sort_key, file_id FOR UPDATE",
        (file_ids,),
    )]


def loaded_in(conn: Connection, file_ids: list[int]) -> list[RegisteredFile]:
    return _select(conn, "file_id = ANY(%s) AND status = 'loaded'", (list(file_ids),), "ORDER BY file_id")


def mark_loaded(conn: Connection, file_ids: list[int], targets: list[str]) -> dict[int, int]:
    """Mark files loaded with the rows each now holds in the target tables; return those counts."""
    from filegate.warehouse.connection import compose

    counts = dict.fromkeys(file_ids, 0)
    for target in targets:
        q = compose("SELECT file_id, count(*) FROM {target} WHERE file_id = ANY(%(ids)s) GROUP BY file_id",
                    target=target)
        for file_id, n in conn.execute(q, {"ids": file_ids}):
            counts[file_id] += n
    for file_id, n in counts.items():
        conn.execute(
            "UPDATE filegate.files SET status = 'loaded', rows_loaded = %s, loaded_at = now(), reason = NULL,"
            " handled_at = now()"
            " WHERE file_id = %s",
            (n, file_id),
        )
    return counts
