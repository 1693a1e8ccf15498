"""What the filegate UI shows, as typed records: the JSON API returns them as they are and the HTML
pages render them, so the two never disagree. Everything comes from the registry
(`filegate.ingest.registry`) and the settings' folders; nothing here takes a path from a request.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, Field

from filegate import settings
from filegate.ingest import registry
from filegate.ingest.registry import FileStatus, RegisteredFile
from filegate.kit.declaration import Dataset

if TYPE_CHECKING:
    from psycopg import Connection

PER_PAGE = 50
MAX_PER_PAGE = 500


def conninfo() -> str:
    """The warehouse, as Airflow's `warehouse` connection names it (env var, secrets backend or DB),
    read per request: a changed connection needs no restart."""
    from filegate.warehouse.connection import conninfo_from_airflow, conninfo_from_env

    try:
        return conninfo_from_env()
    except RuntimeError:
        return conninfo_from_airflow()


def connect() -> Connection[Any]:
    from filegate.warehouse.connection import connect as open_connection

    return open_connection(conninfo())


class DayOut(BaseModel):
    day: date
    received: int = Field(description="files received that day")
    loaded: int = Field(description="files loaded that day")
    refused: int = Field(description="files rejected or refused as duplicates that day")
    rows_loaded: int = Field(description="rows stored by the files loaded that day")


class ClaimsOut(BaseModel):
    run_id: str = Field(description="the ingest run holding the files claimed")
    run_state: str | None = Field(description="that run's state in Airflow (running, failed, ...); null if unknown")
    files: int
    since: datetime = Field(description="when a run last touched the oldest of them")
    age_s: float = Field(description="seconds since then")
    stuck: bool = Field(description="no live run will finish them: their run ended (or is gone), or they are older "
                                    "than FILEGATE_CLAIM_TIMEOUT; the next run claims them again")


class DatasetOut(BaseModel):
    name: str
    description: str
    ingest_dag_id: str
    reports_dag_id: str
    files: dict[str, int] = Field(description="files per status")
    claims: list[ClaimsOut] = Field(description="files claimed, by the run holding them, oldest first")
    days: list[DayOut] = Field(description="the last days with activity, newest first")
    has_docs: bool = Field(description="Great Expectations Data Docs were written")
    questions: bool = Field(description="the dataset answers questions of its own (its `ui` module)")


class FileOut(BaseModel):
    file_id: int
    filename: str
    received_at: datetime
    size_bytes: int
    sha256: str
    status: str
    reason: str | None
    rows_read: int | None
    rows_loaded: int | None
    run_id: str
    loaded_at: datetime | None


class FileDetailOut(FileOut):
    stored_path: str | None = Field(description="where the raw file is kept now (archive or quarantine)")
    header: dict | None
    details: dict | None = Field(description="for a refused file: the failing expectations, sample lines and rows")
    docs_page: str | None = Field(description="its Great Expectations validation page, relative to the docs site")


class PagedOut(BaseModel):
    total: int = Field(description="items matching the request, on every page")
    page: int
    per_page: int
    pages: int

    @classmethod
    def paged(cls, total: int, page: int, per_page: int, **items: Any) -> Self:
        return cls(total=total, page=page, per_page=per_page, pages=max(1, -(-total // per_page)), **items)


class PageOut(PagedOut):
    files: list[FileOut]


class ReportOut(BaseModel):
    report: str
    day: date
    size_bytes: int


def summary(ds: Dataset, days: int = 30) -> DatasetOut:
    with connect() as conn:
        counts = registry.status_counts(conn, ds.name)
        held = registry.claims(conn, ds.name)
        by_day = registry.by_day(conn, ds.name, days)
    return DatasetOut(name=ds.name, description=ds.description, ingest_dag_id=ds.ingest_dag_id,
                      reports_dag_id=ds.reports_dag_id, files={s.value: n for s, n in counts.items()},
                      claims=claims_out(ds, held), days=[DayOut(**vars(d)) for d in by_day],
                      has_docs=docs_site(ds).joinpath("index.html").is_file(), questions=ds.ui is not None)


LIVE_RUN_STATES = ("queued", "running")


def claims_out(ds: Dataset, held: list[registry.Claims]) -> list[ClaimsOut]:
    from datetime import timezone

    now = datetime.now(timezone.utc)
    timeout = settings.load().claim_timeout
    states = run_states(ds.ingest_dag_id, [c.run_id for c in held]) if held else {}
    out = []
    for c in held:
        age = (now - c.since).total_seconds()
        state = states.get(c.run_id)
        out.append(ClaimsOut(run_id=c.run_id, run_state=state, files=c.files, since=c.since, age_s=age,
                             stuck=state not in LIVE_RUN_STATES or age > timeout))
    return out


def run_states(dag_id: str, run_ids: list[str]) -> dict[str, str]:
    """{run_id: state} of the DAG's runs, from Airflow's metadata database (the api-server's own
    session); a run it does not know is left out."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(select(DagRun.run_id, DagRun.state)
                               .where(DagRun.dag_id == dag_id, DagRun.run_id.in_(run_ids))).all()
    return {run_id: str(getattr(state, "value", state)) for run_id, state in rows}


