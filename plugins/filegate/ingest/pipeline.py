"""The ingest steps as the DAG tasks run them: claim -> convert (per file) -> stage -> audit -> publish.

Each step takes and returns the dataclasses of `contracts` (XCom carries them between tasks),
logs its progress, and is idempotent: a retry or re-run of the same run never duplicates, loses or half-loads anything.
Nothing here needs an Airflow context, so the same steps run under tests and the CLI. The files
one run handles together are its *batch*.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from filegate import datasets
from filegate.ingest import faults, landing, moves, registry
from filegate.ingest.contracts import Audited, ClaimedFile, Conversion, Outcome, Published, Staged
from filegate.ingest.convert import convert_file, part_path
from filegate.ingest.registry import Action, FileStatus
from filegate.kit.errors import QUOTE_LIMIT, Reject, bounded, is_environmental, machine_error
from filegate.settings import Settings, load
from filegate.warehouse.connection import connect

if TYPE_CHECKING:
    from filegate.kit.declaration import Dataset

log = logging.getLogger(__name__)


def run_dir(settings: Settings, dataset: str, run_id: str) -> Path:
    """Where a run's converted output goes: processed/<dataset>/<run>/."""
    return settings.processed / dataset / landing.run_folder(run_id)


def claim(dataset_name: str, run_id: str, conninfo: str, settings: Settings | None = None,
          seen: list[str] | None = None, live: Callable[[str], bool] | None = None) -> list[ClaimedFile]:
    """Register complete files and return those to load; refuse duplicates into quarantine.
    `seen`: the files the sensor found complete (names relative to landing/<dataset>/); without
    it, the landing folder is looked at now. `live(run_id)`: whether another run of the dataset
    is still going; a file it holds claimed is left to it (unset: no other run is)."""
    s = settings or load()
    ds = datasets.get(dataset_name)
    landing_dir = s.landing / ds.name
    folder = landing.run_folder(run_id)
    arrivals = landing.scan(landing_dir, ds.pattern)
    ready, strange = landing.settled(arrivals.regular, s.min_file_age), arrivals.strangers
    if seen is not None:
        wanted = set(seen)
        ready = [p for p in ready if p.relative_to(landing_dir).as_posix() in wanted]
        strange = [p for p in strange if landing.legible(p.relative_to(landing_dir).as_posix()) in wanted]
    for path in strange:
        _refuse_stranger(conninfo, s, ds.name, run_id, landing_dir, path)
    with connect(conninfo) as conn:
        stale = registry.stale_claims(conn, ds.name, s.claim_timeout)
    if stale:
        log.warning("%s: %d file(s) were claimed by a run that did not finish (untouched for %.0f s): %s; "
                    "those still in landing are claimed again now", ds.name, len(stale), s.claim_timeout,
                    ", ".join(f.filename for f in stale[:10]))
    claimed: list[ClaimedFile] = []
    for path in ready:
        landed = landing.fingerprint(path, landing_dir)
        if landed is None:
            continue
        with connect(conninfo) as conn:
            registry.lock_dataset(conn, ds.name)
            decision = registry.decide(conn, ds.name, landed, run_id, ds.reloadable, ds.renamed_copies, live)
        if decision.action is Action.LEAVE:
            log.info("%s is %s: left to it", landed.filename, decision.reason)
        elif decision.action is Action.REFUSE_DUPLICATE:
            log.error("DUPLICATE %s", decision.reason)
            _quarantine(conninfo, s, ds.name, folder, decision.file_id, landed.path, landed.filename,
                        decision.reason or "a duplicate")
        elif decision.action is Action.MOVE_TO_QUARANTINE:
            log.info("%s was refused (file_id %d) but not yet moved to quarantine: moving it now",
                     landed.filename, decision.file_id)
            with connect(conninfo) as conn:
                details = registry.get(conn, decision.file_id).details
            _quarantine(conninfo, s, ds.name, folder, decision.file_id, landed.path, landed.filename,
                        decision.reason or "refused", details)
        elif decision.action is Action.MOVE_TO_ARCHIVE:
            log.info("%s was loaded (file_id %d) but not yet archived: archiving it now",
                     landed.filename, decision.file_id)
            target = moves.place(conninfo, decision.file_id, s.archive, ds.name, folder, landed.filename)
            moves.store(conninfo, decision.file_id, landed.path, target, "archive")
        else:
            claimed.append(ClaimedFile(decision.file_id, landed.filename, str(landed.path),
                                       list(landed.identity or ())))
        faults.inject("claim")
    log.info("%s: claimed %d file(s) from %s", ds.name, len(claimed), landing_dir)
    clean_leftovers(ds, run_id, conninfo, s)
    return claimed


