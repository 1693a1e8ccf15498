"""Issue 31: hostile values in the housing, wells and events readers, through the real steps against
the embedded PostgreSQL. Each was found by an outside probe: wrong data stored (rows doubled, a key
given twice resolved silently, NaN stored as text, digits lost), or a file that stopped the dataset.
Every one now loads exactly, or is refused alone naming its line, and the good files beside it load."""
from __future__ import annotations

import json
import os
from decimal import Decimal

import psycopg

from filegate.datasets.housing.sample import response
from tests.support.helpers import drop, run_batch


def query(conninfo, sql, params=None):
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql, params).fetchall()


def statuses(conninfo):
    return {name: (status, reason) for name, status, reason in
            query(conninfo, "SELECT filename, status, reason FROM filegate.files ORDER BY file_id")}


GOOD_LOG = ('10.0.0.1 - - [03/Mar/2024:12:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "curl"\n'
            '10.0.0.2 - - [03/Mar/2024:12:00:01 +0000] "GET /b HTTP/1.1" 404 0 "-" "curl"\n')


def sale(attom_id, day="2021-1-4", amount=5):
    return {"identifier": {"attomId": attom_id}, "sale": {"saleTransDate": day, "amount": {"saleamt": amount}}}


def well(api, operator="ALPHA"):
    return {"api": api, "wellName": "W", "operator": operator, "county": "WELD", "field": "WATTENBERG",
            "status": "PR", "wellType": "OIL", "spudDate": "2014-03-01", "latitude": 40.12, "longitude": -104.91}


# --- wrong data or data loss -----------------------------------------------------------------------

def test_issue31_two_identical_files_in_one_run_load_once(conninfo, settings):
    """The renamed-copy check compared only with files already loaded: two identical files arriving
    together both loaded, doubling their rows (events and housing)."""
    drop(settings.landing / "events", "copy/a.log", GOOD_LOG)
    drop(settings.landing / "events", "copy/b.log", GOOD_LOG)
    body = json.dumps(response([sale(1), sale(2)]))
    drop(settings.landing / "housing", "a.json", body)
    drop(settings.landing / "housing", "b.json", body)
    run_batch("run1", conninfo, settings, dataset="events")
    run_batch("run1", conninfo, settings, dataset="housing")

    files = statuses(conninfo)
    assert [files[n][0] for n in ("copy/a.log", "copy/b.log", "a.json", "b.json")] == \
        ["loaded", "duplicate", "loaded", "duplicate"]
    assert "same content" in files["copy/b.log"][1] and "copy/a.log, claimed as file_id" in files["copy/b.log"][1]
    assert query(conninfo, "SELECT count(*) FROM events.events") == [(2,)]
    assert query(conninfo, "SELECT count(*) FROM housing.sales") == [(2,)]
    assert sorted(p.name for p in (settings.quarantine / "events").rglob("b.log")) == ["b.log"]   # moved, kept


def test_issue31_a_key_given_twice_refuses_the_file_naming_its_line(conninfo, settings):
    events, wells, housing = (settings.landing / d for d in ("events", "wells", "housing"))
    drop(events, "twice.json", '{"ts": "2024-03-03T12:00:00Z", "event": "a"}\n'
                                  '{"ts": "2024-03-03T12:00:01Z", "event": "b", "ts": "2024-03-03T13:00:00Z"}\n')
    drop(events, "good.log", GOOD_LOG)
    drop(wells, "wellData.json", json.dumps([well("05-123-45678")]))
    drop(wells, "ProductionData1.json",
            '[\n{"api": "05-123-45678", "year": 2020, "month": 1, "oil": 3, "gas": 1, "water": 1, "days": 30},\n'
            '{"api": "05-123-45678", "year": 2020, "month": 2, "oil": -5, "gas": 1, "water": 1, "days": 30, "oil": 7}\n]')
    drop(housing, "attom_twice.json", json.dumps(response([sale(1)]), indent=1).replace(
        '"attomId": 1', '"attomId": 1, "attomId": 2'))
    property_twice = json.dumps(response([sale(3)]))[:-1] + ', "property": [' + json.dumps(sale(4)) + "]}"
    drop(housing, "property_twice.json", property_twice)
    drop(housing, "good.json", json.dumps(response([sale(5)])))
    for dataset in ("events", "wells", "housing"):
        run_batch("run1", conninfo, settings, dataset=dataset)

    files = statuses(conninfo)
    assert files["twice.json"] == ("rejected", "twice.json, line 2: the key 'ts' is given twice in one object")
    assert files["ProductionData1.json"] == ("rejected", "ProductionData1.json, line 3: the key 'oil' is given "
                                                         "twice in one object")
    status, reason = files["attom_twice.json"]
    assert status == "rejected" and "the key 'attomId' is given twice" in reason and ", line " in reason
    assert files["property_twice.json"][0] == "rejected" and "the key 'property' is given twice" in \
        files["property_twice.json"][1]
    assert {n for n, (s, _) in files.items() if s == "loaded"} == {"good.log", "wellData.json", "good.json"}
    assert query(conninfo, "SELECT attom_id FROM housing.sales") == [(5,)]
    assert query(conninfo, "SELECT count(*) FROM wells.production") == [(0,)]


