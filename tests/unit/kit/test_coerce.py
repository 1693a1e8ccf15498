"""The typing engine: the generated fast path agrees with the reference typing on awkward values
for every column type, source paths reach into nested records, undeclared fields are refused or
ignored as the table says."""
import pytest

from filegate.kit import column_types
from filegate.kit.coerce import Typer, coerce_record, path_value, typed_json
from filegate.kit.errors import Reject
from filegate.kit.tables import Column, Table

# Values that stress every coercion: the fast path must equal the reference one or defer to it.
AWKWARD = ["", " ", "  7 ", "7", "-0", "+5", "007", "1_000", "1.0", "1.50", "0.990", "1E3", "-0.0", "NaN",
           "inf", "x", "é", "true", "N", "2021-01-02", "2021-1-2", "2021-01-02T03:04:05Z", "2021-01-02 03:04:05+01:00",
           "\t1\n", '{"a": 1}', "123456789", "1234567890", "9223372036854775807", "99999999999999999999",
           None, 0, 1, 7, -3, 2 ** 31, 2 ** 70, 1.0, 1.5, 0.0, -0.0, 0.99, float("nan"), float("inf"), True, False,
           [], {}, [1], {"a": 1}, {"a": None, "b": 2}]
COMMON = {"text": "x", "integer": "7", "bigint": "7", "numeric": "1.50", "double": "1.5", "boolean": "true",
          "date": "2021-01-02", "timestamp": "2021-01-02", "timestamptz": "2021-01-02T03:04:05Z",
          "jsonb": '{"a": 1}', "hstore": '{"a": 1}'}
COMMON_JSON = {**COMMON, "integer": 7, "bigint": 7, "double": 1.5, "boolean": True, "hstore": {"a": "1"}}


def one_column(kind: str) -> Table:
    return Table("t", (Column("Value", kind),), schema="s")


@pytest.mark.parametrize("from_text", [False, True], ids=["json", "csv"])
@pytest.mark.parametrize("kind", sorted(column_types.TYPES))
def test_the_fast_path_agrees_with_the_reference_typing(kind, from_text):
    typer = Typer(one_column(kind), ("Value",), 1, from_text=from_text)
    values = [v for v in AWKWARD if isinstance(v, str)] if from_text else AWKWARD   # CSV gives text
    fast = 0
    for value in values * 2:   # twice: the second time remembered values are served
        item = [value] if from_text else {"Value": value}
        try:
            expected = coerce_record(typer, {"Value": value}, 1)
        except Reject:
            expected = Reject
        for got in _fast_results(typer, item):
            fast += 1
            assert got == expected, (kind, value)
            assert type(got["value"]) is type(expected["value"]), (kind, value)
    # the fast path does take the common spellings (or this test would prove nothing)
    item = [COMMON[kind]] if from_text else {"Value": COMMON_JSON[kind]}
    assert len(_fast_results(typer, item)) == 2 and fast > 0


def _fast_results(typer, item):
    """What the fast path returns for `item`, one at a time and in a run; nothing if it defers."""
    out = []
    for run in (lambda: typer.fast_one(item),
                lambda: {k: v for k, v in typer.fast_chunk([item], [7])[0].items() if k != "_line"}):
        try:
            out.append(run())
        except Exception:
            pass   # deferred to the reference path, which decides
    return out


NESTED = Table("sales", (
    Column("identifier.Id", "bigint", name="sale_id"),
    Column("sale.amount.saleamt", "numeric"),
    Column("sale.saleTransDate", "date", name="sold_on"),
    Column("location.latitude", "double"),
    Column("Status", "text"),
), keys=("sale_id",), extra="ignore", schema="housing")


def test_source_paths_reach_into_nested_records_and_missing_objects_give_null():
    records = [
        {"identifier": {"Id": 1}, "sale": {"amount": {"saleamt": 265000}, "saleTransDate": "2021-1-4"},
         "location": {"latitude": "34.191529"}, "status": "ok", "vintage": {"pubDate": "2021-2-4"}},
        {"identifier": {"Id": 2}, "sale": {"saleTransDate": "2021-1-5"}},          # no amount object
        {"identifier": {"Id": 3}, "sale": None, "location": {}},                   # null and empty objects
    ]
    (_, out), = list(typed_json(NESTED, iter([([1, 2, 3], records)])))
    assert out == [
        {"sale_id": 1, "saleamt": "265000", "sold_on": "2021-01-04", "latitude": 34.191529, "status": "ok", "_line": 1},
        {"sale_id": 2, "saleamt": None, "sold_on": "2021-01-05", "latitude": None, "status": None, "_line": 2},
        {"sale_id": 3, "saleamt": None, "sold_on": None, "latitude": None, "status": None, "_line": 3},
    ]


def test_a_path_through_something_that_is_not_an_object_refuses_the_file():
    records = [{"identifier": {"Id": 1}, "sale": {"amount": "lots"}}]
    with pytest.raises(Reject) as info:
        list(typed_json(NESTED, iter([([9], records)])))
    assert info.value.line == 9 and "column sale.amount.saleamt: a step of the path holds no object" in info.value.problem
    assert path_value({"a": None}, ("a", "b", "c")) is None


