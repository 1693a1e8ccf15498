"""Publish in steps, in one transaction: generated upserts for declared tables (a re-delivered
parent replacing its children), then the dataset's own SQL keeping a derived table in step."""
import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine

from filegate.ingest import registry
from filegate.ingest.landing import LandedFile
from filegate.ingest.publish import publish_batch
from filegate.ingest.registry import FileStatus
from filegate.ingest.stage import stage_table
from filegate.kit.declaration import Dataset
from filegate.kit.tables import Column, Table
from filegate.warehouse.connection import connect, sqlalchemy_url
from filegate.warehouse.models import with_datasets

ORDERS = Table("orders", (Column("OrderId", "bigint"), Column("Customer", "text")), keys=("order_id",))
LINES = Table("order_lines", (Column("OrderId", "bigint"), Column("LineNo", "integer"), Column("Amount", "numeric"),
                              Column("Attributes", "hstore")),
              keys=("order_id", "line_no"), parent=("orders", ("order_id",)))
TOTALS = Table("order_totals", (Column("OrderId", "bigint"), Column("Lines", "bigint", required=True),
                                Column("Amount", "numeric", required=True)), keys=("order_id",), derived=True)

TOTALS_SQL = """
-- the totals of every order this batch delivered, recomputed from the stored lines
INSERT INTO shop.order_totals (order_id, lines, amount)
SELECT l.order_id, count(*), sum(l.amount) FROM shop.order_lines l
WHERE l.order_id IN (SELECT order_id FROM {staging_orders} WHERE _file_id = ANY(%(file_ids)s))
GROUP BY l.order_id
ON CONFLICT (order_id) DO UPDATE SET lines = EXCLUDED.lines, amount = EXCLUDED.amount
"""


@pytest.fixture
def shop(conninfo, tmp_path):
    (tmp_path / "sql" / "publish").mkdir(parents=True)
    (tmp_path / "sql" / "publish" / "010_totals.sql").write_text(TOTALS_SQL)
    ds = Dataset(name="shop", description="", pattern="*", reader=None, tables=(ORDERS, LINES, TOTALS),
                 sql_dir=tmp_path / "sql")
    engine = create_engine(sqlalchemy_url(conninfo))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA shop")
    metadata = with_datasets([ds])
    metadata.create_all(engine, tables=[t for t in metadata.tables.values() if t.schema == "shop"])
    engine.dispose()
    return ds


def deliver(conninfo, ds, tmp_path, name: str, orders: list[dict], lines: list[dict]) -> dict:
    """Register a file and stage its rows as convert would have written them; return the staging map."""
    landed = LandedFile(path=tmp_path / name, filename=name, size=1, received_at=datetime.now(timezone.utc),
                        sha256=name)
    with connect(conninfo) as conn:
        file_id = registry.decide(conn, ds.name, landed, f"run-{name}", True).file_id
        registry.record_conversion(conn, file_id, {}, name, len(orders) + len(lines))
    staging = {}
    for table, rows in ((ORDERS, orders), (LINES, lines)):
        path = tmp_path / f"{name}-{table.name}.json.gz"
        with gzip.open(path, "wt") as f:
            f.writelines(json.dumps({"_file_id": file_id, "_line": i + 1, **r}) + "\n" for i, r in enumerate(rows))
        staging[table.name] = f"staging.shop__{table.name}__{file_id}"
        stage_table(conninfo, staging[table.name], ds.table(table.name), path)
    return {"staging": staging, "file_id": file_id}


def stored(conninfo):
    with psycopg.connect(conninfo) as conn:
        lines = conn.execute("SELECT order_id, line_no, amount::text, hstore_to_jsonb(attributes)"
                             " FROM shop.order_lines ORDER BY 1, 2").fetchall()
        totals = conn.execute("SELECT order_id, lines, amount::text FROM shop.order_totals ORDER BY 1").fetchall()
    return lines, totals


