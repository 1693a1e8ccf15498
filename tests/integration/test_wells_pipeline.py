"""wells through the real steps: canonical api numbers, a master re-delivered under its name
moving a well to another operator (derived table and reports follow), production months
overwritten by a later delivery, refusals naming file, line and value; the reports and the
streamed export against answers computed here independently from the records delivered."""
from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal

import psycopg

from filegate.datasets.wells.sample import sample_files, write_sample
from tests.support.helpers import drop
from tests.support.helpers import run_batch as run_any_batch

TODAY = datetime.now(timezone.utc).date()


def run_batch(run_id, conninfo, settings):
    return run_any_batch(run_id, conninfo, settings, dataset="wells")


def query(conninfo, sql, params=None):
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql, params).fetchall()


def deliver(folder, name, records, age, pretty=False):
    drop(folder, name, json.dumps(records, indent=2 if pretty else None), age)


def well(api, operator, name="W"):
    return {"api": api, "wellName": name, "operator": operator, "county": "WELD", "field": "WATTENBERG",
            "status": "PR", "wellType": "OIL", "spudDate": "2014-03-01", "latitude": 40.12, "longitude": -104.91}


def month(api, year, m, oil, gas=10.0, water=1.25, days=30):
    return {"api": api, "year": year, "month": m, "oil": oil, "gas": gas, "water": water, "days": days}


def statuses(conninfo):
    return {name: (status, reason) for name, status, reason in
            query(conninfo, "SELECT filename, status, reason FROM filegate.files ORDER BY file_id")}


def report(conninfo, settings, name, day=TODAY):
    from filegate.outputs.reports import write

    with open(write(conninfo, "wells", name, day, settings.reports), newline="") as f:
        return list(csv.DictReader(f))


def test_api_spellings_are_one_well_and_the_master_redelivered_moves_it(conninfo, settings):
    landing = settings.landing / "wells"
    deliver(landing, "wellData.json", [well("05-123-45678-00", "ALPHA"), well("05-123-00001", "ALPHA")], age=400)
    deliver(landing, "ProductionData1.json", [month("05123456780000", 2023, 1, 100), month("05-123-45678", 2023, 2, 50),
                                              month("0512300001", 2023, 1, 7)], age=300, pretty=True)
    run_batch("run1", conninfo, settings)
    assert query(conninfo, "SELECT api, operator FROM wells.wells ORDER BY 1") == [
        ("05123000010000", "ALPHA"), ("05123456780000", "ALPHA")]
    assert query(conninfo, "SELECT api, year, month, oil FROM wells.production ORDER BY 1, 2, 3") == [
        ("05123000010000", 2023, 1, Decimal("7")), ("05123456780000", 2023, 1, Decimal("100")),
        ("05123456780000", 2023, 2, Decimal("50"))]
    assert query(conninfo, "SELECT operator, wells, producing_wells, oil FROM wells.operators") == [
        ("ALPHA", 2, 2, Decimal("157"))]

    # the master again, same name, other bytes: the well 05-123-45678 was sold to BETA
    deliver(landing, "wellData.json", [well("05123456780000", "BETA"), well("05-123-00001-00", "ALPHA")], age=200)
    run_batch("run2", conninfo, settings)
    assert query(conninfo, "SELECT api, operator FROM wells.wells ORDER BY 1") == [
        ("05123000010000", "ALPHA"), ("05123456780000", "BETA")]
    assert query(conninfo, "SELECT operator, wells, producing_wells, first_month, last_month, oil FROM wells.operators"
                           " ORDER BY 1") == [
        ("ALPHA", 1, 1, date(2023, 1, 1), date(2023, 1, 1), Decimal("7")),
        ("BETA", 1, 1, date(2023, 1, 1), date(2023, 2, 1), Decimal("150"))]
    monthly = report(conninfo, settings, "operator_monthly")
    assert [(r["operator"], r["month"], r["wells_producing"], r["oil"]) for r in monthly] == [
        ("ALPHA", "2023-01", "1", "7"), ("BETA", "2023-01", "1", "100"), ("BETA", "2023-02", "1", "50")]
    assert report(conninfo, settings, "api_operator_index") == [
        {"api": "05123000010000", "operator": "ALPHA"}, {"api": "05123456780000", "operator": "BETA"}]

    # the same name and the same bytes once more: a duplicate, skipped (kept in quarantine)
    deliver(landing, "wellData.json", [well("05123456780000", "BETA"), well("05-123-00001-00", "ALPHA")], age=100)
    run_batch("run3", conninfo, settings)
    assert query(conninfo, "SELECT status FROM filegate.files WHERE filename = 'wellData.json' ORDER BY file_id") \
        == [("loaded",), ("loaded",), ("duplicate",)]
    assert query(conninfo, "SELECT api, operator FROM wells.wells ORDER BY 1") == [
        ("05123000010000", "ALPHA"), ("05123456780000", "BETA")]


