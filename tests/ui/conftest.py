"""The filegate UI against real parts: a warehouse loaded by the real pipeline (the SMRT sample,
refusals included, with its Great Expectations Data Docs and a report), Airflow's own api-server
app (`airflow.api_fastapi.app.create_app`, the plugin mounted as the api-server mounts it) and its
simple auth manager with real users, passwords and JWTs.

Access per dataset comes from Airflow's multi-team mode: smrt's DAGs belong to the bundle of team
`metering`; `alice` is in that team, `bob` is not (he reads the other datasets, whose DAGs belong
to no team); `admin` reads everything.
"""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timezone

import pytest

from tests.support.helpers import drop, run_batch, smrt_text

END = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
DAY = date(2026, 1, 5)
PASSWORDS = {"admin": "admin-pw", "alice": "alice-pw", "bob": "bob-pw"}
JWT_SECRET = secrets.token_urlsafe(64)
HOSTILE = "<script>alert(document.domain)<b>&amp;.SMRT"   # a file name a sender chose


@pytest.fixture
def loaded(conninfo, settings, airflow_db):
    """The SMRT sample (good and bad files) and a file with a hostile name, run through the real
    pipeline, plus a day's reports; returns the settings."""
    from filegate.datasets.smrt.sample import write_sample
    from filegate.outputs import reports

    write_sample(settings.landing / "smrt", end=END)
    drop(settings.landing / "smrt", HOSTILE, smrt_text("01", [("0000000001", "20260105", "0100", "-5")]))
    run_batch("ui-run-1", conninfo, settings)
    for report in ("files", "summary"):
        reports.write_report(conninfo, "smrt", report, DAY, settings.reports)
    return settings


@pytest.fixture
def airflow_app(loaded, tmp_path, monkeypatch):
    """Airflow's api-server app in multi-team mode, with the users above."""
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps(PASSWORDS))
    # as an api-server's deployment sets it (Airflow generates one only into a fresh airflow.cfg);
    # one for the session: Airflow keeps its token signer and validator once made
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("AIRFLOW__CORE__MULTI_TEAM", "True")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin,alice:viewer:metering,bob:viewer:other")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", str(passwords))
    from airflow.api_fastapi.app import create_app

    with teams({"smrt_ingest": "metering", "smrt_reports": "metering"}):
        yield create_app()


class teams:
    """DAG rows in bundles owned by teams, as `airflow dag-processor` would sync them; put back after."""

    def __init__(self, owned: dict[str, str]):
        self.owned = owned

    def __enter__(self):
        from airflow.models.dag import DagModel
        from airflow.models.dagbundle import DagBundleModel
        from airflow.models.team import Team
        from airflow.utils.session import create_session

        with create_session() as session:
            self.before = {d.dag_id: d.bundle_name for d in session.query(DagModel).filter(
                DagModel.dag_id.in_(list(self.owned)))}
            for team_name in {*self.owned.values(), "other"}:
                team = session.query(Team).filter_by(name=team_name).one_or_none() or Team(name=team_name)
                session.add(team)
                bundle_name = f"ui-test-{team_name}"
                bundle = session.get(DagBundleModel, bundle_name) or DagBundleModel(name=bundle_name)
                if team not in bundle.teams:
                    bundle.teams.append(team)
                session.add(bundle)
            session.flush()
            for dag_id, team_name in self.owned.items():
                row = session.get(DagModel, dag_id) or DagModel(dag_id=dag_id)
                row.bundle_name = f"ui-test-{team_name}"
                session.add(row)
        return self

    def __exit__(self, *exc):
        from airflow.models.dag import DagModel
        from airflow.models.dagrun import DagRun
        from airflow.utils.session import create_session

        with create_session() as session:
            for dag_id in self.owned:
                row = session.get(DagModel, dag_id)
                if dag_id in self.before:
                    row.bundle_name = self.before[dag_id]
                elif session.query(DagRun).filter_by(dag_id=dag_id).count():
                    row.bundle_name = "dags-folder"   # a test ran it meanwhile: the DAG is real now
                else:
                    session.delete(row)


@pytest.fixture
def client(airflow_app):
    from fastapi.testclient import TestClient

    with TestClient(airflow_app) as c:
        yield c


@pytest.fixture
def login(client):
    """login("alice") -> a JWT from POST /auth/token, as any API client gets one."""
    def token(user: str) -> str:
        answer = client.post("/auth/token", json={"username": user, "password": PASSWORDS[user]})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["access_token"]
    return token


@pytest.fixture
def hostile() -> str:
    return HOSTILE


@pytest.fixture
def as_user(login):
    """as_user("alice") -> headers carrying alice's Bearer token."""
    return lambda user: {"Authorization": f"Bearer {login(user)}"}
