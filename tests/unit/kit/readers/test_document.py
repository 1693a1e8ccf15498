"""`readers.DocumentRecords`: the records of an array inside a JSON document, streamed with their
lines, the rest of the document kept as the envelope, never the document whole."""
import json

import pytest

from filegate.kit.errors import Reject
from filegate.kit.readers import DocumentRecords, limits
from tests.support.memory import peak_rss_mib

PROPERTIES = [{"identifier": {"Id": i}, "sale": {"amount": {"saleamt": 1000 * i}}} for i in range(1, 6)]


def write(tmp_path, text: str, name: str = "response.json"):
    path = tmp_path / name
    path.write_text(text)
    return path


def read(path, at: str):
    docs = DocumentRecords(path, at)
    pairs = [(line, record) for lines, records in docs for line, record in zip(lines, records)]
    return docs, pairs


def starts(text: str, records) -> list[int]:
    """Where each record starts, found independently: pretty-printed, a record's `{` stands two
    lines above its `"Id"` (`{`, `"identifier": {`, `"Id": n`)."""
    lines = text.splitlines()
    return [next(n for n, line in enumerate(lines, 1) if line.strip() == f'"Id": {r["identifier"]["Id"]}') - 2
            for r in records]


@pytest.mark.parametrize("pretty", [True, False], ids=["pretty", "one-line"])
def test_the_records_at_a_path_stream_with_their_lines_and_the_rest_is_the_envelope(tmp_path, pretty, monkeypatch):
    monkeypatch.setattr(limits, "CHUNK", 2)   # several chunks
    doc = {"status": {"code": 0, "total": 5, "msg": "SuccessWithResult"}, "property": PROPERTIES, "page": [1, 2]}
    text = json.dumps(doc, indent=2) if pretty else json.dumps(doc)
    docs, pairs = read(write(tmp_path, text), "property")
    assert [r for _, r in pairs] == PROPERTIES
    assert [line for line, _ in pairs] == (starts(text, PROPERTIES) if pretty else [1] * 5)
    assert docs.envelope == {"status": doc["status"], "page": [1, 2]} and docs.count == 5


def test_a_nested_path_and_an_empty_array(tmp_path):
    text = json.dumps({"response": {"meta": {"n": 0}, "items": []}, "after": True})
    docs, pairs = read(write(tmp_path, text), "response.items")
    assert pairs == [] and docs.envelope == {"response": {"meta": {"n": 0}}, "after": True}


@pytest.mark.parametrize("text, at, line, problem", [
    ('{"status": {}, "items": []}', "property", 1, "the document has no 'property'"),
    ('{"status": {},\n "property": {"a": 1}}', "property", 2, "expected an array at 'property', found '{'"),
    ('{"property": [{"a": 1},\n {"a": 2}', "property", 2, "the JSON array is not closed"),
    ('{"property": [{"a": 1}]', "property", 1, "the JSON object is not closed"),
    ('{"property": [{"a": 1}, 7]}', "property", 1, "array elements must be objects, found int"),
    ('{"property": [{"a": 1}]}\n{"more": 1}', "property", 1, "data after the end of the JSON document"),
    ('{"status": {"a": tru},\n "property": []}', "property", 1, "malformed JSON"),
    ('[{"a": 1}]', "property", 1, "expected a JSON object holding 'property', found '['"),
    ('{"property": [{"a": 1}] "x": 1}', "property", 1, "expected ',' or '}' between object members"),
])
def test_a_document_that_cannot_be_read_is_refused_with_its_line(tmp_path, text, at, line, problem):
    with pytest.raises(Reject) as info:
        read(write(tmp_path, text), at)
    assert info.value.line == line and problem in info.value.problem


def make_document(path, megabytes: int) -> int:
    """A pretty-printed API response of about `megabytes` MB, written a record at a time."""
    n = 0
    with open(path, "w") as f:
        f.write('{\n  "status": {"code": 0, "msg": "SuccessWithResult"},\n  "property": [\n')
        while f.tell() < megabytes * 1_000_000:
            record = {"identifier": {"Id": n, "apn": f"{n:012d}"}, "address": {"oneLine": f"{n} MAIN ST, VENTURA"},
                      "sale": {"saleTransDate": "2021-1-4", "amount": {"saleamt": 265000 + n}}}
            f.write(("    " if n == 0 else ",\n    ") + json.dumps(record))
            n += 1
        f.write('\n  ],\n  "trailer": {"count": %d}\n}\n' % n)
    return n


def test_memory_stays_flat_reading_a_200_mb_document(tmp_path):
    code = ("import sys\nfrom filegate.kit.readers import DocumentRecords\n"
            "docs = DocumentRecords(__import__('pathlib').Path(sys.argv[1]), 'property')\n"
            "n = sum(len(records) for _, records in docs)\n"
            "assert n == docs.count == docs.envelope['trailer']['count'], (n, docs.count)\n")
    peaks = {}
    for megabytes in (20, 200):
        path = tmp_path / f"{megabytes}.json"
        make_document(path, megabytes)
        peaks[megabytes] = peak_rss_mib(code.replace("sys.argv[1]", repr(str(path))))
        path.unlink()
    # 10x the document, the same memory (give or take allocator noise): nothing grows with the size
    assert peaks[200] < peaks[20] + 16, peaks
