"""The default reader: a dataset of CSV/NDJSON/JSON files needs no reader of its own."""
import pytest

from filegate.kit.declaration import Dataset
from filegate.kit.errors import Reject
from filegate.kit.tables import Column, Table

ITEMS = Table("items", (Column("Id", "bigint"), Column("Name", "text")), keys=("id",))
KEPT = Table("kept", (Column("source_table", "text"), Column("doc", "jsonb")), keys=())


def dataset(*tables, undeclared=None):
    return Dataset(name="defaulted", description="", pattern="*", tables=tables, undeclared=undeclared)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_one_table_takes_its_files_from_anywhere_typed_by_its_declaration(tmp_path):
    csv = write(tmp_path / "drop" / "a_2.csv", "Id,Name\n1,one\n")
    ndjson = write(tmp_path / "b.json", '{"Id": "1", "Name": "one"}\n')
    ds = dataset(ITEMS)
    from_csv, from_json = ds.read(csv), ds.read(ndjson)
    assert list(from_csv.records) == [("items", 2, {"id": 1, "name": "one"})]   # line 1 is the header
    assert list(from_json.records) == [("items", 1, {"id": 1, "name": "one"})]
    assert from_csv.header == {"table": "items", "format": "csv", "declared": True}
    assert (from_csv.sort_key, from_json.sort_key) == ("items/000000000002", "items/b.json")


def test_a_subfolder_naming_no_table_is_refused_without_an_undeclared_table(tmp_path):
    path = write(tmp_path / "others" / "others_1.csv", "a\n1\n")
    with pytest.raises(Reject, match="subfolder 'others' names no declared table \\(tables: items, more\\)"):
        dataset(ITEMS, Table("more", (Column("a", "text"),), keys=())).read(path)


def test_a_subfolder_naming_no_table_is_kept_whole_in_the_undeclared_table(tmp_path):
    path = write(tmp_path / "others" / "others_1.csv", "a,b\n1,x\n")
    parsed = dataset(ITEMS, KEPT, undeclared="kept").read(path)
    assert parsed.header == {"table": "others", "format": "csv", "declared": False}
    assert list(parsed.records) == [("kept", 2, {"source_table": "others", "doc": {"a": "1", "b": "x"}})]


def test_an_undeclared_table_that_is_not_declared_fails_at_declaration():
    with pytest.raises(KeyError, match="has no table 'kept'"):
        dataset(ITEMS, undeclared="kept")