def test_a_redelivered_parent_replaces_its_children_and_the_derived_table_follows(conninfo, shop, tmp_path):
    first = deliver(conninfo, shop, tmp_path, "a.json",
                    [{"order_id": 1, "customer": "Ann"}, {"order_id": 2, "customer": "Bo"}],
                    [{"order_id": 1, "line_no": 1, "amount": "5", "attributes": {"gift": "yes"}},
                     {"order_id": 1, "line_no": 2, "amount": "7"},
                     {"order_id": 2, "line_no": 1, "amount": "1.5"}])
    published = publish_batch(conninfo, shop, first["staging"], [first["file_id"]])
    assert published.rows == {first["file_id"]: 5} and not published.refused   # 2 orders + 3 lines; the derived totals are not rows loaded
    assert stored(conninfo) == ([(1, 1, "5", {"gift": "yes"}), (1, 2, "7", None), (2, 1, "1.5", None)],
                                [(1, 2, "12"), (2, 1, "1.5")])

    # order 1 again, now with one line: its line 2 is gone, order 2 is untouched
    second = deliver(conninfo, shop, tmp_path, "b.json", [{"order_id": 1, "customer": "Ann"}],
                     [{"order_id": 1, "line_no": 1, "amount": "6"}])
    publish_batch(conninfo, shop, second["staging"], [second["file_id"]])
    assert stored(conninfo) == ([(1, 1, "6", None), (2, 1, "1.5", None)], [(1, 1, "6"), (2, 1, "1.5")])
    with connect(conninfo) as conn:
        files = registry.files(conn, [first["file_id"], second["file_id"]])
    assert [(f.filename, f.status, f.rows_loaded) for f in files] == [
        ("a.json", FileStatus.LOADED, 5), ("b.json", FileStatus.LOADED, 2)]   # as stored when each loaded
    assert all(isinstance(f.stored_path, Path) for f in files)


def test_a_failing_step_rolls_the_whole_publish_back(conninfo, shop, tmp_path):
    batch = deliver(conninfo, shop, tmp_path, "a.json", [{"order_id": 1, "customer": "Ann"}],
                    [{"order_id": 1, "line_no": 1, "amount": "5"}])
    (shop.sql_dir / "publish" / "020_broken.sql").write_text("SELECT * FROM shop.no_such_table")
    with pytest.raises(psycopg.errors.UndefinedTable):
        publish_batch(conninfo, shop, batch["staging"], [batch["file_id"]])
    assert stored(conninfo) == ([], [])
    with connect(conninfo) as conn:
        assert registry.get(conn, batch["file_id"]).status is FileStatus.CLAIMED   # claimable again


def test_a_first_load_inserts_plainly_and_ends_as_the_upsert_would(conninfo, shop, tmp_path):
    from filegate.ingest.publish import steps

    # a key twice in the batch: the later record wins whether the target is empty or not
    orders = [{"order_id": 1, "customer": "Ann"}, {"order_id": 1, "customer": "Anna"}, {"order_id": 2, "customer": "Bo"}]
    first = deliver(conninfo, shop, tmp_path, "a.json", orders, [])
    plain = dict(steps(shop, first["staging"], frozenset({"orders"})))
    assert "ON CONFLICT" not in plain["shop.orders"].as_string() and "DISTINCT ON" in plain["shop.orders"].as_string()
    assert "ON CONFLICT" in dict(steps(shop, first["staging"]))["shop.orders"].as_string()
    publish_batch(conninfo, shop, first["staging"], [first["file_id"]])
    second = deliver(conninfo, shop, tmp_path, "b.json", orders[:2] + [{"order_id": 3, "customer": "Cy"}], [])
    publish_batch(conninfo, shop, second["staging"], [second["file_id"]])   # not empty now: the upsert
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT order_id, customer FROM shop.orders ORDER BY 1").fetchall() == [
            (1, "Anna"), (2, "Bo"), (3, "Cy")]


def secondary_indexes(conninfo):
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'shop'"
                            " AND indexname NOT LIKE 'pk_%' ORDER BY 1").fetchall()


