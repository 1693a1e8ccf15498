"""The filegate UI as one FastAPI app, mounted by the plugin at `/filegate` in Airflow's api-server:
HTML pages, the JSON API under `/api`, and each dataset's own questions (its `ui` module's `api`
and `pages` routers). Every route depends on Airflow's login (`filegate.ui.access`); so does the
OpenAPI schema, and the interactive docs are off (they would load Swagger from a CDN)."""
from __future__ import annotations

import importlib

from airflow.api_fastapi.core_api.security import requires_authenticated
from fastapi import Depends, FastAPI

from filegate import datasets
from filegate.ui import access, api, pages


def create_app() -> FastAPI:
    app = FastAPI(title="filegate", summary="Files, refusals, reports and quality docs of every filegate dataset",
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(api.router)
    for ds in sorted(datasets.discovered(), key=lambda d: d.name):
        if ds.ui:
            own = importlib.import_module(ds.ui)
            check = [Depends(access.reader_of(ds))]
            app.include_router(own.api, prefix=f"/api/datasets/{ds.name}", dependencies=check, tags=[ds.name])
            app.include_router(own.pages, prefix=f"/datasets/{ds.name}", dependencies=check, include_in_schema=False)
    app.include_router(pages.router)

    @app.get("/api/openapi.json", include_in_schema=False, dependencies=[Depends(requires_authenticated())])
    def openapi():
        return app.openapi()

    return app
