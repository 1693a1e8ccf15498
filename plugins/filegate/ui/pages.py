"""The filegate pages: plain server-rendered HTML (Jinja2, autoescaped: a file named `<script>…`
shows as text), usable inside Airflow's navigation (an iframe of the same origin); their one
script (static/filegate.js) only lets links into Airflow work from inside that iframe. The Great Expectations Data Docs are served from here too, rewritten to load their
pinned assets from the plugin (`filegate.ui.assets`)."""
from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, FunctionLoader

from filegate.ui import access, assets, data
from filegate.ui.access import ReadableDataset
from filegate.ui.api import StatusFilter

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
PREFIX = "/filegate"   # where plugin.py mounts the app

# our pages run one script, ours (static/filegate.js: links into Airflow from inside its iframe), and
# nothing inline; the Data Docs need their own (inline, and Vega compiles specs)
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "frame-ancestors 'self'; form-action 'self'")
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'self'")

router = APIRouter(include_in_schema=False)


def dataset_template(name: str) -> str | None:
    """`<dataset>/<file>`: a template a dataset's `ui` module brings, from its package's templates/."""
    from filegate import datasets

    dataset, _, file = name.partition("/")
    if not file or dataset not in datasets.names():
        return None
    path = datasets.package_folder(dataset) / "templates" / file
    return path.read_text(encoding="utf-8") if path.is_file() and "/" not in file else None


templates = Jinja2Templates(env=Environment(
    loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FunctionLoader(dataset_template)]), autoescape=True))


def base(request: Request) -> str:
    """The plugin's root path as the browser sees it (Airflow's base path included)."""
    return request.scope.get("root_path", "").rstrip("/")


def airflow_base(request: Request) -> str:
    root = base(request)
    return root[: -len(PREFIX)] if root.endswith(PREFIX) else ""


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    page = templates.TemplateResponse(request, template, {
        "base": base(request), "airflow": airflow_base(request), "quote": quote, "urlencode": urlencode, **context})
    page.headers["Content-Security-Policy"] = PAGE_POLICY
    page.headers["X-Content-Type-Options"] = "nosniff"
    return page


@router.get("/", response_class=HTMLResponse)
def index(request: Request, user: GetUserDep):
    return render(request, "index.html", summaries=[data.summary(ds, 14) for ds in access.readable(user)])


@router.get("/datasets/{dataset}", response_class=HTMLResponse)
def dataset(request: Request, ds: ReadableDataset,
            status_: Annotated[StatusFilter, Query(alias="status")] = "all",
            name: Annotated[str | None, Query(max_length=200)] = None,
            page: Annotated[int, Query(ge=1)] = 1,
            per_page: Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)] = data.PER_PAGE):
    found = data.files(ds, status_, name or None, page, per_page)

    def page_link(number: int) -> str:
        query = urlencode({"status": status_, "name": name or "", "page": number, "per_page": per_page})
        return f"{base(request)}/datasets/{quote(ds.name)}?{query}#files"

    return render(request, "dataset.html", ds=ds, summary=data.summary(ds, 30), found=found,
                  status=status_, name=name or "", statuses=list(data.STATUS_FILTERS),
                  reports=data.reports(ds)[:60], page_link=page_link)


@router.get("/datasets/{dataset}/files/{file_id}", response_class=HTMLResponse)
def file(request: Request, ds: ReadableDataset, file_id: int):
    found = data.file(ds, file_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no file {file_id} in dataset {ds.name}")
    return render(request, "file.html", ds=ds, f=found)


@router.get("/datasets/{dataset}/docs/{relative:path}")
def docs(request: Request, ds: ReadableDataset, relative: str = ""):
    """A file of the dataset's Data Docs site; its pages rewritten to load nothing from elsewhere."""
    path = data.docs_file(ds, relative or "index.html")
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no such Data Docs page of {ds.name}: {relative!r}")
    headers = {"Content-Security-Policy": DOCS_POLICY, "X-Content-Type-Options": "nosniff"}
    if path.suffix == ".html":
        site = f"{base(request)}/datasets/{quote(ds.name)}/docs"
        html = assets.rewrite(path.read_text(encoding="utf-8"), f"{base(request)}/static/vendor", site)
        return HTMLResponse(html, headers=headers)
    return FileResponse(path, media_type=mimetypes.guess_type(path.name)[0], headers=headers)


@router.get("/static/{relative:path}")
def static(user: GetUserDep, relative: str):
    """The pages' stylesheet and the Data Docs' vendored assets (behind the login like the rest)."""
    vendored = relative.startswith("vendor/")
    path = data.inside(assets.VENDOR, relative.removeprefix("vendor/")) if vendored else data.inside(STATIC, relative)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such asset")
    return FileResponse(path, media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"})


def report_url(request: Request, ds_name: str, report: str, day: date) -> str:
    return f"{base(request)}/api/datasets/{quote(ds_name)}/reports/{quote(report)}/{day.isoformat()}.csv"


def duration(seconds: float) -> str:
    """An age in words a person reads at a glance: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours < 1:
        return f"{minutes} min"
    if days < 1:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"


templates.env.globals["report_url"] = report_url
templates.env.filters["duration"] = duration

