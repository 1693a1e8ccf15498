"""Staging: NDJSON lines into typed staging columns, as the audit and publish read them."""
import gzip
import json

import pytest

from filegate.ingest.stage import stage_table
from filegate.kit.tables import Column, Table

TABLE = Table("things", (Column("n", "bigint"), Column("label", "text"), Column("price", "numeric"),
                         Column("at", "timestamptz"), Column("doc", "jsonb")), schema="raw_data")


def ndjson(tmp_path, records):
    path = tmp_path / "things.json.gz"
    with gzip.open(path, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    return path


def test_lines_land_typed_with_missing_keys_null_and_strangers_ignored(conninfo, tmp_path):
    import psycopg

    path = ndjson(tmp_path, [
        {"_file_id": 1, "_line": 2, "n": 7, "label": "tab\there \\ \"q\"", "price": "0.99",
         "at": "2021-01-02T03:04:05+00:00", "doc": {"a": [1, "x"]}, "stranger": True},
        {"_file_id": 1, "_line": 3, "price": 1.5, "doc": None},
    ])
    assert stage_table(conninfo, "staging.things_1", TABLE, path) == 2
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT _line, n, label, price::text, at::text, doc FROM staging.things_1"
                            " ORDER BY _line").fetchall()
    assert rows == [(2, 7, 'tab\there \\ "q"', "0.99", "2021-01-02 03:04:05+00", {"a": [1, "x"]}),
                    (3, None, None, "1.5", None, None)]


def test_a_line_that_does_not_fit_the_columns_is_a_bug_named_with_its_file(conninfo, tmp_path):
    path = ndjson(tmp_path, [{"_file_id": 1, "_line": 2, "n": "seven"}])
    with pytest.raises(RuntimeError, match="things.json.gz does not fit the staging columns of things"):
        stage_table(conninfo, "staging.things_2", TABLE, path)


def test_staged_file_by_file_a_file_the_server_refuses_is_named_at_its_source_line(conninfo, tmp_path):
    from filegate.ingest.stage import stage_files

    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir(), bad.mkdir()
    parts = {1: ndjson(good, [{"_file_id": 1, "_line": 2, "n": 1, "doc": {"a": "fine"}}]),
             2: ndjson(bad, [{"_file_id": 2, "_line": 5, "n": 2, "doc": {}},
                             {"_file_id": 2, "_line": 7, "n": 3, "doc": {"a": "\u0000"}}])}   # jsonb: no \u0000
    rows, refused = stage_files(conninfo, "staging.things_3", TABLE, parts)

    assert rows == 1 and list(refused) == [2]
    assert refused[2].line == 7
    assert refused[2].problem == "PostgreSQL refused a things row: unsupported Unicode escape sequence"
    import psycopg

    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT _file_id, n FROM staging.things_3").fetchall() == [(1, 1)]
