"""The SMRT specification's questions in the filegate UI (`Dataset.ui`): how many meters, all
readings of a meter (a page at a time), how many files were received, the last file received.
Mounted by `filegate.ui.app` under the dataset, behind its read check."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from filegate import datasets
from filegate.datasets.smrt import queries
from filegate.ui import data
from filegate.ui.pages import base, render

api = APIRouter()
pages = APIRouter()


class LastFileOut(BaseModel):
    file_id: int
    filename: str
    received_at: datetime
    status: str
    reason: str | None
    rows_loaded: int | None


class AnswersOut(BaseModel):
    meters: int
    files_received: int
    last_file_received: LastFileOut | None


class ReadingOut(BaseModel):
    meter_number: str
    reading_start_utc: datetime
    consumption: Decimal
    filename: str
    line: int
    received_at: datetime


class ReadingsOut(data.PagedOut):
    meter_number: str
    readings: list[ReadingOut]


def answers() -> AnswersOut:
    info = data.conninfo()
    last = queries.last_file_received(info)
    return AnswersOut(meters=queries.meter_count(info), files_received=queries.files_received(info),
                      last_file_received=LastFileOut(**{**last, "status": str(last["status"])}) if last else None)


def readings(meter: str, page: int, per_page: int) -> ReadingsOut:
    info = data.conninfo()
    try:
        canonical = queries.meter(meter)
    except ValueError as e:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(e)) from None
    total = queries.reading_count(info, canonical)
    rows = queries.readings_for_meter(info, canonical, limit=per_page, offset=(page - 1) * per_page)
    return ReadingsOut.paged(total, page, per_page, meter_number=canonical, readings=[ReadingOut(**r) for r in rows])


@api.get("/questions", response_model=AnswersOut)
def questions_api():
    """How many meters, how many files received, the last file received."""
    return answers()


@api.get("/meters/{meter}/readings", response_model=ReadingsOut)
def readings_api(meter: str, page: Annotated[int, Query(ge=1)] = 1,
                 per_page: Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)] = 100):
    """All readings of one meter (any accepted spelling of its number), oldest first, a page at a time."""
    return readings(meter, page, per_page)


@pages.get("/questions", response_class=HTMLResponse)
def questions_page(request: Request, meter: Annotated[str | None, Query(max_length=40)] = None,
                   page: Annotated[int, Query(ge=1)] = 1):
    found, problem = None, None
    if meter:
        try:
            found = readings(meter, page, 100)
        except HTTPException as e:
            problem = e.detail
    def page_link(number: int) -> str:
        return f"{base(request)}/datasets/smrt/questions?{urlencode({'meter': meter, 'page': number})}#readings"

    return render(request, "smrt/questions.html", ds=datasets.get("smrt"), answers=answers(), meter=meter or "",
                  found=found, problem=problem, page_link=page_link)
