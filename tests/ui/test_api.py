"""The filegate UI's routes through Airflow's own api-server app: Airflow's login on every one,
per-dataset access, server-side pagination and filters, escaping, no path from a request."""
from __future__ import annotations

import html
import re

import psycopg

from tests.support.helpers import drop, smrt_text

API = "/filegate/api"
SMRT_ROUTES = ["/filegate/datasets/smrt", "/filegate/datasets/smrt/questions", "/filegate/datasets/smrt/docs/index.html",
               f"{API}/datasets/smrt", f"{API}/datasets/smrt/files", f"{API}/datasets/smrt/reports",
               f"{API}/datasets/smrt/reports/summary/2026-01-05.csv", f"{API}/datasets/smrt/questions",
               f"{API}/datasets/smrt/meters/1/readings"]
EVERY_ROUTE = ["/filegate/", f"{API}/datasets", f"{API}/openapi.json", "/filegate/static/filegate.css",
               "/filegate/static/vendor/jquery@3.7.1/dist/jquery.min.js", *SMRT_ROUTES]


def smrt_files(conninfo, where="TRUE", params=()) -> list[tuple]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(f"SELECT file_id, filename, status FROM filegate.files WHERE dataset = 'smrt' AND {where}"
                            " ORDER BY file_id DESC", params).fetchall()


def test_every_route_refuses_a_request_without_login(client):
    for url in EVERY_ROUTE:
        assert client.get(url).status_code == 401, url
        assert client.get(url, headers={"Authorization": "Bearer not-a-jwt"}).status_code in (401, 403), url


def test_a_user_reads_only_the_datasets_whose_dags_he_may_read(client, as_user):
    answers = {user: client.get(f"{API}/datasets", headers=as_user(user)) for user in ("admin", "alice", "bob")}
    assert all(a.status_code == 200 for a in answers.values()), {u: a.text for u, a in answers.items()}
    names = {user: {d["name"] for d in answer.json()} for user, answer in answers.items()}
    assert "smrt" in names["admin"] and "smrt" in names["alice"] and "raw_data" in names["bob"]
    assert "smrt" not in names["bob"]
    bob = as_user("bob")
    for url in SMRT_ROUTES:
        assert client.get(url, headers=bob).status_code == 403, url
    assert client.get(f"{API}/datasets/raw_data/files", headers=bob).status_code == 200
    assert "/datasets/smrt" not in client.get("/filegate/", headers=bob).text
    alice = as_user("alice")
    for url in SMRT_ROUTES:
        assert client.get(url, headers=alice).status_code == 200, url


def test_the_ui_cookie_is_a_login_too(client, login):
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    client.cookies.set(COOKIE_NAME_JWT_TOKEN, login("alice"))
    try:
        assert client.get("/filegate/datasets/smrt").status_code == 200
    finally:
        client.cookies.clear()