@pytest.mark.parametrize("extra, refused", [("refuse", True), ("ignore", False)])
def test_undeclared_fields_are_refused_or_ignored_as_declared(extra, refused):
    table = Table("t", (Column("Id", "bigint"),), extra=extra, schema="s")
    records = [{"Id": 1, "Mood": "x"}, {"Id": 2, "Other": 1}, {"id": 3}]
    if refused:
        with pytest.raises(Reject, match=r"column\(s\) \['Mood'\] are not in the declared schema of t"):
            list(typed_json(table, iter([([1, 2, 3], records)])))
    else:
        (_, out), = list(typed_json(table, iter([([1, 2, 3], records)])))
        assert [r["id"] for r in out] == [1, 2, 3]


def test_a_run_whose_records_swap_an_ignored_field_for_a_declared_one_keeps_it():
    """Same number of keys, other names: the fast path must not reuse the first record's layout."""
    table = Table("t", (Column("Id", "bigint"), Column("Name", "text")), extra="ignore", schema="s")
    records = [{"Id": 1, "Junk": "x"}, {"Id": 2, "Name": "kept"}]
    (_, out), = list(typed_json(table, iter([([1, 2], records)])))
    assert out == [{"id": 1, "name": None, "_line": 1}, {"id": 2, "name": "kept", "_line": 2}]


@pytest.mark.parametrize("sale, amount", [
    ({"amount": 5}, "5"), (None, None), ({}, None), ({"amount": None}, None),
    (0, Reject), ("", Reject), ([], Reject), (False, Reject), ("x", Reject), ([1], Reject),
])
def test_a_path_through_any_value_gives_what_the_reference_gives(sale, amount):
    """A table of paths only, undeclared fields ignored, is typed whatever each record's keys
    (housing's responses): the inlined paths must agree with `path_value` on every kind of step."""
    table = Table("t", (Column("x.id", "bigint", name="id"), Column("sale.amount", "numeric", name="amount")),
                  extra="ignore", schema="s")
    records = [{"x": {"id": 1}, "other": 1}, {"x": {"id": 2}, "sale": sale}]   # two layouts in one chunk
    if amount is Reject:
        with pytest.raises(Reject, match="a step of the path holds no object") as refused:
            list(typed_json(table, iter([([7, 8], records)])))
        assert refused.value.line == 8
    else:
        (_, out), = typed_json(table, iter([([7, 8], records)]))
        assert out == [{"id": 1, "amount": None, "_line": 7}, {"id": 2, "amount": amount, "_line": 8}]


# --- aliases and the catch-all attributes column (filegate.kit.tables, filegate.kit.attributes) ---

KEPT = Table("hits", (Column("ts", "text", aliases=("time", "timestamp")), Column("n", "integer"),
                      Column("attrs", "hstore")), attributes="attrs", schema="s")


@pytest.mark.parametrize("name", ["ts", "time", "Timestamp", "TIME"])
def test_a_column_takes_its_aliases_from_csv_and_json(name):
    from filegate.kit.coerce import typed_csv

    csv = list(typed_csv(KEPT, iter([[name, "n"], ([2], [["t1", "5"]])])))
    json = list(typed_json(KEPT, iter([([2], [{name: "t1", "n": 5}])])))
    assert csv == json == [("hits", [{"ts": "t1", "n": 5, "attrs": {}, "_line": 2}])]


@pytest.mark.parametrize("from_text", [False, True], ids=["json", "csv"])
def test_two_names_of_one_column_in_one_record_are_refused_naming_both(from_text):
    with pytest.raises(Reject, match=r"column ts is given twice \(as 'time' and 'ts'\)") as refused:
        Typer(KEPT, ("time", "n", "ts"), 4, from_text=from_text)
    assert refused.value.line == 4


def test_undeclared_fields_are_kept_as_text_and_both_paths_agree():
    from filegate.kit.coerce import typed_csv

    csv = list(typed_csv(KEPT, iter([["ts", "n", "host", "empty"], ([2, 3], [["a", "1", "web-1", ""],
                                                                              ["b", "2", "web-2", "x"]])])))
    assert csv == [("hits", [{"ts": "a", "n": 1, "attrs": {"host": "web-1"}, "_line": 2},
                             {"ts": "b", "n": 2, "attrs": {"host": "web-2", "empty": "x"}, "_line": 3}])]
    records = [{"ts": "a", "n": 1, "ok": True, "size": 1.50, "tags": [1, "x"], "none": None,
                "http": {"status": 500, "route": {"name": "home"}}, "attrs": {"region": "eu"}}] * 3
    typer = Typer(KEPT, tuple(records[0]), 1, from_text=False)
    expected = {"ts": "a", "n": 1, "attrs": {"ok": "true", "size": "1.5", "tags": '[1,"x"]', "none": None,
                                             "http.status": "500", "http.route.name": "home", "region": "eu"}}
    assert coerce_record(typer, records[0], 1) == expected
    assert [{k: v for k, v in r.items() if k != "_line"} for r in typer.fast_chunk(records, [1, 2, 3])] == [expected] * 3
    assert list(typed_json(KEPT, iter([([1, 2, 3], records)])))[0][1][2] == {**expected, "_line": 3}


def test_an_attribute_given_twice_after_flattening_refuses_the_file_naming_the_line():
    records = [{"ts": "a", "n": 1, "http.status": "1"}, {"ts": "b", "n": 2, "http.status": "1", "http": {"status": 2}}]
    with pytest.raises(Reject, match="attribute 'http.status' is given twice") as refused:
        list(typed_json(KEPT, iter([([5, 6], records)])))
    assert refused.value.line == 6