def test_a_month_delivered_again_overwrites_and_the_later_delivery_wins(conninfo, settings):
    landing = settings.landing / "wells"
    deliver(landing, "wellData.json", [well("05-123-45678", "ALPHA")], age=500)
    deliver(landing, "ProductionData2.json", [month("05-123-45678", 2023, 1, 100), month("05-123-45678", 2023, 2, 20)],
            age=400)
    deliver(landing, "ProductionData1.json", [month("05-123-45678", 2023, 1, 110), month("05-123-45678", 2023, 1, 120)],
            age=300)   # arrived later, though numbered before: it wins; in it, the later line wins
    run_batch("run1", conninfo, settings)
    assert query(conninfo, "SELECT month, oil FROM wells.production ORDER BY 1") == [(1, Decimal("120")), (2, Decimal("20"))]
    deliver(landing, "ProductionData3.json", [month("05-123-45678-00", 2023, 2, 0, gas=0)], age=100)
    run_batch("run2", conninfo, settings)
    assert query(conninfo, "SELECT month, oil FROM wells.production ORDER BY 1") == [(1, Decimal("120")), (2, Decimal("0"))]
    assert query(conninfo, "SELECT months, producing_months, oil FROM wells.well_production") == [(2, 1, Decimal("120"))]
    assert query(conninfo, "SELECT wells, producing_wells, oil FROM wells.operators") == [(1, 1, Decimal("120"))]


def test_bad_files_are_refused_whole_naming_file_line_and_value(conninfo, settings):
    landing = settings.landing / "wells"
    deliver(landing, "wellData.json", [well("05-123-45678", "ALPHA")], age=500)
    good = [month("05-123-45678", 2023, m, 10) for m in (1, 2, 3)]
    deliver(landing, "ProductionData1.json", good, age=400)
    deliver(landing, "ProductionData2.json", [*good, month("05-999-99999", 2023, 4, 1)], age=400, pretty=True)
    deliver(landing, "ProductionData3.json", [*good, month("05-123-45678", 2023, 4, -1)], age=400)
    deliver(landing, "ProductionData4.json", [*good, month("05-123-45678", 2023, 13, 1)], age=400)
    deliver(landing, "ProductionData5.json", [*good, month("05-123-45678", 2023, 4, 1, days=32)], age=400)
    deliver(landing, "ProductionData6.json", [*good, month("05-123-4567", 2023, 4, 1)], age=400, pretty=True)
    deliver(landing, "ProductionData7.json", [*good, month(5123456780000, 2023, 4, 1)], age=400)
    deliver(landing, "notes.json", good[:2], age=400)   # not the bytes of ProductionData1: else a duplicate
    run_batch("run1", conninfo, settings)

    files = statuses(conninfo)
    assert files["ProductionData1.json"][0] == "loaded"
    refused = {name: reason for name, (status, reason) in files.items() if status == "rejected"}
    assert sorted(refused) == [f"ProductionData{n}.json" for n in range(2, 8)] + ["notes.json"]
    # pretty-printed: the fourth record starts on line 29 (1 + 3 records x 9 lines + 1)
    assert "production.api refers to an existing wells.api" in refused["ProductionData2.json"]
    assert "line 29: api '05999999990000'" in refused["ProductionData2.json"]
    assert "expect_column_values_to_be_between(oil)" in refused["ProductionData3.json"]
    assert "expect_column_values_to_be_between(month)" in refused["ProductionData4.json"]
    assert "expect_column_values_to_be_between(days)" in refused["ProductionData5.json"]
    assert "line 29" in refused["ProductionData6.json"] and "'05-123-4567' is not an API number" in refused["ProductionData6.json"]
    assert "'5123456780000' is not an API number" in refused["ProductionData7.json"]
    assert "not a wells file" in refused["notes.json"]
    assert query(conninfo, "SELECT count(*) FROM wells.production") == [(3,)]
    kept = sorted(p.name for p in settings.quarantine.rglob("*.json") if not p.name.endswith(".reason.json"))
    assert kept == sorted(refused)


def expected_from(files: dict) -> tuple[dict, dict]:
    """The sample's wells and months as the pipeline must store them, computed here from the
    loaded files in delivery order: {api: well}, {(api, year, month): record}."""
    def canonical(api):
        digits = api.replace("-", "")
        return digits + "0" * (14 - len(digits))

    wells, months = {}, {}
    for name, (kind, text) in files.items():
        if kind != "good":
            continue
        for record in json.loads(text):
            api = canonical(record["api"])
            if name.startswith("wellData"):
                wells[api] = record
            else:
                months[(api, record["year"], record["month"])] = record
    return wells, months


