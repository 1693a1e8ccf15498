"""Dataset declarations: chunks per table, reports and publish steps found in the SQL folder."""

from filegate.kit import parsed as parsed_module
from filegate.kit.declaration import Dataset
from filegate.kit.parsed import ParsedFile, chunked
from filegate.kit.tables import Column, Table


def test_interleaved_tables_are_chunked_per_table_not_one_record_at_a_time(monkeypatch):
    monkeypatch.setattr(parsed_module, "CHUNK", 3)
    records = [("parent" if i % 2 == 0 else "child", i + 1, {"n": i}) for i in range(10)]
    chunks = [(t, [r["_line"] for r in c]) for t, c in chunked(iter(records))]
    assert chunks == [("parent", [1, 3, 5]), ("child", [2, 4, 6]), ("parent", [7, 9]), ("child", [8, 10])]
    parsed = ParsedFile.from_records({}, "k", iter([("t", 1, {"a": 1}), ("t", 2, {"a": 2})]))
    assert list(parsed.records) == [("t", 1, {"a": 1}), ("t", 2, {"a": 2})]


def test_a_dataset_finds_its_reports_and_publish_steps_and_places_its_tables(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "publish").mkdir()
    for name in ("reports/b.sql", "reports/a.sql", "reports/notes.txt", "publish/020_y.sql", "publish/010_x.sql"):
        (tmp_path / name).write_text("SELECT 1")
    table = Table("t", (Column("Id", "bigint"),), keys=("id",))
    derived = Table("d", (Column("n", "bigint"),), derived=True)
    ds = Dataset(name="toy2", description="", pattern="*", reader=None, tables=(table, derived), sql_dir=tmp_path)
    assert ds.reports == ("a", "b")
    assert [p.name for p in ds.publish_sql()] == ["010_x.sql", "020_y.sql"]
    assert ds.table("t").target == "toy2.t" and ds.loaded_tables == (ds.table("t"),)