def test_a_first_load_builds_the_secondary_indexes_after_its_rows(conninfo, shop, tmp_path, caplog, monkeypatch):
    before = secondary_indexes(conninfo)
    assert [name for name, _ in before] == ["ix_order_lines_file_id", "ix_orders_file_id"]

    # a publish that fails after the indexes were dropped: the transaction brings them back
    batch = deliver(conninfo, shop, tmp_path, "a.json", [{"order_id": 1, "customer": "Ann"}],
                    [{"order_id": 1, "line_no": 1, "amount": "5"}])
    monkeypatch.setenv("FILEGATE_INJECT_FAULT", "publish.before_commit")
    with pytest.raises(Exception, match="injected fault"):
        publish_batch(conninfo, shop, batch["staging"], [batch["file_id"]])
    assert secondary_indexes(conninfo) == before and stored(conninfo) == ([], [])
    monkeypatch.delenv("FILEGATE_INJECT_FAULT")

    caplog.clear()
    with caplog.at_level("INFO", logger="filegate.ingest.publish"):
        publish_batch(conninfo, shop, batch["staging"], [batch["file_id"]])
    assert secondary_indexes(conninfo) == before
    assert sorted(r.getMessage() for r in caplog.records if "built over" in r.getMessage()) == [
        "index shop.ix_order_lines_file_id built over the first load", "index shop.ix_orders_file_id built over the first load"]
    caplog.clear()
    second = deliver(conninfo, shop, tmp_path, "b.json", [{"order_id": 2, "customer": "Bo"}], [])
    with caplog.at_level("INFO", logger="filegate.ingest.publish"):
        publish_batch(conninfo, shop, second["staging"], [second["file_id"]])   # orders holds rows now
    assert [r.getMessage() for r in caplog.records if "built over" in r.getMessage()] == []
    assert secondary_indexes(conninfo) == before


def test_keys_the_audit_keeps_unique_go_in_unsorted_and_a_repeat_that_skipped_the_audit_fails_loudly(
        conninfo, shop, tmp_path):
    from dataclasses import replace

    from filegate.ingest.publish import steps

    unique = replace(shop, tables=(replace(ORDERS, unique_across_files=True), LINES, TOTALS))
    first = deliver(conninfo, unique, tmp_path, "a.json", [{"order_id": 1, "customer": "Ann"}], [])
    statement = dict(steps(unique, first["staging"]))["shop.orders"].as_string()
    assert "DISTINCT ON" not in statement and "ON CONFLICT" in statement
    publish_batch(conninfo, unique, first["staging"], [first["file_id"]])
    second = deliver(conninfo, unique, tmp_path, "b.json", [{"order_id": 1, "customer": "Anna"},
                                                            {"order_id": 2, "customer": "Bo"}], [])
    publish_batch(conninfo, unique, second["staging"], [second["file_id"]])
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT order_id, customer FROM shop.orders ORDER BY 1").fetchall() == [
            (1, "Anna"), (2, "Bo")]
    # the audit refuses such a batch; published without it, the repeat is an error, never a silent pick
    third = deliver(conninfo, unique, tmp_path, "c.json", [{"order_id": 3, "customer": "Cy"},
                                                           {"order_id": 3, "customer": "Cyd"}], [])
    with pytest.raises(psycopg.errors.CardinalityViolation):
        publish_batch(conninfo, unique, third["staging"], [third["file_id"]])


def long_text(n: int, seed: int = 7) -> str:
    """Letters no compression shortens much (PostgreSQL compresses index entries first)."""
    import random

    letters = random.Random(seed)
    return "".join(letters.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))


def refusals_of(published) -> dict[int, tuple[int | None, str]]:
    return {file_id: (reject.line, reject.problem) for file_id, reject in published.refused.items()}


