"""A dataset defined only inside the test folder (tests/datasets/toy: one package with its reader,
migration and one SQL report) is discovered and runs end to end through dag.test(): "one place"."""
import csv
import json
from decimal import Decimal
from pathlib import Path

import psycopg

from tests.support.dagrun import run_dag
from tests.support.helpers import drop, schema_drift

TOY = Path(__file__).resolve().parents[1] / "datasets"

ITEMS = [   # as the API sends them: nested, unpadded dates, numbers as text, extra fields
    {"id": 1, "shop": {"name": "North", "city": "Oslo"}, "sold": {"on": "2021-1-4", "price": "3.50", "weight_kg": 1},
     "paid": "yes", "tags": {"colour": "red", "size": 2}, "raw": [1, "a"], "ignored": {"x": 1}},
    {"id": 2, "shop": {"name": "North"}, "sold": {"on": "2021-01-04", "price": 1.25}, "paid": True},
    {"id": 3, "shop": {"name": "South"}, "paid": "f", "tags": None},   # `sold` missing: its columns are null
]


def document(items, count=None, pretty=True) -> str:
    doc = {"meta": {"count": len(items) if count is None else count, "page": 1}, "items": items, "next": None}
    return json.dumps(doc, indent=2 if pretty else None)


def test_a_dataset_in_one_package_is_discovered_and_runs_end_to_end(conninfo, settings, airflow_db, monkeypatch):
    monkeypatch.setenv("FILEGATE_DATASETS_PATH", str(TOY))
    from filegate import datasets
    from filegate.warehouse import migrate

    assert "toy" in datasets.names()
    migrate.upgrade(conninfo)   # the core is there already; the toy's own branch comes from its package
    ours, drift = schema_drift(conninfo)
    assert "toy" in ours and drift == []   # its migration builds exactly what it declares

    landing = settings.landing / "toy"
    text = document(ITEMS)
    drop(landing, "sales_1.json", text)
    # an element starts on the line before its `"id"` (pretty-printed: `{` alone on its line)
    line = {i: text.splitlines().index(f'      "id": {i},') for i in (1, 2, 3)}
    drop(landing, "sales_2.json", document([{"id": 9, "shop": {"name": "East"}}], count=5, pretty=False))
    bad_date = document([{"id": 8, "shop": {"name": "East"}},
                         {"id": 7, "shop": {"name": "East"}, "sold": {"on": "2021-13-1"}}])
    drop(landing, "sales_3.json", bad_date)
    drop(landing, "sales_4.json", document([{"id": 6, "shop": {"name": "West"}, "sold": {"price": "-1"}}]))

    state, tasks = run_dag("toy_ingest")
    assert state == "success" and tasks["publish"] == "success"
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT id, shop, sold_on::text, price, weight_kg, paid, hstore_to_jsonb(tags), raw, line"
                            " FROM toy.items ORDER BY id").fetchall()
        files = dict(conn.execute("SELECT filename, coalesce(reason, status) FROM filegate.files").fetchall())
    assert rows == [
        (1, "North", "2021-01-04", Decimal("3.5"), 1.0, True, {"colour": "red", "size": "2"}, [1, "a"], line[1]),
        (2, "North", "2021-01-04", Decimal("1.25"), None, True, None, None, line[2]),
        (3, "South", None, None, None, False, None, None, line[3]),
    ]
    assert files["sales_1.json"] == "loaded"
    assert files["sales_2.json"] == "sales_2.json, whole file: meta.count says 5 records, the document holds 1"
    bad_line = bad_date.splitlines().index('      "id": 7,')
    assert files["sales_3.json"] == f"sales_3.json, line {bad_line}: column sold.on: '2021-13-1' is not a date (YYYY-M-D)"
    assert "expect_column_values_to_be_between(price)" in files["sales_4.json"]

    state, _ = run_dag("toy_reports", run_conf={"date": "2021-01-04"})
    assert state == "success"
    with open(settings.reports / "toy" / "sales" / "2021-01-04.csv", newline="") as f:
        assert list(csv.DictReader(f)) == [{"shop": "North", "items": "2", "revenue": "4.75", "all_paid": "t"}]