def test_the_sample_reports_and_export_equal_an_independent_build(conninfo, settings):
    files = sample_files()
    write_sample(settings.landing / "wells", created=datetime.now(timezone.utc).replace(year=2025))
    run_batch("run1", conninfo, settings)
    status = statuses(conninfo)
    assert {n for n, (s, _) in status.items() if s == "loaded"} == {n for n, (k, _) in files.items() if k == "good"}
    wells, months = expected_from(files)

    by_operator_month = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for (api, year, m), r in months.items():
        row = by_operator_month[(wells[api]["operator"], f"{year:04d}-{m:02d}")]
        row[0] += r["oil"] > 0 or r["gas"] > 0
        for i, volume in enumerate(("oil", "gas", "water"), start=1):
            row[i] += Decimal(str(r[volume]))
    monthly = report(conninfo, settings, "operator_monthly")
    assert [(r["operator"], r["month"], int(r["wells_producing"]), *map(Decimal, (r["oil"], r["gas"], r["water"])))
            for r in monthly] == [(*key, *value) for key, value in sorted(by_operator_month.items())]

    summary = report(conninfo, settings, "operator_summary")
    assert len(summary) == len({w["operator"] for w in wells.values()})
    assert query(conninfo, "SELECT operator, wells, producing_wells, to_char(first_month, 'YYYY-MM'),"
                           " to_char(last_month, 'YYYY-MM'), oil, gas, water FROM wells.operators ORDER BY 1") == [
        (r["operator"], int(r["wells"]), int(r["producing_wells"]), r["first_month"], r["last_month"],
         Decimal(r["oil"]), Decimal(r["gas"]), Decimal(r["water"])) for r in summary]   # today: the derived table

    # the export: valid NDJSON gzip, one line per operator, equal to a nested build from the records
    from filegate.outputs.reports import write

    path = write(conninfo, "wells", "operator_wells", TODAY, settings.reports)
    assert path == settings.reports / "wells" / "operator_wells" / f"{TODAY}.json.gz"
    with gzip.open(path, "rt") as f:
        lines = [json.loads(line, parse_float=Decimal) for line in f]
    nested: dict = {}
    for api, w in sorted(wells.items(), key=lambda kv: (kv[1]["operator"], kv[0])):
        fields = {k: (Decimal(str(v)) if isinstance(v, float) else v) for k, v in w.items() if k != "api"}
        nested.setdefault(w["operator"], {})[api] = {**fields, "productionData": [
            {k: (Decimal(str(v)) if isinstance(v, float) else v) for k, v in r.items() if k != "api"}
            for (a, y, m), r in sorted(months.items()) if a == api]}
    assert [line["operator"] for line in lines] == sorted(nested)
    assert {line["operator"]: line["wells"] for line in lines} == nested
    assert all(list(line["wells"]) == sorted(line["wells"]) for line in lines)   # ordered by api


def test_reports_for_an_earlier_day_take_only_the_months_before_it(conninfo, settings):
    landing = settings.landing / "wells"
    deliver(landing, "wellData.json", [well("05-123-45678", "ALPHA")], age=500)
    deliver(landing, "ProductionData1.json", [month("05-123-45678", 2023, m, 10) for m in (1, 2, 3)], age=400)
    run_batch("run1", conninfo, settings)
    day = date(2023, 2, 15)
    assert [r["month"] for r in report(conninfo, settings, "operator_monthly", day)] == ["2023-01", "2023-02"]
    assert report(conninfo, settings, "operator_summary", day)[0]["oil"] == "20"
    from filegate.outputs.reports import write

    with gzip.open(write(conninfo, "wells", "operator_wells", day, settings.reports), "rt") as f:
        (line,) = [json.loads(x) for x in f]
    assert [m["month"] for m in line["wells"]["05123456780000"]["productionData"]] == [1, 2]


def fill(conninfo, wells: int, months: int) -> None:
    """`wells` wells of ONE operator, each with `months` months, straight into the tables."""
    with psycopg.connect(conninfo) as conn:
        conn.execute("INSERT INTO wells.wells (api, well_name, operator, file_id, line, loaded_at)"
                     " SELECT lpad(w::text, 14, '0'), 'WELL ' || w, 'ONE BIG OPERATOR', 1, w, now()"
                     " FROM generate_series(1, %s) AS w", (wells,))
        conn.execute("INSERT INTO wells.production (api, year, month, oil, gas, water, days, file_id, line, loaded_at)"
                     " SELECT lpad(w::text, 14, '0'), 2000 + m / 12, m %% 12 + 1, m * 1.25, m * 2.5, 0.75, 30, 1, m,"
                     " now() FROM generate_series(1, %s) AS w, generate_series(0, %s - 1) AS m", (wells, months))


