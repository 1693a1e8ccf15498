"""The operator_wells shape: one valid JSON line per operator, its wells in order, each with its
months, equal to a nested build of the same rows; and nothing is held between rows."""
from __future__ import annotations

import json

from filegate.datasets.wells.export import operator_wells


def rows_of(nested: dict):
    """The export query's rows for a nested document (as PostgreSQL would give them)."""
    for operator in sorted(nested):
        for api in sorted(nested[operator]):
            well = dict(nested[operator][api])
            months = well.pop("productionData")
            yield operator, api, json.dumps(well, separators=(",", ":")), json.dumps(months) if months else None


def test_the_lines_equal_a_nested_build():
    nested = {
        "ALPHA": {"05123000010000": {"wellName": "A 1", "operator": "ALPHA", "productionData": [
            {"year": 2023, "month": 1, "oil": 1.5}, {"year": 2023, "month": 2, "oil": 0}]},
                  "05123000020000": {"wellName": "A \"2\"", "operator": "ALPHA", "productionData": []}},
        "BETA \u00e9": {"05123000030000": {"wellName": None, "operator": "BETA \u00e9", "productionData": [
            {"year": 2022, "month": 12, "oil": 7}]}},
    }
    text = b"".join(operator_wells(rows_of(nested))).decode()
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 3   # one line per operator, each ended
    assert [json.loads(line) for line in lines[:-1]] == [
        {"operator": operator, "wells": wells} for operator, wells in sorted(nested.items())]


def test_no_rows_no_lines():
    assert b"".join(operator_wells(iter(()))) == b""


def test_it_consumes_rows_as_it_writes():
    produced = []

    def rows():
        for i in range(3):
            produced.append(i)
            yield "OP", f"{i:014d}", '{"wellName":"x"}', None

    pieces = operator_wells(rows())
    next(pieces)   # the operator's opening: only the first row was read
    assert produced == [0]
