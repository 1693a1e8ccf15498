"""housing reader: nested responses flattened and typed; a response that is not what its status
says, or not a response, is refused whole."""
from __future__ import annotations

import json

import pytest

from filegate.datasets.housing.reader import expected_records, read_housing
from filegate.kit.errors import Reject

FULL = {
    "identifier": {"Id": 184713191, "fips": "06111", "apn": "x", "attomId": 184713191},
    "lot": {"lotSize1": 0.1148, "lotSize2": 5001},
    "address": {"country": "US", "countrySubd": "CA", "line1": "1 A ST", "locality": "VENTURA",
                "oneLine": "…", "postal1": "93001", "postal2": "1234"},
    "location": {"accuracy": "Rooftop", "latitude": "34.191529", "longitude": "-119.220966"},
    "summary": {"propclass": "Single Family Residence", "propsubtype": "HOUSE", "proptype": "SFR",
                "yearbuilt": 1995, "propLandUse": "SFR"},
    "building": {"size": {"universalsize": 1624, "livingsize": 1624}, "rooms": {"bathstotal": 2.0, "beds": 3}},
    "sale": {"saleTransDate": "2021-1-4", "saleSearchDate": "2021-1-4",
             "amount": {"saleamt": 265000, "salerecdate": "2021-1-12", "saletranstype": "Resale"},
             "calculation": {"pricepersizeunit": 163.18}},
    "vintage": {"lastModified": "2021-2-3", "pubDate": "2021-2-4"},
}


def response(records, **status):
    return {"status": {"version": "1.0.0", "code": 0, "msg": "SuccessWithResult", "total": len(records),
                       "page": 1, "pagesize": 10000, "transactionID": "5f0c", **status}, "property": records}


def write(tmp_path, doc, indent=None, name="sales_1.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=indent))
    return path


def rows(path):
    parsed = read_housing(path)
    return parsed, [(line, record) for _, line, record in parsed.records]


@pytest.mark.parametrize("indent", [None, 2])
def test_a_record_is_flattened_into_typed_sale_columns(tmp_path, indent):
    parsed, got = rows(write(tmp_path, response([FULL]), indent))
    (line, sale), = got
    assert sale == {   # as the converter writes them: dates ISO, numerics as exact decimal text
        "attom_id": 184713191, "sale_date": "2021-01-04", "sale_amount": "265000",
        "sale_recorded_date": "2021-01-12", "sale_transaction_type": "Resale", "price_per_sqft": "163.18",
        "postal_code": "93001", "locality": "VENTURA", "latitude": "34.191529", "longitude": "-119.220966",
        "property_type": "SFR", "property_subtype": "HOUSE", "property_class": "Single Family Residence",
        "year_built": 1995, "lot_size_acres": "0.1148", "building_size_sqft": "1624", "beds": 3, "baths": "2"}
    assert line == (1 if indent is None else 12)
    assert parsed.header["total"] == 1 and parsed.header["msg"] == "SuccessWithResult"


def test_missing_objects_and_null_leaves_are_nulls(tmp_path):
    bare = json.loads(json.dumps(FULL))
    for gone in ("building", "location", "lot"):
        del bare[gone]
    del bare["sale"]["amount"]
    bare["summary"]["yearbuilt"] = None
    _, [(_, sale)] = rows(write(tmp_path, response([bare])))
    nulls = {"building_size_sqft", "beds", "baths", "latitude", "longitude", "lot_size_acres", "sale_amount",
             "sale_recorded_date", "sale_transaction_type", "year_built"}
    assert {k for k, v in sale.items() if v is None} == nulls
    assert sale["attom_id"] == 184713191 and sale["price_per_sqft"] == "163.18"


def test_an_empty_result_reads_as_no_records(tmp_path):
    empty = response([], code=1, msg="SuccessWithoutResult")
    parsed, got = rows(write(tmp_path, empty))
    assert got == [] and parsed.header["msg"] == "SuccessWithoutResult"


@pytest.mark.parametrize("doc, problem", [
    (response([FULL], total=2), "status.total says 2 record(s) (page 1 of size 10000), so 2 here, but the response "
                                "holds 1"),
    (response([FULL, FULL], total=12, page=2, pagesize=10), "so 2 here, but the response holds 2"),
    ({"property": [FULL]}, "not a sales API response: no `status` object"),
    ([FULL], "expected a JSON object holding 'property'"),
    ({"status": {"total": 0}}, "the document has no 'property'"),
    (response([FULL], total="1"), "status.total is '1', expected a whole number"),
])
def test_a_response_that_is_not_what_it_says_is_refused_whole(tmp_path, doc, problem):
    path = write(tmp_path, doc)
    if "so 2 here, but the response holds 2" in problem:   # page 2 of 12 by 10: 2 records, as announced
        assert len(rows(path)[1]) == 2
        return
    with pytest.raises(Reject) as refused:
        rows(path)
    assert problem in refused.value.problem


def test_a_truncated_transfer_is_refused_with_its_line(tmp_path):
    text = json.dumps(response([FULL, FULL]), indent=2)
    with pytest.raises(Reject) as refused:
        rows(write(tmp_path, text[: len(text) // 2]))
    assert refused.value.line > 1 and ("truncated" in refused.value.problem or "malformed JSON" in refused.value.problem)


@pytest.mark.parametrize("status, expected", [
    ({"total": 136}, 136), ({"total": 136, "page": 1, "pagesize": 10000}, 136),
    ({"total": 25000, "page": 3, "pagesize": 10000}, 5000), ({"total": 25000, "page": 2, "pagesize": 10000}, 10000),
    ({"total": 10, "page": 3, "pagesize": 10}, 0),
])
def test_the_records_a_page_must_hold(status, expected):
    assert expected_records(status) == expected