def test_issue31_nan_infinity_and_1e400_are_refused_in_every_json_reader(conninfo, settings):
    """They were accepted and stored as text ('nan' as a postal code, 'inf' as an operator)."""
    wells, housing, events = (settings.landing / d for d in ("wells", "housing", "events"))
    drop(wells, "wellData_inf.json", json.dumps([well("05-123-45678"), well("05-123-45679")]).replace(
        '"operator": "ALPHA"', '"operator": Infinity', 1))
    nan = response([sale(1)])
    nan["property"][0]["address"] = {"postal1": float("nan")}
    drop(housing, "nan.json", json.dumps(nan))
    drop(housing, "big.json", json.dumps(response([sale(2)])).replace('"saleamt": 5', '"saleamt": 1e400'))
    drop(events, "inf.json", '{"ts": "2024-03-03T12:00:00Z", "event": "a", "n": -Infinity}\n')
    for dataset in ("wells", "housing", "events"):
        run_batch("run1", conninfo, settings, dataset=dataset)

    files = statuses(conninfo)
    assert files["wellData_inf.json"] == ("rejected", "wellData_inf.json, line 1: Infinity is not a JSON value "
                                                      "(JSON has no NaN or infinities)")
    assert files["nan.json"][0] == "rejected" and "NaN is not a JSON value" in files["nan.json"][1]
    assert files["big.json"][0] == "rejected" and "the number 1e400 is beyond what JSON numbers hold" in \
        files["big.json"][1]
    assert files["inf.json"] == ("rejected", "inf.json, line 1: -Infinity is not a JSON value (JSON has no NaN or "
                                             "infinities)")
    for table in ("wells.wells", "housing.sales", "events.events"):
        assert query(conninfo, f"SELECT count(*) FROM {table}") == [(0,)]


def test_issue31_exact_numbers_keep_every_digit_and_text_keeps_the_spelling(conninfo, settings):
    wells, housing, events = (settings.landing / d for d in ("wells", "housing", "events"))
    drop(wells, "wellData.json", json.dumps([well("05-123-45678")]))
    drop(wells, "ProductionData1.json",
            '[{"api": "05-123-45678", "year": 2020, "month": 1, "oil": 123456789012345678901234567890,'
            ' "gas": 1234.5678901234567891, "water": 1E2, "days": 30.0}]')
    amount = "12345678901234567890.123456"   # 26 significant digits
    drop(housing, "exact.json", json.dumps(response([sale(1)])).replace('"saleamt": 5', f'"saleamt": {amount}'))
    drop(events, "spelled.json", '{"ts": "2024-03-03T12:00:00Z", "event": "a", "n": 1E5, "m": 0.10,'
                                    ' "list": [1.50, 2]}\n')
    for dataset in ("wells", "housing", "events"):
        run_batch("run1", conninfo, settings, dataset=dataset)

    assert {s for s, _ in statuses(conninfo).values()} == {"loaded"}
    assert query(conninfo, "SELECT oil, gas, water, days FROM wells.production") == [
        (Decimal("123456789012345678901234567890"), Decimal("1234.5678901234567891"), Decimal("100"), 30)]
    assert query(conninfo, "SELECT sale_amount FROM housing.sales") == [(Decimal(amount),)]
    assert query(conninfo, "SELECT attributes -> 'n', attributes -> 'm', attributes -> 'list' FROM events.events") \
        == [("1E5", "0.10", "[1.50,2]")]