def test_the_export_streams_in_flat_memory_however_many_wells_one_operator_holds(conninfo, new_warehouse, settings):
    from tests.support.memory import peak_rss_mib

    def export_peak(target: str) -> float:
        return peak_rss_mib("from datetime import date\nfrom pathlib import Path\n"
                            "from filegate.outputs.exports import write_export\n"
                            f"write_export({target!r}, 'wells', 'operator_wells', date(2026, 1, 1), "
                            f"Path({str(settings.reports)!r}))\n")

    fill(conninfo, wells=1_000, months=100)      # 100,000 months
    small = export_peak(conninfo)
    larger = new_warehouse()
    fill(larger, wells=20_000, months=100)       # 2,000,000 months, 20x: one operator, one line of ~150 MB
    path = settings.reports / "wells" / "operator_wells" / "2026-01-01.json.gz"
    large = export_peak(larger)
    with gzip.open(path, "rb") as f:
        (line,) = f.readlines()
    assert len(line) > 100 * 10**6 and line.endswith(b"}}\n")
    assert large < small + 16, (small, large)


def test_a_master_listing_one_well_twice_in_two_spellings_is_refused(conninfo, settings):
    deliver(settings.landing / "wells", "wellData.json",
            [well("05-123-45678", "ALPHA"), well("05-123-00001", "ALPHA"), well("05123456780000", "BETA")], age=100,
            pretty=True)
    run_batch("run1", conninfo, settings)
    ((status, reason),) = statuses(conninfo).values()
    assert status == "rejected" and "expect_compound_columns_to_be_unique(_file_id,api)" in reason
    # issue 31: which well, at which lines (each record's first line; the key in its stored form)
    assert "(e.g. line 2: api '05123456780000', line 26: api '05123456780000')" in reason, reason
    assert query(conninfo, "SELECT count(*) FROM wells.wells") == [(0,)]


def test_issue25_an_operator_too_long_to_index_refuses_its_master_and_the_months_of_its_wells(conninfo, settings):
    """Issue 25, defect 1 in wells: an operator name over PostgreSQL's ~2.7 kB index limit passes
    the audit and fails the publish step that keeps wells.operators (keyed by operator). Its master
    alone is refused, at the line of that well; production of the wells only it delivered cannot
    load without them and is refused too; production of known wells loads."""
    import random

    landing = settings.landing / "wells"
    deliver(landing, "wellData.json", [well("05-123-00001", "ALPHA")], age=400)
    deliver(landing, "ProductionData1.json", [month("05-123-00001", 2023, 1, 10)], age=400)
    run_batch("run1", conninfo, settings)

    letters = random.Random(5)
    operator = "".join(letters.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3000))
    deliver(landing, "wellData.json", [well("05-123-00001", "ALPHA"), well("05-123-00002", operator)], age=200,
            pretty=True)
    deliver(landing, "ProductionData2.json", [month("05-123-00001", 2023, 2, 20)], age=200)
    deliver(landing, "ProductionData3.json", [month("05-123-00002", 2023, 2, 30)], age=200)
    run_batch("run2", conninfo, settings)

    files = statuses(conninfo)
    master = [r for name, r in query(conninfo, "SELECT filename, reason FROM filegate.files WHERE status = 'rejected'")
              if name == "wellData.json"]
    second_well_line = json.dumps([well("a", "b")] * 2, indent=2).splitlines().index("  {", 2) + 1
    assert len(master) == 1 and master[0].startswith(f"wellData.json, line {second_well_line}: PostgreSQL refused")
    assert "020_operators.sql" in master[0] and "a value too long to index" in master[0]
    assert files["ProductionData2.json"][0] == "loaded"
    assert files["ProductionData3.json"][0] == "rejected"
    assert files["ProductionData3.json"][1] == (
        "ProductionData3.json, line 1: production.api '05123000020000' refers to no wells.api: the file of this "
        "batch that delivered it was refused, so this one cannot load without it")
    assert any((settings.quarantine / "wells").rglob("wellData.json"))
    assert query(conninfo, "SELECT api, operator FROM wells.wells") == [("05123000010000", "ALPHA")]
    assert query(conninfo, "SELECT api, year, month FROM wells.production ORDER BY 2, 3") == [
        ("05123000010000", 2023, 1), ("05123000010000", 2023, 2)]
    assert query(conninfo, "SELECT operator, wells, oil FROM wells.operators") == [("ALPHA", 1, Decimal("30"))]
