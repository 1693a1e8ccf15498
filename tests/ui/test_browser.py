"""The filegate page in a real browser: Debian's chromium, headless, driven by Playwright, against
`airflow api-server` started here on a free port. A user logs in through Airflow's login page,
opens filegate from Airflow's navigation, filters to refused files, opens one and reads its
reason, opens the Data Docs with every request off this server refused (an air-gapped server),
and downloads a report CSV. Screenshots go to tests/ui/output/ (the README shows two of them)."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from filegate.ops.processes import free_port, wait_http

OUTPUT = Path(__file__).resolve().parent / "output"
PASSWORD = "browser-pw"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:   # .ci/run installs it; on a laptop: apt-get install chromium
        pytest.fail("chromium is not installed (Debian: apt-get install chromium); .ci/run installs it")
    return found


@pytest.fixture
def api_server(loaded, tmp_path):
    """`airflow api-server` on a free port over the loaded warehouse, with user admin."""
    port = free_port()
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"admin": PASSWORD}))
    env = {**os.environ, "AIRFLOW__API__PORT": str(port), "AIRFLOW__API__HOST": "127.0.0.1",
           "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin", "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords)}
    log = (tmp_path / "api-server.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).with_name("airflow")), "api-server", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_http(f"{base}/api/v2/monitor/health", 120), (tmp_path / "api-server.log").read_text()[-3000:]
        yield base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_a_user_finds_a_refused_file_its_reason_the_data_docs_and_a_report(api_server, loaded, conninfo):
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    outside, problems = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)

        def only_this_server(route):   # no internet here: whatever goes elsewhere is recorded and refused
            if route.request.url.startswith(api_server):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_server)
        page = context.new_page()
        answer = page.goto(f"{api_server}/filegate/")
        assert answer.status == 401 and "Not authenticated" in page.content()
        page.on("console", lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))

        page.goto(api_server)
        page.get_by_label("username", exact=False).fill("admin")
        page.get_by_label("password", exact=False).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{api_server}/**")
        page.get_by_role("link", name="filegate").first.click()   # Airflow's navigation
        page.wait_for_url("**/plugin/filegate")
        frame = page.frame_locator("iframe")
        expect(frame.get_by_role("heading", name="Datasets")).to_be_visible()
        page.screenshot(path=OUTPUT / "airflow-navigation.png")

        # issue 25, defect 3: links into Airflow work from inside its iframe (its sandbox blocks target="_top")
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "sandboxed" in m.text or "Unsafe attempt" in m.text
                else None)
        frame.get_by_role("link", name="smrt_ingest", exact=True).click()
        expect(page).to_have_url(re.compile(r"/dags/smrt_ingest$"))
        expect(page.get_by_text("smrt_ingest").first).to_be_visible()
        page.goto(f"{api_server}/plugin/filegate")
        frame = page.frame_locator("iframe")
        frame.get_by_role("link", name="smrt", exact=True).click()
        expect(frame.get_by_role("heading", name="Files")).to_be_visible()
        frame.locator("table.files tbody tr").first.get_by_role("link", name="run").click()
        expect(page).to_have_url(re.compile(r"/dags/smrt_ingest/runs/ui-run-1$"))
        assert blocked == [], blocked

        page.goto(f"{api_server}/filegate/datasets/smrt")
        page.get_by_label("Status").select_option("refused")
        page.get_by_role("button", name="Filter").click()
        rows = page.locator("table.files tbody tr")
        expect(rows.first).to_be_visible()
        statuses = set(page.locator("table.files .badge").all_inner_texts())
        assert statuses and statuses <= {"rejected", "duplicate"}
        page.screenshot(path=OUTPUT / "refused-files.png", full_page=True)

        page.locator("table.files tbody tr").filter(has_text="PN000107").get_by_role("link").first.click()
        expect(page.locator(".reason-full")).to_contain_text("failed suite smrt_readings")
        expect(page.get_by_role("heading", name="Failing expectations: table readings")).to_be_visible()
        page.screenshot(path=OUTPUT / "refused-file.png", full_page=True)

        page.goto(f"{api_server}/filegate/datasets/smrt")
        with page.expect_download() as download:
            page.get_by_role("link", name="download CSV").first.click()
        saved = download.value
        day, report = saved.suggested_filename.removesuffix(".csv").split("_")[-1], None
        for name in ("summary", "files"):
            if saved.suggested_filename == f"smrt_{name}_{day}.csv":
                report = name
        assert report, saved.suggested_filename
        assert Path(saved.path()).read_bytes() == (loaded.reports / "smrt" / report / f"{day}.csv").read_bytes()

        page.get_by_role("link", name="quality docs (Great Expectations)").click()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof jQuery === 'function' && typeof jQuery.fn.bootstrapTable === 'function'")
        listed = page.locator("table tbody tr")
        expect(listed.first).to_be_visible()
        assert listed.count() > 1, "the validation list is filled by bootstrap-table"
        assert page.evaluate("getComputedStyle(document.querySelector('.navbar') || document.body).display") != ""
        assert page.evaluate("[...document.styleSheets].some(s => (s.href || '').includes('bootstrap.min.css'))")
        page.screenshot(path=OUTPUT / "data-docs.png")
        browser.close()
    assert outside == [], f"the pages called elsewhere: {outside}"
    assert [p for p in problems if "/filegate/" in p] == [], problems