def groups(files: list, files_per_task: int, max_tasks: int) -> list[list]:
    """The claimed files in order, split into the groups the mapped convert tasks take: at least
    `files_per_task` files each, and never more than `max_tasks` groups, so a drop of thousands
    of files makes tens of tasks (Airflow refuses to map more than its `max_map_length`)."""
    size = max(files_per_task, -(-len(files) // max(max_tasks, 1)))
    return [files[i:i + size] for i in range(0, len(files), size)]


def clean_leftovers(ds: Dataset, run_id: str, conninfo: str, s: Settings) -> None:
    """Drop the staging tables and converted parts of runs that died (kill -9, a lost worker):
    everything of a run holding no claimed file, this run excepted. A run's files are claimed
    until published or refused, so nothing a live run still needs is touched."""
    from filegate.ingest.stage import drop_staging_except

    with connect(conninfo) as conn:
        live = registry.runs_with_claims(conn, ds.name) | {run_id}
        dropped = drop_staging_except(conn, ds, live)
    folders = {landing.run_folder(run) for run in live}
    removed = [parts for parts in (s.processed / ds.name).glob("*/parts") if parts.parent.name not in folders]
    for parts in removed:
        shutil.rmtree(parts, ignore_errors=True)
    if dropped or removed:
        log.warning("%s: removed what runs that did not finish left behind: %d staging table(s) (%s), "
                    "%d folder(s) of converted parts (%s)", ds.name, len(dropped), ", ".join(dropped[:5]),
                    len(removed), ", ".join(p.parent.name for p in removed[:5]))


def convert(dataset_name: str, run_id: str, file: ClaimedFile, conninfo: str,
            settings: Settings | None = None) -> Conversion:
    """Stream one claimed file to NDJSON gzip parts. A file the reader refuses, or that fails in
    any other way, is quarantined; the batch goes on. A file that changed or went away since it
    was hashed at claim is released (`_release`): what would load is not what was registered."""
    s = settings or load()
    ds = datasets.get(dataset_name)
    file_id, filename, path = file.file_id, file.filename, Path(file.path)
    with connect(conninfo) as conn:
        status = registry.get(conn, file_id).status
    if status is not FileStatus.CLAIMED:
        log.info("%s (file_id %d) is already %s: nothing to convert", filename, file_id, status)
        return Conversion(file_id, filename, Outcome(status.value))
    if _changed(file):
        return _release(conninfo, file, "after it was claimed")
    out = run_dir(s, ds.name, run_id)
    try:
        converted = convert_file(ds, path, file_id, out, s)
    except Exception as e:   # whatever this file does to the reader, it must not stop the batch
        if is_environmental(e):   # not the file's fault: fail the task, the retry converts it again
            said = machine_error(e, f"could not convert {filename} into {out}", "The file stays claimed, and the "
                                 "next attempt converts it once this is fixed") if isinstance(e, OSError) else None
            if said:
                raise said from e
            raise
        if _changed(file):   # the failure came from reading a moving file
            return _release(conninfo, file, "while it was being read")
        _refuse(conninfo, s, ds.name, run_id, file_id, path, filename, _conversion_failure(e, filename))
        return Conversion(file_id, filename, Outcome.REJECTED)
    if _changed(file):
        for table in converted.rows:
            part_path(out, table, file_id).unlink(missing_ok=True)
        return _release(conninfo, file, "while it was being read")
    with connect(conninfo) as conn:
        registry.record_conversion(conn, file_id, converted.header, converted.sort_key, sum(converted.rows.values()))
    log.info("%s (file_id %d): converted %s", filename, file_id, converted.rows)
    return Conversion(file_id, filename, Outcome.CONVERTED, converted.rows)


def _changed(file: ClaimedFile) -> bool:
    """Whether the file may differ from the bytes hashed at claim (`landing.identity`: inode, size,
    mtime and ctime, so a rewrite with its size and mtime put back counts too), or is gone; a
    claim made before identities were recorded has nothing to compare."""
    return file.identity is not None and list(landing.identity(Path(file.path)) or ()) != list(file.identity)


def _release(conninfo: str, file: ClaimedFile, when: str) -> Conversion:
    """Drop the claim of a file that changed or went away `when`: nothing of it was loaded, and
    the registry must hold the bytes that load. Still in landing, it is claimed again, as it is
    then, once it has settled; gone, it was never received. The raw file is never touched."""
    gone = landing.identity(Path(file.path)) is None
    with connect(conninfo) as conn:
        registry.release(conn, file.file_id)
    log.warning("RELEASED %s: %s %s; %s", file.filename, "gone from landing" if gone else "changed", when,
                "nothing of it was loaded" if gone else
                "it is claimed again, as it is then, once it has settled (FILEGATE_MIN_FILE_AGE)")
    return Conversion(file.file_id, file.filename, Outcome.RELEASED)


def _conversion_failure(error: Exception, filename: str) -> str:
    """The reason a file is refused: the reader's, or the error's type and message."""
    if isinstance(error, Reject):
        return error.describe(filename)
    log.exception("%s: unexpected error while converting (the file is refused)", filename, exc_info=error)
    return f"{filename}, whole file: could not be converted: {type(error).__name__}: {bounded(str(error), QUOTE_LIMIT)}"


def stage(dataset_name: str, run_id: str, converted: list[Conversion], conninfo: str,
          settings: Settings | None = None) -> Staged:
    """Combine the converted files into one NDJSON gzip per table and COPY each into staging.
    When PostgreSQL refuses the batch, it is staged again file by file: the files it refuses
    are quarantined (file and line named), the others go on."""
    from filegate.ingest.stage import stage_batch, staging_table

    s = settings or load()
    ds = datasets.get(dataset_name)
    done = [c for c in converted if c and c.outcome is Outcome.CONVERTED]
    file_ids = sorted(c.file_id for c in done)
    out = run_dir(s, ds.name, run_id)
    missing = [f"{c.filename} ({table})" for c in done for table, n in c.rows.items()
               if n and not part_path(out, table, c.file_id).exists()]
    if missing:   # never stage a batch short of a file's rows: fail, the files stay claimed
        raise RuntimeError(f"{ds.name}: the converted parts of {', '.join(missing[:5])} are gone from {out} "
                           "(removed as left-overs of a run taken for dead?); the files stay claimed and the "
                           "next run converts them again")
    staging, rows, refused = {}, {}, {}
    for table in ds.loaded_tables:
        name = staging[table.name] = staging_table(ds, table, run_id)
        rows[table.name], bad = stage_batch(conninfo, name, table, out, [i for i in file_ids if i not in refused])
        refused.update(bad)
        faults.inject("stage")
    with connect(conninfo) as conn:
        names = {f.file_id: f for f in registry.files(conn, list(refused))}
    for file_id, problem in refused.items():
        f = names[file_id]
        _refuse(conninfo, s, ds.name, run_id, file_id, f.stored_path, f.filename, problem.describe(f.filename))
    return Staged([i for i in file_ids if i not in refused], staging, rows, sorted(refused))


def audit(dataset_name: str, run_id: str, staged: Staged, conninfo: str, settings: Settings | None = None) -> Audited:
    """Validate the staged batch with the dataset's suite; quarantine each failing file whole."""
    from filegate.ingest.audit import Audit

    s = settings or load()
    ds = datasets.get(dataset_name)
    file_ids = staged.file_ids
    failures: dict[int, list[dict]] = {}
    docs = None
    if file_ids:
        try:   # Great Expectations keeps its results and Data Docs under the data root's quality/
            run = Audit(conninfo, ds, staged.staging, s.quality / ds.name)
            for table in ds.loaded_tables:
                if not staged.rows.get(table.name):
                    continue   # nothing of this table arrived in the batch
                for file_id, failure in run.table(table, file_ids).failures.items():
                    failures.setdefault(file_id, []).append({"table": table.name, **failure})
                faults.inject("audit")
            docs = run.build_docs()
        except OSError as e:
            said = machine_error(e, f"could not write the audit's results under {s.quality / ds.name}",
                                 "The files stay claimed, and the next attempt audits them once this is fixed")
            if said:
                raise said from e
            raise
    for file_id, failed in failures.items():
        with connect(conninfo) as conn:
            f = registry.get(conn, file_id)
        reason = f"{f.filename}: " + "; ".join(x["reason"] for x in failed)
        _refuse(conninfo, s, ds.name, run_id, file_id, f.stored_path, f.filename, reason, {"failures": failed})
    passing = [i for i in file_ids if i not in failures]
    log.info("%s: %d file(s) pass the audit, %d quarantined; quality report: %s",
             ds.name, len(passing), len(failures), docs)
    return Audited(passing, staged.staging, staged.rows, sorted({*staged.rejected, *failures}), docs)


def publish(dataset_name: str, run_id: str, audited: Audited, conninfo: str,
            settings: Settings | None = None) -> Published:
    """Upsert the passing files in one transaction, then archive them and drop the run's parts. A
    file whose rows PostgreSQL refuses at publish is quarantined (file and line named); the
    others load."""
    from filegate.ingest.publish import archive_loaded, publish_batch

    s = settings or load()
    ds = datasets.get(dataset_name)
    published = publish_batch(conninfo, ds, audited.staging, audited.file_ids, others_refused=bool(audited.rejected))
    with connect(conninfo) as conn:
        names = {f.file_id: f for f in registry.files(conn, list(published.refused))}
    for file_id, problem in published.refused.items():
        f = names[file_id]
        _refuse(conninfo, s, ds.name, run_id, file_id, f.stored_path, f.filename, problem.describe(f.filename),
                {"refused_at": "publish"})
    moved = archive_loaded(conninfo, ds, audited.file_ids, s.landing / ds.name, s.archive,
                           landing.run_folder(run_id))
    shutil.rmtree(run_dir(s, ds.name, run_id) / "parts", ignore_errors=True)
    with connect(conninfo) as conn:
        loaded = [f.file_id for f in registry.loaded_in(conn, audited.file_ids)]   # this attempt's or an earlier one's
    rows = sum(published.rows.values())
    log.info("%s: published %d file(s), %d row(s) now stored from them; %d refused by PostgreSQL; archived %d file(s)",
             ds.name, len(published.rows), rows, len(published.refused), len(moved))
    return Published(len(published.rows), rows, [str(p) for p in moved], loaded, sorted(published.refused))


def _refuse(conninfo: str, s: Settings, dataset: str, run_id: str, file_id: int, path: Path | None, filename: str,
            reason: str, details: dict | None = None) -> None:
    """Refuse a claimed file: registry `rejected` with its reason, raw file to quarantine."""
    log.error("REJECTED %s", reason)
    with connect(conninfo) as conn:
        registry.refuse(conn, file_id, reason, details)
    faults.inject("refuse")
    _quarantine(conninfo, s, dataset, landing.run_folder(run_id), file_id, path, filename, reason, details)


def _refuse_stranger(conninfo: str, s: Settings, dataset: str, run_id: str, landing_dir: Path, path: Path) -> None:
    """Refuse a link (or anything not a regular file inside the folder) without reading it."""
    from datetime import datetime, timezone

    rel = landing.legible(path.relative_to(landing_dir).as_posix())
    reason = (f"{rel}, whole file: {landing.stranger_kind(path, landing_dir)}; filegate reads only regular files "
              f"inside landing/{dataset}/, and did not read this one")
    about = path.lstat()
    recorded = Path(landing.legible(str(path)))   # a name that is not UTF-8 is recorded as shown
    landed = landing.LandedFile(path=recorded, filename=rel, size=about.st_size, sha256="",   # not read: no hash
                                received_at=datetime.fromtimestamp(landing.modified_at(about), tz=timezone.utc))
    with connect(conninfo) as conn:
        registry.lock_dataset(conn, dataset)
        unmoved = registry.unmoved_refusal(registry.named(conn, dataset, rel), recorded)
        file_id = unmoved.file_id if unmoved else registry.record_refused(conn, dataset, landed, run_id, reason)
    log.error("REJECTED %s", reason)
    _quarantine(conninfo, s, dataset, landing.run_folder(run_id), file_id, path, rel, reason)


def _quarantine(conninfo: str, s: Settings, dataset: str, folder: str, file_id: int, path: Path | None,
                filename: str, reason: str, details: dict | None = None) -> None:
    """Move a refused file to quarantine with its reason beside it (idempotent: gone is done).
    A link is moved as the link: its target stays where it is, unread."""
    if path is None or not os.path.lexists(path) or (s.landing / dataset) not in path.parents:
        return
    target = moves.place(conninfo, file_id, s.quarantine, dataset, folder, filename)
    moves.store(conninfo, file_id, path, target, "quarantine", reason, details)