def test_issue25_a_value_too_long_to_index_refuses_its_file_alone_at_its_line_and_the_others_load(
        conninfo, shop, tmp_path):
    from dataclasses import replace

    indexed = replace(shop, tables=(replace(ORDERS, indexes={"customer": "btree"}),
                                    replace(LINES, indexes={"attributes": "gin"}), TOTALS))
    with psycopg.connect(conninfo, autocommit=True) as conn:   # the tables as their declaration makes them
        conn.execute("CREATE INDEX ix_orders_customer ON shop.orders (customer)")
        conn.execute("CREATE INDEX ix_order_lines_attributes ON shop.order_lines USING gin (attributes)")
    before = deliver(conninfo, indexed, tmp_path, "0.json", [{"order_id": 9, "customer": "Eve"}], [])
    assert publish_batch(conninfo, indexed, before["staging"], [before["file_id"]]).rows == {before["file_id"]: 1}

    good = deliver(conninfo, indexed, tmp_path, "a.json", [{"order_id": 1, "customer": "Ann"}],
                   [{"order_id": 1, "line_no": 1, "amount": "5"}])
    key = deliver(conninfo, indexed, tmp_path, "b.json",
                  [{"order_id": 2, "customer": "Bo"}, {"order_id": 3, "customer": long_text(3000)}], [])
    gin = deliver(conninfo, indexed, tmp_path, "c.json", [{"order_id": 4, "customer": "Cy"}],
                  [{"order_id": 4, "line_no": n, "amount": "1"} for n in range(1, 6)]
                  + [{"order_id": 4, "line_no": 6, "amount": "1", "attributes": {"agent": long_text(3000, 8)}}])
    staging = {t: f"{good['staging'][t]}_all" for t in good["staging"]}   # one batch: the three files' rows together
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for table, name in staging.items():
            parts = " UNION ALL ".join(f"SELECT * FROM {b['staging'][table]}" for b in (good, key, gin))
            conn.execute(f"CREATE TABLE {name} AS {parts}")
    ids = [good["file_id"], key["file_id"], gin["file_id"]]

    published = publish_batch(conninfo, indexed, staging, ids)
    assert published.rows == {good["file_id"]: 2}
    refused = refusals_of(published)
    assert refused[key["file_id"]][0] == 2 and refused[gin["file_id"]][0] == 6   # the lines of the rows refused
    for _, problem in refused.values():
        assert problem.startswith("PostgreSQL refused its rows at publish (shop.")
        assert "index row size" in problem and "a value too long to index" in problem
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT order_id FROM shop.orders ORDER BY 1").fetchall() == [(1,), (9,)]
        statuses = dict(conn.execute("SELECT filename, status FROM filegate.files").fetchall())
    assert statuses == {"0.json": "loaded", "a.json": "loaded", "b.json": "claimed", "c.json": "claimed"}   # refused by the caller


def test_issue25_an_overflow_in_a_derived_step_refuses_the_file_at_its_line_or_whole(conninfo, shop, tmp_path):
    # the derived totals hold at most 999.99: one line over it names its line; lines that only
    # overflow together refuse the whole file; the other file of the batch loads
    (shop.sql_dir / "publish" / "010_totals.sql").write_text(TOTALS_SQL.replace("sum(l.amount)", "sum(l.amount)::numeric(5, 2)"))
    good = deliver(conninfo, shop, tmp_path, "a.json", [{"order_id": 1, "customer": "Ann"}],
                   [{"order_id": 1, "line_no": 1, "amount": "5"}])
    one = deliver(conninfo, shop, tmp_path, "b.json", [{"order_id": 2, "customer": "Bo"}, {"order_id": 3, "customer": "Cy"}],
                  [{"order_id": 2, "line_no": 1, "amount": "1"}, {"order_id": 3, "line_no": 1, "amount": "5000"}])
    summed = deliver(conninfo, shop, tmp_path, "c.json", [{"order_id": 4, "customer": "Di"}],
                     [{"order_id": 4, "line_no": n, "amount": "600"} for n in (1, 2)])
    for batch in (good, one, summed):
        # staged in three batches of their own, published as three: the kit's steps read only their file's rows
        published = publish_batch(conninfo, shop, batch["staging"], [batch["file_id"]])
        if batch is good:
            assert published.rows == {good["file_id"]: 2} and not published.refused
        elif batch is one:
            # lines of a file count across its tables: orders are its lines 1-2, order_lines 1-2 too here
            [(line, problem)] = refusals_of(published).values()
            assert line == 2 and "the publish step 010_totals.sql" in problem and "numeric field overflow" in problem
        else:
            [(line, problem)] = refusals_of(published).values()
            assert line is None and "numeric field overflow" in problem
    assert stored(conninfo) == ([(1, 1, "5", None)], [(1, 1, "5.00")])


def test_issue25_a_refusal_that_is_not_the_rows_fault_still_fails_the_publish(conninfo, shop, tmp_path):
    batch = deliver(conninfo, shop, tmp_path, "a.json", [{"order_id": 1, "customer": "Ann"}], [])
    (shop.sql_dir / "publish" / "020_broken.sql").write_text("SELECT 1 / 0 FROM shop.orders WHERE false"
                                                              " UNION ALL SELECT no_such_function()")
    with pytest.raises(psycopg.errors.UndefinedFunction):   # a bug in a step: the task fails, Airflow retries
        publish_batch(conninfo, shop, batch["staging"], [batch["file_id"]])
