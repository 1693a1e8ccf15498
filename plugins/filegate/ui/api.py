"""The filegate JSON API, under the plugin's prefix (`/filegate/api`): the same records the pages
show. Its OpenAPI schema is `/filegate/api/openapi.json` (behind the same login)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse

from filegate.ui import access, data
from filegate.ui.access import ReadableDataset

router = APIRouter(prefix="/api", tags=["filegate"])

if TYPE_CHECKING:   # a Literal built at run time is no type to a checker
    StatusFilter = str
else:
    StatusFilter = Literal[tuple(data.STATUS_FILTERS)]   # all, refused, and each FileStatus


@router.get("/datasets", response_model=list[data.DatasetOut])
def datasets(user: GetUserDep, days: Annotated[int, Query(ge=1, le=366)] = 30):
    """Every dataset the user may read: files per status and the last days' counts."""
    return [data.summary(ds, days) for ds in access.readable(user)]


@router.get("/datasets/{dataset}", response_model=data.DatasetOut)
def dataset(ds: ReadableDataset, days: Annotated[int, Query(ge=1, le=366)] = 30):
    return data.summary(ds, days)


@router.get("/datasets/{dataset}/files", response_model=data.PageOut)
def files(ds: ReadableDataset, status_: Annotated[StatusFilter, Query(alias="status")] = "all",
          name: Annotated[str | None, Query(max_length=200, description="part of the file name")] = None,
          page: Annotated[int, Query(ge=1)] = 1,
          per_page: Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)] = data.PER_PAGE):
    """The file registry, newest first, one page at a time (`refused`: rejected or duplicate)."""
    return data.files(ds, status_, name, page, per_page)


@router.get("/datasets/{dataset}/files/{file_id}", response_model=data.FileDetailOut)
def file(ds: ReadableDataset, file_id: int):
    """One file: for a refused one, the reason and the failing expectations with sample lines and rows."""
    found = data.file(ds, file_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no file {file_id} in dataset {ds.name}")
    return found


@router.get("/datasets/{dataset}/reports", response_model=list[data.ReportOut])
def reports(ds: ReadableDataset):
    """The report CSVs written so far, newest day first."""
    return data.reports(ds)


@router.get("/datasets/{dataset}/reports/{report}/{day}.csv", response_class=FileResponse,
            responses={200: {"content": {"text/csv": {}}}})
def report_csv(ds: ReadableDataset, report: str, day: date):
    """One day's CSV of a report, as a download."""
    path = data.report_file(ds, report, day)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no {report!r} report of {ds.name} for {day}")
    return FileResponse(path, media_type="text/csv", filename=f"{ds.name}_{report}_{day}.csv")
