"""wells reader: the name says master or production; records typed, api canonical, lines exact
whether the array is one line or pretty-printed; refusals name the line; memory flat in file size."""
from __future__ import annotations

import json

import pytest

from filegate.datasets.wells.reader import kind_of, read_wells
from filegate.kit.errors import Reject
from tests.support.memory import peak_rss_mib

WELL = {"api": "05-123-45678", "wellName": "STATE 12-3", "operator": "NOBLE ENERGY INC", "county": "WELD",
        "field": "WATTENBERG", "status": "PR", "wellType": "OIL", "spudDate": "2014-3-1", "latitude": 40.12,
        "longitude": -104.91}


def month(api="05-123-45678-00", m=7, oil=1234.5):
    return {"api": api, "year": 2019, "month": m, "oil": oil, "gas": 4567.0, "water": 789.25, "days": 31}


def write(tmp_path, name, records, indent=None):
    path = tmp_path / name
    path.write_text(json.dumps(records, indent=indent))
    return path


def rows(path):
    parsed = read_wells(path)
    return parsed.header, [(table, r) for table, chunk in parsed.chunks for r in chunk]


@pytest.mark.parametrize("name, kind", [("wellData.json", "master"), ("wellData_2024-02.json", "master"),
                                        ("ProductionData7.json", "production"), ("productiondata12.json", "production"),
                                        ("ProductionData.json", "production")])
def test_the_name_says_what_the_file_holds(tmp_path, name, kind):
    assert kind_of(tmp_path / name) == kind


@pytest.mark.parametrize("name", ["notes.json", "ProductionData7.csv", "ProductionDataX.json", "wellData.txt"])
def test_any_other_name_is_refused(tmp_path, name):
    with pytest.raises(Reject, match="not a wells file"):
        kind_of(tmp_path / name)


def test_a_master_is_typed_with_its_api_canonical(tmp_path):
    header, out = rows(write(tmp_path, "wellData.json", [WELL]))
    assert header == {"kind": "master", "format": "json-array"}
    assert out == [("wells", {"api": "05123456780000", "well_name": "STATE 12-3", "operator": "NOBLE ENERGY INC",
                              "county": "WELD", "field": "WATTENBERG", "status": "PR", "well_type": "OIL",
                              "spud_date": "2014-03-01", "latitude": 40.12, "longitude": -104.91, "_line": 1})]


@pytest.mark.parametrize("indent, lines", [(None, [1, 1, 1]), (2, [2, 11, 20])])
def test_production_lines_are_where_each_record_starts(tmp_path, indent, lines):
    path = write(tmp_path, "ProductionData1.json", [month(m=1), month(m=2, oil=0), month(m=3, oil=10)], indent)
    _, out = rows(path)
    assert [r["_line"] for _, r in out] == lines
    assert [(r["api"], r["month"], r["oil"], r["water"]) for _, r in out] == [
        ("05123456780000", 1, "1234.5", "789.25"), ("05123456780000", 2, "0", "789.25"),
        ("05123456780000", 3, "10", "789.25")]


def test_a_bad_api_refuses_the_file_naming_its_line(tmp_path):
    path = write(tmp_path, "ProductionData1.json", [month(), month(api="05-123-4567")], indent=2)
    with pytest.raises(Reject) as refused:
        rows(path)
    assert refused.value.line == 11 and "'05-123-4567' is not an API number" in str(refused.value)


def test_a_field_not_declared_refuses_the_file(tmp_path):
    path = write(tmp_path, "ProductionData1.json", [month(), {**month(m=8), "choke": 12}])
    with pytest.raises(Reject, match="choke"):
        rows(path)


def test_a_file_that_is_not_an_array_of_records_is_refused(tmp_path):
    (tmp_path / "ProductionData1.json").write_text("api,year\n05-123-45678,2019\n")
    with pytest.raises(Reject, match="must hold JSON"):
        rows(tmp_path / "ProductionData1.json")


def peak_reading(path) -> float:
    return peak_rss_mib("from pathlib import Path\nfrom filegate.datasets.wells.reader import read_wells\n"
                        f"for _ in read_wells(Path({str(path)!r})).chunks: pass\n")


def single_line_array(path, records: int) -> int:
    """A production array on ONE line, written a piece at a time; returns its size in bytes."""
    piece = ", ".join(json.dumps(month(m=m % 12 + 1)) for m in range(1000))
    with open(path, "w") as f:
        f.write("[")
        for i in range(records // 1000):
            f.write((", " if i else "") + piece)
        f.write("]")
    return path.stat().st_size


def test_a_200_mb_single_line_array_is_read_in_flat_memory(tmp_path):
    small, large = tmp_path / "ProductionData1.json", tmp_path / "ProductionData2.json"
    single_line_array(small, 100_000)
    assert single_line_array(large, 1_900_000) >= 200 * 10**6   # one line of 200 MB, 19x the small one
    assert large.read_bytes().count(b"\n") == 0
    small_peak, large_peak = peak_reading(small), peak_reading(large)
    assert large_peak < small_peak + 16, (small_peak, large_peak)