def test_issue31_api_numbers_take_ascii_digits_only(conninfo, settings):
    """`\\d` also matched full-width digits: ０５-１２３-２０００１ was stored as a key of its own."""
    drop(settings.landing / "wells", "wellData.json", json.dumps([well("05-123-20001"), well("０５-１２３-２０００１")]))
    run_batch("run1", conninfo, settings, dataset="wells")
    ((status, reason),) = statuses(conninfo).values()
    assert status == "rejected" and "line 1" in reason and "'０５-１２３-２０００１' is not an API number" in reason
    assert query(conninfo, "SELECT count(*) FROM wells.wells") == [(0,)]


def test_issue31_an_access_log_host_dash_is_absent_and_status_codes_are_http_ones(conninfo, settings):
    events = settings.landing / "events"
    drop(events, "dash.log", '- - - [03/Mar/2024:12:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "curl"\n')
    drop(events, "s999.log", GOOD_LOG + '10.0.0.3 - - [03/Mar/2024:12:00:02 +0000] "GET /c HTTP/1.1" 999 1 "-" "x"\n')
    drop(events, "s000.log", '10.0.0.3 - - [03/Mar/2024:12:00:02 +0000] "GET /c HTTP/1.1" 000 1 "-" "x"\n')
    run_batch("run1", conninfo, settings, dataset="events")

    files = statuses(conninfo)
    assert files["dash.log"][0] == "loaded"
    assert query(conninfo, "SELECT attributes ? 'remote_addr', attributes -> 'status' FROM events.events") == \
        [(False, "200")]
    assert files["s999.log"] == ("rejected", "s999.log, line 3: status 999 is not an HTTP status code (100 to 599)")
    assert files["s000.log"] == ("rejected", "s000.log, line 1: status 000 is not an HTTP status code (100 to 599)")


def test_issue31_upper_case_json_suffix_is_a_wells_file(conninfo, settings):
    """`ProductionData1.JSON` was never scanned (the pattern was `*.json`) and never reported."""
    drop(settings.landing / "wells", "wellData.json", json.dumps([well("05-123-45678")]))
    drop(settings.landing / "wells", "ProductionData1.JSON",
            '[{"api": "05-123-45678", "year": 2020, "month": 1, "oil": 1, "gas": 1, "water": 1, "days": 30}]')
    run_batch("run1", conninfo, settings, dataset="wells")
    assert statuses(conninfo)["ProductionData1.JSON"][0] == "loaded"
    assert query(conninfo, "SELECT count(*) FROM wells.production") == [(1,)]


# --- stuck or crashing -----------------------------------------------------------------------------

def test_issue31_a_file_name_that_is_not_utf8_is_refused_alone(conninfo, settings):
    """It killed the dataset's DAG (UnicodeEncodeError in wait_for_files) on every run."""
    from filegate.sensors import LandingSensor

    events = settings.landing / "events"
    drop(events, "good.log", GOOD_LOG)
    bad = os.fsdecode(bytes(events) + b"/caf\xe9.log")   # Latin-1 é: the OS hands it over as a lone surrogate
    drop(events, os.path.basename(bad), GOOD_LOG.replace("/a", "/z"))
    sensor = LandingSensor(task_id="wait", landing_dir=str(events), pattern="*.log", min_file_age=0,
                           poke_interval=1, timeout=5)
    seen = sensor.poke({}).xcom_value
    assert sorted(seen) == ["caf\\xe9.log", "good.log"]
    json.dumps(seen).encode()   # what XCom does with it: no UnicodeEncodeError

    from filegate.ingest import pipeline

    claimed = pipeline.claim("events", "run1", conninfo, settings, seen=seen)
    assert [f.filename for f in claimed] == ["good.log"]
    files = statuses(conninfo)
    assert files["caf\\xe9.log"][0] == "rejected" and "name is not valid UTF-8" in files["caf\\xe9.log"][1]
    assert not os.path.lexists(bad)
    assert [p.name for p in (settings.quarantine / "events").rglob("caf*.log")] == ["caf\\xe9.log"]
    run_batch("run2", conninfo, settings, dataset="events")
    assert statuses(conninfo)["good.log"][0] == "loaded"
