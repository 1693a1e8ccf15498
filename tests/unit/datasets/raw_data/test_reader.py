"""raw_data typing: the same logical record comes out identical whatever format it arrived in."""
import json

import pytest

from filegate.datasets.raw_data.reader import read_raw
from filegate.errors import Reject

TRACK_CSV = ("TrackId,Name,AlbumId,MediaTypeId,GenreId,Composer,Milliseconds,Bytes,UnitPrice\n"
             '7,"Song, ""One""",3,1,2,,343719,11170334,0.990\n')
TRACK_JSON = {"TrackId": 7, "Name": 'Song, "One"', "AlbumId": 3, "MediaTypeId": 1, "GenreId": 2, "Composer": None,
              "Milliseconds": 343719, "Bytes": 11170334, "UnitPrice": 0.99}


def read(tmp_path, table, name, text):
    path = tmp_path / table / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    parsed = read_raw(path)
    return parsed, list(parsed.records)


def test_csv_tsv_ndjson_and_arrays_give_identical_records(tmp_path):
    outputs = [
        read(tmp_path, "tracks", "tracks_1.csv", TRACK_CSV),
        read(tmp_path, "tracks", "tracks_2.tsv", TRACK_CSV.replace(",", "\t").replace('"Song\t ""One"""',
                                                                                      '"Song, ""One"""')),
        read(tmp_path, "tracks", "tracks_3.json", json.dumps(TRACK_JSON) + "\n"),
        read(tmp_path, "tracks", "tracks_4.json", json.dumps([TRACK_JSON])),
        read(tmp_path, "tracks", "tracks_5.json", json.dumps({k.lower(): v for k, v in TRACK_JSON.items()}) + "\n"),
    ]
    records = [recs[0][2] for _, recs in outputs]
    assert records[0] == {"track_id": 7, "name": 'Song, "One"', "album_id": 3, "media_type_id": 1, "genre_id": 2,
                          "composer": None, "milliseconds": 343719, "bytes": 11170334, "unit_price": "0.99"}
    assert all(r == records[0] for r in records)
    assert [p.header["format"] for p, _ in outputs] == ["csv", "csv", "ndjson", "json-array", "ndjson"]


def test_parts_apply_in_part_number_order(tmp_path):
    keys = [read(tmp_path, "genres", f"genres_{n}.csv", "GenreId,Name\n1,Rock\n")[0].sort_key for n in (2, 10, 1)]
    assert sorted(keys) == [keys[2], keys[0], keys[1]]


@pytest.mark.parametrize("text, line, words", [
    ("GenreId,Name,Mood\n1,Rock,happy\n", 2, "['Mood'] are not in the declared schema of genres"),
    ("GenreId,Name\nx1,Rock\n", 2, "column GenreId: 'x1' is not integer"),
    ('[{"GenreId": 1.5, "Name": "Rock"}]', 1, "is not integer"),
    ('{"GenreId": true, "Name": "Rock"}\n', 1, "is not integer"),
    ('{"GenreId": 1, "Name": {"nested": 1}}\n', 1, "is not text"),
])
def test_values_that_do_not_fit_the_schema_reject_the_file(tmp_path, text, line, words):
    path = tmp_path / "genres" / ("genres_1.json" if text[0] in "[{" else "genres_1.csv")
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(Reject) as info:
        list(read_raw(path).records)
    assert info.value.line == line and words in info.value.problem


def test_numbers_and_timestamps_have_one_spelling(tmp_path):
    csv_text = "InvoiceId,CustomerId,InvoiceDate,Total\n1,2,2021-01-02 00:00:00,1.980\n"
    json_text = json.dumps({"InvoiceId": 1, "CustomerId": 2, "InvoiceDate": "2021-01-02T00:00:00", "Total": 1.98})
    (_, [(_, _, a)]), (_, [(_, _, b)]) = (read(tmp_path, "invoices", "invoices_1.csv", csv_text),
                                          read(tmp_path, "invoices", "invoices_2.json", json_text + "\n"))
    assert a == b
    assert a["total"] == "1.98" and a["invoice_date"] == "2021-01-02T00:00:00" and a["billing_city"] is None


def test_an_undeclared_subfolder_is_kept_as_documents(tmp_path, caplog):
    parsed, records = read(tmp_path, "reviews", "reviews_1.json", '{"stars": 5, "text": "très bien"}\n')
    assert parsed.header == {"table": "reviews", "format": "ndjson", "declared": False}
    assert records == [("undeclared_records", 1, {"source_table": "reviews",
                                                  "doc": {"stars": 5, "text": "très bien"}})]
    assert "no declared schema" in caplog.text