def test_the_registry_pages_through_every_file_newest_first(client, as_user, conninfo):
    headers = as_user("admin")
    expected = smrt_files(conninfo)
    assert len(expected) > 5
    seen, page = [], 1
    while True:
        body = client.get(f"{API}/datasets/smrt/files", params={"per_page": 3, "page": page}, headers=headers).json()
        assert body["total"] == len(expected) and body["pages"] == -(-len(expected) // 3)
        assert len(body["files"]) <= 3
        seen += [(f["file_id"], f["filename"], f["status"]) for f in body["files"]]
        if page == body["pages"]:
            break
        page += 1
    assert seen == expected
    too_far = client.get(f"{API}/datasets/smrt/files", params={"per_page": 3, "page": page + 1}, headers=headers)
    assert too_far.json()["files"] == []
    assert client.get(f"{API}/datasets/smrt/files", params={"per_page": 100_000}, headers=headers).status_code == 422


def test_filters_by_status_and_by_name_taken_literally(client, as_user, conninfo):
    headers = as_user("admin")

    def names(**params):
        body = client.get(f"{API}/datasets/smrt/files", params={"per_page": 500, **params}, headers=headers).json()
        return [f["filename"] for f in body["files"]]

    refused = [r[1] for r in smrt_files(conninfo, "status IN ('rejected', 'duplicate')")]
    assert refused and names(status="refused") == refused
    assert names(status="loaded") == [r[1] for r in smrt_files(conninfo, "status = 'loaded'")]
    part = refused[0][2:7]
    assert names(name=part.upper()) == [r[1] for r in smrt_files(conninfo, "filename ILIKE %s", (f"%{part}%",))]
    assert names(name="%") == [] and names(name="_") == []   # wildcards are characters, not patterns
    assert client.get(f"{API}/datasets/smrt/files", params={"status": "gone"}, headers=headers).status_code == 422


def test_a_refused_file_shows_its_reason_and_failing_expectations(client, as_user, conninfo):
    headers = as_user("admin")
    failed = smrt_files(conninfo, "details ? 'failures'")
    assert failed, "the sample has a file failing the suite"
    file_id, filename, _ = failed[0]
    body = client.get(f"{API}/datasets/smrt/files/{file_id}", headers=headers).json()
    assert body["filename"] == filename and "failed suite smrt_readings" in body["reason"]
    (failure,) = body["details"]["failures"]
    assert failure["table"] == "readings" and failure["expectations"] and failure["sample_rows"]
    assert body["stored_path"] and "quarantine" in body["stored_path"]
    page = client.get(f"/filegate/datasets/smrt/files/{file_id}", headers=headers)
    assert page.status_code == 200
    assert "Failing expectations: table readings" in page.text
    for expectation in failure["expectations"]:
        assert expectation["expectation"] in page.text
    for row in failure["sample_rows"]:
        assert f"<td>{row['_line']}</td>" in page.text
    if body["docs_page"]:
        assert client.get(f"/filegate/datasets/smrt/docs/{body['docs_page']}", headers=headers).status_code == 200
    # a file id of another dataset, or of none, is not found under smrt
    assert client.get(f"{API}/datasets/smrt/files/999999", headers=headers).status_code == 404


def test_names_and_reasons_are_shown_as_text(client, as_user, conninfo, hostile):
    headers = as_user("admin")
    (file_id, *_), = smrt_files(conninfo, "filename = %s", (hostile,))
    for url in ("/filegate/datasets/smrt", f"/filegate/datasets/smrt/files/{file_id}",
                "/filegate/datasets/smrt?name=%3Cscript%3E"):
        page = client.get(url, headers=headers)
        assert page.status_code == 200
        assert html.escape(hostile, quote=False) in page.text, url
        assert "<script>" not in page.text and "<b>" not in page.text, url
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy   # no inline script runs
    assert client.get(f"{API}/datasets/smrt/files/{file_id}", headers=headers).json()["filename"] == hostile


def test_no_path_comes_from_the_request(client, as_user, loaded):
    headers = as_user("admin")
    secret = loaded.data_root / "landing" / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("not for the UI")
    for url in ("/filegate/datasets/smrt/docs/../../../landing/secret.txt",
                "/filegate/datasets/smrt/docs/..%2F..%2F..%2Flanding%2Fsecret.txt",
                "/filegate/datasets/smrt/docs/%2Fetc%2Fpasswd",
                "/filegate/static/vendor/..%2F..%2Fpages.py", "/filegate/static/..%2Fpages.py",
                f"{API}/datasets/smrt/reports/..%2F..%2Flanding%2Fsecret/2026-01-05.csv",
                f"{API}/datasets/smrt/reports/summary/..%2F..%2Fsecret.csv",
                f"{API}/datasets/..%2Flanding/files"):
        answer = client.get(url, headers=headers)
        assert answer.status_code in (404, 422), (url, answer.status_code)
        assert "not for the UI" not in answer.text and "def static" not in answer.text


def test_a_report_csv_downloads_as_written(client, as_user, loaded):
    headers = as_user("admin")
    listed = client.get(f"{API}/datasets/smrt/reports", headers=headers).json()
    assert {(r["report"], r["day"]) for r in listed} == {("files", "2026-01-05"), ("summary", "2026-01-05")}
    answer = client.get(f"{API}/datasets/smrt/reports/summary/2026-01-05.csv", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content == (loaded.reports / "smrt" / "summary" / "2026-01-05.csv").read_bytes()
    assert "attachment" in answer.headers["content-disposition"]
    assert client.get(f"{API}/datasets/smrt/reports/summary/2026-01-04.csv", headers=headers).status_code == 404
    assert client.get(f"{API}/datasets/smrt/reports/nope/2026-01-05.csv", headers=headers).status_code == 404


def test_data_docs_load_every_asset_from_the_plugin(client, as_user, loaded):
    headers = as_user("admin")
    site = loaded.quality / "smrt" / "data_docs"
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    assert "index.html" in pages and len(pages) > 1
    for relative in ("index.html", pages[-1]):
        answer = client.get(f"/filegate/datasets/smrt/docs/{relative}", headers=headers)
        assert answer.status_code == 200 and "default-src 'self'" in answer.headers["content-security-policy"]
        loads = re.findall(r"<(?:script|link|img)\b[^>]*?\s(?:src|href)=\"([^\"]+)\"", answer.text)
        assert loads and not [u for u in loads if re.match(r"(https?:)?//", u)], relative
        assert not re.search(r"url\(['\"]?https?:", answer.text)
        vendored = {u for u in loads if u.startswith("/filegate/static/vendor/")}
        assert len(vendored) >= 10
        for url in vendored:
            assert client.get(url, headers=headers).status_code == 200, url


def test_smrt_questions(client, as_user, conninfo):
    from filegate.datasets.smrt import queries

    headers = as_user("alice")
    answers = client.get(f"{API}/datasets/smrt/questions", headers=headers).json()
    assert answers["meters"] == queries.meter_count(conninfo) > 0
    assert answers["files_received"] == queries.files_received(conninfo)
    assert answers["last_file_received"]["filename"] == queries.last_file_received(conninfo)["filename"]
    meter = _a_meter(conninfo)
    everything = queries.readings_for_meter(conninfo, meter)
    pages, page = [], 1
    while True:
        body = client.get(f"{API}/datasets/smrt/meters/{meter}/readings", params={"page": page, "per_page": 7},
                          headers=headers).json()
        assert body["total"] == len(everything)
        pages += body["readings"]
        if page >= body["pages"]:
            break
        page += 1
    assert [r["reading_start_utc"] for r in pages] == [r["reading_start_utc"].isoformat().replace("+00:00", "Z")
                                                         for r in everything]
    bad = client.get(f"{API}/datasets/smrt/meters/not-a-meter/readings", headers=headers)
    assert bad.status_code == 422 and "not a meter number" in bad.text
    html_page = client.get("/filegate/datasets/smrt/questions", params={"meter": meter}, headers=headers)
    assert html_page.status_code == 200 and "All readings of a meter" in html_page.text


def _a_meter(conninfo) -> str:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT meter_number FROM smrt.readings GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def test_the_api_is_documented_by_its_openapi_schema(client, as_user):
    schema = client.get(f"{API}/openapi.json", headers=as_user("bob")).json()
    paths = set(schema["paths"])
    assert {"/api/datasets/{dataset}/files", "/api/datasets/{dataset}/files/{file_id}",
            "/api/datasets/smrt/meters/{meter}/readings"} <= paths
    assert not any(p.startswith("/datasets") or p.startswith("/static") for p in paths)


def test_issue25_stuck_claims_show_with_their_age_and_the_run_that_failed(client, as_user, conninfo, loaded):
    """Issue 25, defect 2: 3,000 files stayed `claimed` after their run failed, and the page showed
    "3,000 claimed" with no reason while the overview looked healthy."""
    from datetime import datetime, timezone

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType

    from filegate.ingest import pipeline

    for n in (1, 2, 3):
        drop(loaded.landing / "smrt", f"PN00090{n}.SMRT", smrt_text(f"PN00090{n}", [("1234567890", "20260105", "0100", "1")]))
    failed = f"manual__issue25-{datetime.now(timezone.utc):%H%M%S%f}"
    with create_session() as session:
        session.add(DagRun(dag_id="smrt_ingest", run_id=failed, run_type=DagRunType.MANUAL, state=DagRunState.FAILED,
                           run_after=datetime.now(timezone.utc)))
    assert len(pipeline.claim("smrt", failed, conninfo, loaded)) == 3
    with psycopg.connect(conninfo) as conn:   # claimed two hours ago
        conn.execute("UPDATE filegate.files SET handled_at = now() - interval '2 hours 5 minutes' WHERE run_id = %s",
                     (failed,))
    try:
        summary = client.get(f"{API}/datasets/smrt", headers=as_user("admin")).json()
        [claims] = summary["claims"]
        assert claims["run_id"] == failed and claims["run_state"] == "failed" and claims["files"] == 3
        assert claims["stuck"] and 2 * 3600 < claims["age_s"] < 3 * 3600

        for page in ("/filegate/", "/filegate/datasets/smrt"):
            text = client.get(page, headers=as_user("admin")).text
            assert "stuck" in text and "2 h 5 min" in text and html.escape(failed) in text, page
            assert f'/dags/smrt_ingest/runs/{failed.replace(":", "%3A")}' in text
        # a run still going is not stuck
        with create_session() as session:
            session.query(DagRun).filter_by(dag_id="smrt_ingest", run_id=failed).update({"state": DagRunState.RUNNING})
        with psycopg.connect(conninfo) as conn:
            conn.execute("UPDATE filegate.files SET handled_at = now() WHERE run_id = %s", (failed,))
        [claims] = client.get(f"{API}/datasets/smrt", headers=as_user("admin")).json()["claims"]
        assert claims["run_state"] == "running" and not claims["stuck"]
        assert "stuck" not in client.get("/filegate/", headers=as_user("admin")).text
    finally:
        with create_session() as session:
            session.query(DagRun).filter_by(dag_id="smrt_ingest", run_id=failed).delete()


def test_issue25_a_make_run_files_run_link_leads_to_its_task_logs(client, as_user, conninfo, loaded):
    """Issue 25, defect 4: `airflow dags test` (what `make run` runs) wrote its task logs only to
    state/logs/filegate/<dag>.log, so Airflow's UI showed the file's run with empty convert and
    audit logs."""
    import subprocess
    import sys
    from pathlib import Path

    drop(loaded.landing / "smrt", "PN000950.SMRT", smrt_text("PN000950", [("1234567890", "20260106", "0100", "2")]))
    airflow = str(Path(sys.executable).with_name("airflow"))
    done = subprocess.run([airflow, "dags", "test", "smrt_ingest"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    headers = as_user("admin")
    [f] = [f for f in client.get(f"{API}/datasets/smrt/files?name=PN000950", headers=headers).json()["files"]]
    assert f["status"] == "loaded"
    page = client.get(f"/filegate/datasets/smrt/files/{f['file_id']}", headers=headers).text
    run_link = f'/dags/smrt_ingest/runs/{f["run_id"].replace(":", "%3A").replace("+", "%2B")}'
    assert run_link in page

    for task, expected in (("convert", "PN000950.SMRT (file_id"), ("audit", "pass the audit"),
                           ("publish", "published 1 file(s)")):
        query = "?map_index=0" if task == "convert" else ""
        answer = client.get(f"/api/v2/dags/smrt_ingest/dagRuns/{f['run_id']}/taskInstances/{task}/logs/1{query}",
                            headers={**headers, "Accept": "application/json"})
        assert answer.status_code == 200, answer.text
        events = [e.get("event", "") for e in answer.json()["content"]]
        assert any(expected in e for e in events), (task, events[-10:])
