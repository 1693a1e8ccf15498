"""Who may see what: Airflow decides. A plugin's FastAPI app is served by the api-server WITHOUT
Airflow's authentication, so every route of the filegate UI depends on these.

- Authentication is Airflow's own (`airflow.api_fastapi.core_api.security.get_user`): the UI's JWT
  cookie, or a Bearer token from `POST /auth/token`. Without one: 401.
- A dataset is visible to a user who may read (GET) all of its DAGs, as the configured auth manager
  answers for those DAGs (per-DAG roles, teams, ...). Otherwise: 403, and it is left out of lists.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import Depends, HTTPException, Path, status

from filegate import datasets
from filegate.kit.declaration import Dataset

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.models.base_user import BaseUser


def may_read(user: BaseUser, dataset: Dataset) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails
    from airflow.configuration import conf

    def team_of(dag_id: str) -> str | None:   # only multi-team deployments scope DAGs to teams
        if not conf.getboolean("core", "multi_team", fallback=False):
            return None
        from airflow.models.dag import DagModel

        return DagModel.get_team_name(dag_id)

    manager = get_auth_manager()
    return all(manager.is_authorized_dag(method="GET", details=DagDetails(id=dag_id, team_name=team_of(dag_id)),
                                         user=user)
               for dag_id in (dataset.ingest_dag_id, dataset.reports_dag_id))


def readable(user: BaseUser) -> list[Dataset]:
    """The datasets `user` may see, by name."""
    return [ds for ds in sorted(datasets.discovered(), key=lambda d: d.name) if may_read(user, ds)]


def dataset_reader(user: GetUserDep, dataset: Annotated[str, Path(description="a dataset's name")]) -> Dataset:
    """The dataset named in the path, if it exists and the user may read it (401/404/403 otherwise)."""
    try:
        found = datasets.get(dataset)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no dataset {dataset!r}") from None
    return require_read(user, found)


ReadableDataset = Annotated[Dataset, Depends(dataset_reader)]


def reader_of(dataset: Dataset) -> Any:
    """A dependency for routes of one dataset (its own `ui` module): 401 or 403 as above."""
    def check(user: GetUserDep) -> Dataset:
        return require_read(user, dataset)
    return check


def require_read(user: BaseUser, dataset: Dataset) -> Dataset:
    if not may_read(user, dataset):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"no read access to the DAGs of dataset {dataset.name!r}")
    return dataset
