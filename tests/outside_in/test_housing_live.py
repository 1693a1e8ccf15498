"""housing under `make up`'s real scheduler (issue 10): the continuous ingest picks up a response
dropped while it runs, and the publish's Asset runs housing_reports for today, without waiting
for a day."""
from __future__ import annotations

import csv
import json
import time
from datetime import datetime, timezone

from filegate.datasets.housing.sample import response
from tests.support.helpers import once_dags_are_parsed, warehouse


def test_a_dropped_response_reaches_todays_reports_within_minutes(stack):
    env, _, tmp = stack
    done = once_dags_are_parsed("airflow dags unpause housing_ingest && airflow dags unpause housing_reports", env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    landing = tmp / "data" / "landing" / "housing"
    landing.mkdir(parents=True, exist_ok=True)
    import psycopg

    with psycopg.connect(warehouse(env)) as conn:   # the stack may hold other tests' sales
        expected = str(conn.execute("SELECT count(*) FROM housing.sales").fetchone()[0] + 1)
    sale = {"identifier": {"attomId": 42}, "sale": {"saleTransDate": "2021-1-4", "amount": {"saleamt": 300000}},
            "summary": {"proptype": "SFR"}}
    (landing / "live.json.part").write_text(json.dumps(response([sale])))
    (landing / "live.json.part").rename(landing / "live.json")
    dropped = time.time()

    today = datetime.now(timezone.utc).date()
    summary = tmp / "data" / "reports" / "housing" / "summary" / f"{today}.csv"
    stored = None
    while time.time() - dropped < 300:
        if summary.exists():
            (row,) = list(csv.DictReader(open(summary)))
            stored = row["sales_stored"]
            if stored == expected:
                break
        time.sleep(3)
    assert stored == expected, f"no report with the sale {time.time() - dropped:.0f} s after the drop; logs: {tmp / 'state' / 'logs'}"
    assert (tmp / "data" / "archive" / "housing").exists() and not (landing / "live.json").exists()
    print(f"dropped -> in today's reports: {time.time() - dropped:.0f} s")
