"""The column-type registry: every type from its CSV and JSON spellings to one canonical value,
and a value that does not fit refuses the file naming the line and the column."""
import json

import pytest

from filegate.kit import column_types
from filegate.kit.coerce import typed_csv, typed_json
from filegate.kit.errors import Reject
from filegate.kit.readers import read_csv_chunks, read_ndjson_chunks
from filegate.kit.tables import Column, Table

FITS = object()   # no JSON value is refused: any JSON value is a document

# type: ([(CSV text, JSON value, canonical)], [(CSV text, JSON value) refused])
CASES = {
    "text": ([("abc", "abc", "abc"), ("", None, None), ("7", 7, "7")], [(None, {"a": 1})]),
    "integer": ([("7", 7, 7), (" -3 ", -3.0, -3), ("", None, None)],
                [("1.5", 1.5), ("2147483648", 2147483648), ("x", True)]),
    "bigint": ([("2147483648", 2147483648, 2147483648), ("007", "007", 7)],
               [("9223372036854775808", 9223372036854775808), ("1e3", "1e3")]),
    "numeric": ([("0.990", 0.99, "0.99"), ("1E3", 1000, "1000"), ("", None, None)], [("NaN", "inf"), ("x", True)]),
    "double": ([("1.5", 1.5, 1.5), ("2", 2, 2.0), ("", None, None)], [("nan", "inf"), ("x", [1])]),
    "boolean": ([("true", True, True), ("N", "no", False), ("1", 1, True), ("", None, None)],
                [("maybe", 2), ("yes please", "x")]),
    "date": ([("2021-1-4", "2021-01-04", "2021-01-04"), (" 2021-12-31 ", "2021-12-31", "2021-12-31"),
              ("", None, None)], [("2021-13-01", "2021-02-30"), ("04/01/2021", 20210104)]),
    "timestamp": ([("2021-01-02 03:04:05", "2021-01-02T03:04:05", "2021-01-02T03:04:05")], [("yesterday", 5)]),
    "timestamptz": ([("2021-01-02T03:04:05Z", "2021-01-02T03:04:05+00:00", "2021-01-02T03:04:05+00:00"),
                     ("2021-01-02 04:04:05+01:00", "2021-01-02T04:04:05+01:00", "2021-01-02T04:04:05+01:00"),
                     ("2021-01-02 03:04:05", "2021-01-02T03:04:05", "2021-01-02T03:04:05+00:00")],
                    [("soon", 1609556645)]),
    "jsonb": ([('{"a": [1, "x"]}', {"a": [1, "x"]}, {"a": [1, "x"]}), ('"s"', "s", "s"), ("", None, None)],
              [("{not json", FITS)]),
    "hstore": ([('{"a": "1", "b": null}', {"a": 1, "b": None}, {"a": "1", "b": None}),
                ('{"ok": true}', {"ok": True}, {"ok": "true"}), ("", None, None)],
               [('{"a": {"nested": 1}}', ["a"])]),
}


def test_every_registered_type_is_covered_here():
    assert set(CASES) == set(column_types.TYPES)
    assert {"text", "integer", "bigint", "numeric", "double", "boolean", "date", "timestamp", "timestamptz",
            "jsonb", "hstore"} <= set(column_types.TYPES)


def table_of(kind: str) -> Table:
    return Table("things", (Column("Id", "bigint"), Column("Value", kind)), schema="toy")


def typed(tmp_path, kind: str, csv_values: list | None = None, json_values: list | None = None) -> list:
    """The typed `value` column of a CSV file (csv_values) or an NDJSON file (json_values)."""
    table = table_of(kind)
    if csv_values is not None:
        import csv as csv_module
        import io

        out = io.StringIO()
        writer = csv_module.writer(out, lineterminator="\n")
        writer.writerow(["Id", "Value"])
        writer.writerows([i, v] for i, v in enumerate(csv_values))
        path = tmp_path / f"{kind}.csv"
        path.write_text(out.getvalue())
        chunks = typed_csv(table, read_csv_chunks(path))
    else:
        path = tmp_path / f"{kind}.json"
        path.write_text("".join(json.dumps({"Id": i, "Value": v}) + "\n" for i, v in enumerate(json_values)))
        chunks = typed_json(table, read_ndjson_chunks(path))
    return [r["value"] for _, chunk in chunks for r in chunk]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_csv_and_json_spellings_give_one_canonical_value(tmp_path, kind):
    good, _ = CASES[kind]
    canonical = [c for _, _, c in good]
    assert typed(tmp_path, kind, csv_values=[t for t, _, _ in good]) == canonical
    assert typed(tmp_path, kind, json_values=[j for _, j, _ in good]) == canonical


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_value_that_does_not_fit_refuses_the_file_naming_line_and_column(tmp_path, kind):
    good, bad = CASES[kind]
    for text, value in bad:
        if text is not None:   # CSV: line 1 is the header, the bad value is on line 3
            with pytest.raises(Reject) as info:
                typed(tmp_path, kind, csv_values=[good[0][0], text])
            assert info.value.line == 3 and f"column Value: {text!r} is not" in info.value.problem, (kind, text)
        if value is FITS:
            continue
        with pytest.raises(Reject) as info:
            typed(tmp_path, kind, json_values=[good[0][1], value])
        assert info.value.line == 2 and f"column Value: {value!r} is not" in info.value.problem, (kind, value)


def test_refusals_say_what_the_value_is_not(tmp_path):
    with pytest.raises(Reject, match=r"'2021-13-01' is not a date \(YYYY-M-D\)"):
        typed(tmp_path, "date", csv_values=["2021-13-01"])
    with pytest.raises(Reject, match=r"2147483648 is not integer \(32-bit\)"):
        typed(tmp_path, "integer", json_values=[2147483648])


def test_hstore_values_reach_copy_as_postgres_literals():
    assert column_types.hstore_literal({"a": "1", 'q"uote': 'back\\slash', "n": None}) == \
        '"a"=>"1", "q\\"uote"=>"back\\\\slash", "n"=>NULL'
    assert column_types.hstore_literal(None) is None


def test_unknown_types_fail_at_declaration():
    with pytest.raises(KeyError, match="unknown column type 'money'"):
        Column("Price", "money")


def test_a_long_numeric_keeps_every_digit():
    # regression: the default decimal context rounded to 28 digits (PostgreSQL's numeric keeps them all)
    assert column_types.get("numeric").coerce(10**30 + 1) == str(10**30 + 1)
    assert column_types.get("numeric").coerce_text("1000000000000000000000000000001.50") == \
        "1000000000000000000000000000001.5"


def test_the_numeric_fast_path_spells_every_json_number_as_the_reference_does():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    fast, reference = column_types._numeric_fast, column_types._numeric

    @settings(max_examples=3000, deadline=None)
    @given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(),
                     st.decimals(allow_nan=False, allow_infinity=False).map(str)))
    def agrees(value):
        assert fast(value) == reference(value)

    agrees()
