"""housing through the real steps: flattened sales upserted once per (attom_id, sale_date), the
later delivery winning; bad responses quarantined whole; the reports against answers computed
here independently, from the sample's own records."""
from __future__ import annotations

import csv
import json
import statistics
from datetime import date
from decimal import Decimal

import psycopg

from filegate.datasets.housing.sample import response, sample_files, write_sample
from tests.support.helpers import drop
from tests.support.helpers import run_batch as run_any_batch


def run_batch(run_id, conninfo, settings):
    return run_any_batch(run_id, conninfo, settings, dataset="housing")


def query(conninfo, sql):
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql).fetchall()


def deliver(folder, name, doc, age):
    drop(folder, name, json.dumps(doc), age)


def sale(attom_id, day, amount):
    return {"identifier": {"attomId": attom_id}, "sale": {"saleTransDate": day, "amount": {"saleamt": amount}}}


def test_a_sale_delivered_again_is_stored_once_and_the_later_delivery_wins(conninfo, settings):
    landing = settings.landing / "housing"
    deliver(landing, "b_first.json", response([sale(1, "2021-1-4", 100), sale(2, "2021-1-4", 200)]), age=300)
    deliver(landing, "a_second.json", response([sale(1, "2021-1-4", 150), sale(1, "2021-3-9", 900),
                                                sale(3, "2021-1-5", 300), sale(3, "2021-1-5", 350)]), age=200)
    run_batch("run1", conninfo, settings)
    # a later pull re-delivers sale 2 with a corrected amount, in another run
    deliver(landing, "c_third.json", response([sale(2, "2021-1-4", 250)]), age=100)
    run_batch("run2", conninfo, settings)

    assert query(conninfo, "SELECT attom_id, sale_date, sale_amount, f.filename, s.line FROM housing.sales s"
                           " JOIN filegate.files f USING (file_id) ORDER BY 1, 2") == [
        (1, date(2021, 1, 4), Decimal("150"), "a_second.json", 1),   # arrived after b_first, though named before
        (1, date(2021, 3, 9), Decimal("900"), "a_second.json", 1),   # the same property, another sale
        (2, date(2021, 1, 4), Decimal("250"), "c_third.json", 1),
        (3, date(2021, 1, 5), Decimal("350"), "a_second.json", 1),   # twice in one response: the later one
    ]


def test_bad_responses_are_refused_whole_and_an_empty_result_is_recorded(conninfo, settings):
    landing = settings.landing / "housing"
    deliver(landing, "good.json", response([sale(1, "2021-1-4", 100)]), age=100)
    deliver(landing, "empty.json", response([]), age=100)
    deliver(landing, "short.json", response([sale(2, "2021-1-4", 1)], total=3), age=100)
    deliver(landing, "nameless.json", response([sale(3, "2021-1-4", 1), {"sale": {"saleTransDate": "2021-1-5"}}]),
            age=100)
    deliver(landing, "dateless.json", response([{"identifier": {"attomId": 4}}]), age=100)
    run_batch("run1", conninfo, settings)

    files = {name: (status, reason) for name, status, reason in
             query(conninfo, "SELECT filename, status, reason FROM filegate.files")}
    assert files["good.json"][0] == files["empty.json"][0] == "loaded"
    assert files["short.json"][0] == files["nameless.json"][0] == files["dateless.json"][0] == "rejected"
    assert "status.total says 3 record(s)" in files["short.json"][1]
    assert "expect_column_values_to_not_be_null(attom_id)" in files["nameless.json"][1]
    assert "expect_column_values_to_not_be_null(sale_date)" in files["dateless.json"][1]
    assert query(conninfo, "SELECT attom_id FROM housing.sales") == [(1,)]
    assert query(conninfo, "SELECT rows_read, rows_loaded FROM filegate.files WHERE filename = 'empty.json'") \
        == [(0, 0)]


def test_the_reports_match_answers_computed_from_the_sample(conninfo, settings):
    from filegate.outputs.reports import write_report

    write_sample(settings.landing / "housing")
    run_batch("run1", conninfo, settings)
    today = date.today()
    out = {r: list(csv.DictReader(open(write_report(conninfo, "housing", r, today, settings.reports))))
           for r in ("sales_by_type", "sales_by_postal_month", "summary")}

    # independently: the sample's good responses in delivery order, the last delivery of a sale wins
    sales: dict[tuple, dict] = {}
    received = 0
    for _name, (kind, text) in sample_files().items():
        if kind != "bad":
            for rec in json.loads(text)["property"]:
                received += 1
                y, m, d = map(int, rec["sale"]["saleTransDate"].split("-"))
                sales[(rec["identifier"]["attomId"], date(y, m, d))] = rec
    by_type: dict = {}
    for rec in sales.values():
        amount = rec["sale"].get("amount", {}).get("saleamt")
        if amount is not None:
            by_type.setdefault(rec["summary"]["proptype"], []).append(rec)
    expected = []
    for kind in sorted(by_type, key=lambda k: (k is None, k or "")):
        recs = by_type[kind]
        expected.append({"property_type": kind or "", "sales": str(len(recs)),
                         "median_sale_amount": f"{statistics.median(r['sale']['amount']['saleamt'] for r in recs):.2f}",
                         "median_price_per_sqft": f"{statistics.median(r['sale']['calculation']['pricepersizeunit'] for r in recs):.2f}"})
    assert out["sales_by_type"] == expected

    months: dict = {}
    for (_, day), rec in sales.items():
        months.setdefault((rec["address"]["postal1"], f"{day:%Y-%m}"), []).append(rec)
    assert [(r["postal_code"], r["month"], int(r["sales"])) for r in out["sales_by_postal_month"]] == \
        [(postal, month, len(recs)) for (postal, month), recs in sorted(months.items())]

    files = sample_files()
    (summary,) = out["summary"]
    assert summary == {
        "files": str(len(files)), "files_loaded": str(sum(k != "bad" for k, _ in files.values())),
        "files_rejected": str(sum(k == "bad" for k, _ in files.values())), "records_received": str(received),
        "sales_stored": str(len(sales)), "duplicates_collapsed": str(received - len(sales)),
        "first_sale_date": str(min(d for _, d in sales)), "last_sale_date": str(max(d for _, d in sales))}