STATUS_FILTERS = {"all": None, "refused": [FileStatus.REJECTED, FileStatus.DUPLICATE],
                  **{s.value: [s] for s in FileStatus}}


def files(ds: Dataset, status: str = "all", name: str | None = None, page: int = 1,
          per_page: int = PER_PAGE) -> PageOut:
    with connect() as conn:
        found = registry.page(conn, ds.name, STATUS_FILTERS[status], name, limit=per_page,
                              offset=(page - 1) * per_page)
    return PageOut.paged(found.total, page, per_page, files=[_file(f) for f in found.files])


def file(ds: Dataset, file_id: int) -> FileDetailOut | None:
    with connect() as conn:
        found = registry.files(conn, [file_id])
    if not found or found[0].dataset != ds.name:
        return None
    f = found[0]
    return FileDetailOut(**_file(f).model_dump(), stored_path=str(f.stored_path) if f.stored_path else None,
                         header=f.header, details=f.details, docs_page=validation_page(ds, f.file_id))


def _file(f: RegisteredFile) -> FileOut:
    return FileOut(file_id=f.file_id, filename=f.filename, received_at=f.received_at, size_bytes=f.size_bytes,
                   sha256=f.sha256, status=f.status.value, reason=f.reason, rows_read=f.rows_read,
                   rows_loaded=f.rows_loaded, run_id=f.run_id, loaded_at=f.loaded_at)


def reports(ds: Dataset) -> list[ReportOut]:
    """The dataset's report CSVs on disk, newest day first."""
    root = settings.load().reports / ds.name
    found = []
    for report in ds.reports:
        for csv in (root / report).glob("*.csv"):
            try:
                day = date.fromisoformat(csv.stem)
            except ValueError:   # not a day's file
                continue
            found.append(ReportOut(report=report, day=day, size_bytes=csv.stat().st_size))
    return sorted(found, key=lambda r: (r.day, r.report), reverse=True)


def report_file(ds: Dataset, report: str, day: date) -> Path | None:
    """The day's CSV of one of the dataset's reports, built from the declaration, never the request."""
    if report not in ds.reports:
        return None
    path = settings.load().reports / ds.name / report / f"{day.isoformat()}.csv"
    return path if path.is_file() else None


def docs_site(ds: Dataset) -> Path:
    """The dataset's Great Expectations Data Docs site (filegate.ingest.audit writes it)."""
    return settings.load().quality / ds.name / "data_docs"


def docs_file(ds: Dataset, relative: str) -> Path | None:
    """A file of the dataset's docs site, or None for anything outside it."""
    return inside(docs_site(ds), relative)


def inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None for anything that leads outside it (`..`,
    an absolute path, a link pointing out) or is not a file."""
    root = root.resolve()
    try:
        path = (root / relative).resolve()
    except (OSError, ValueError):
        return None
    return path if path.is_relative_to(root) and path.is_file() else None


def validation_page(ds: Dataset, file_id: int) -> str | None:
    """The docs page of the validation that refused one file (audit.Audit names it
    "<dataset>.<table> file <id>"), relative to the site."""
    site = docs_site(ds)
    pages = sorted(site.glob(f"validations/*/*/*/* file {int(file_id)}.html"))
    return pages[-1].relative_to(site).as_posix() if pages else None
