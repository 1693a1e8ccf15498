"""raw_data typing: the same logical record comes out identical whatever format it arrived in."""
import json

import pytest

from filegate.datasets.raw_data import DATASET
from filegate.kit.errors import Reject

TRACK_CSV = ("TrackId,Name,AlbumId,MediaTypeId,GenreId,Composer,Milliseconds,Bytes,UnitPrice\n"
             '7,"Song, ""One""",3,1,2,,343719,11170334,0.990\n')
TRACK_JSON = {"TrackId": 7, "Name": 'Song, "One"', "AlbumId": 3, "MediaTypeId": 1, "GenreId": 2, "Composer": None,
              "Milliseconds": 343719, "Bytes": 11170334, "UnitPrice": 0.99}


def read_raw(path):
    """raw_data has no reader of its own: the kit's default reader, by its declaration."""
    return DATASET.read(path)


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
    ("GenreId,Name,Mood\n1,Rock,happy\n", 1, "['Mood'] are not in the declared schema of genres"),
    ('{"GenreId": 1, "Name": "Rock"}\n{"GenreId": 2, "Mood": "sad"}\n', 2, "['Mood'] are not in the declared"),
    ("GenreId,Name\n1,Rock\n 2 ,Jazz\n3x,Pop\n", 4, "column GenreId: '3x' is not integer"),
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


def test_a_file_mixing_fast_and_slow_values_reads_as_the_reference_would(tmp_path):
    text = "GenreId,Name\n1,Rock\n 2 ,\n  ,Pop\n"
    (_, records) = read(tmp_path, "genres", "genres_1.csv", text)
    assert [r for _, _, r in records] == [{"genre_id": 1, "name": "Rock"}, {"genre_id": 2, "name": None},
                                         {"genre_id": None, "name": "Pop"}]


@pytest.mark.parametrize("batch", [1, 2, 5000])
def test_json_runs_mixing_layouts_type_each_record_by_its_own_keys(tmp_path, monkeypatch, batch):
    from filegate.kit.readers import limits

    monkeypatch.setattr(limits, "CHUNK", batch)
    lines = [{"GenreId": 1, "Name": "Rock"}, {"genre_id": "2"}, {"Name": "", "GenreId": 3.0},
             {"GenreId": " 4 ", "Name": 5}]
    text = "\n".join(json.dumps(r) for r in lines) + "\n"
    _, records = read(tmp_path, "genres", "genres_1.json", text)
    assert [(line, r) for _, line, r in records] == [
        (1, {"genre_id": 1, "name": "Rock"}), (2, {"genre_id": 2, "name": None}),
        (3, {"genre_id": 3, "name": None}), (4, {"genre_id": 4, "name": "5"})]
    path = tmp_path / "genres" / "genres_2.json"
    path.write_text(text + json.dumps({"GenreId": 6, "Mood": "x"}) + "\n")
    with pytest.raises(Reject) as info:
        list(read_raw(path).records)
    assert info.value.line == 5 and "['Mood']" in info.value.problem
