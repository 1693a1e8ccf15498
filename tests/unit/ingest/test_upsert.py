"""The publish statements a declaration generates: which form each kind of table gets, and every
identifier quoted (names come from declarations, and a declaration's names from the data's)."""
import pytest

from filegate.ingest import upsert
from filegate.kit.tables import Column, Table

STAGING = {"orders": "staging.orders_r1", "lines": "staging.lines_r1", "notes": "staging.notes_r1"}
ORDERS = Table("orders", (Column("order_id", "bigint"), Column("total", "numeric")), keys=("order_id",),
               schema="shop")
LINES = Table("lines", (Column("order_id", "bigint"), Column("line_no", "integer"), Column("sku", "text")),
              keys=("order_id", "line_no"), parent=("orders", ("order_id",)), schema="shop")
NOTES = Table("notes", (Column("text", "text"),), schema="shop")   # unkeyed


def text(statement) -> str:
    return statement.as_string(None)


def test_a_keyed_table_upserts_the_batchs_latest_record_per_key():
    [statement] = upsert.statements(ORDERS, STAGING)
    sql = text(statement)
    assert sql.startswith('INSERT INTO "shop"."orders" ("order_id", "total", file_id, line, loaded_at)')
    assert 'SELECT DISTINCT ON (s."order_id")' in sql and "f.sort_key DESC" in sql
    assert sql.endswith('ON CONFLICT ("order_id") DO UPDATE SET "total" = EXCLUDED."total", '
                        '"file_id" = EXCLUDED."file_id", "line" = EXCLUDED."line", "loaded_at" = EXCLUDED."loaded_at"')


def test_an_empty_table_gets_a_plain_insert_and_a_key_unique_across_files_no_sort():
    assert "ON CONFLICT" not in text(upsert.statements(ORDERS, STAGING, empty=True)[0])
    unique = Table("orders", ORDERS.columns, keys=("order_id",), unique_across_files=True, schema="shop")
    assert "DISTINCT ON" not in text(upsert.statements(unique, STAGING)[0])


def test_an_unkeyed_table_replaces_the_rows_of_the_files_earlier_versions():
    delete, insert = map(text, upsert.statements(NOTES, STAGING))
    assert delete.startswith('DELETE FROM "shop"."notes" t USING filegate.files earlier')
    assert "earlier.filename = f.filename" in delete
    assert insert.startswith('INSERT INTO "shop"."notes" ("text", file_id, line, loaded_at)')


def test_a_child_table_first_loses_the_children_of_every_parent_the_batch_delivers():
    labels = [(label, text(s)) for label, s in upsert.for_tables((ORDERS, LINES), STAGING)]
    assert [label for label, _ in labels] == ["shop.orders", "shop.lines", "shop.lines"]
    assert labels[1][1] == ('DELETE FROM "shop"."lines" t WHERE (t."order_id") IN (SELECT p."order_id" FROM '
                            '"staging"."orders_r1" p WHERE p._file_id = ANY(%(file_ids)s))')


def test_derived_tables_are_left_to_the_datasets_sql_and_a_bad_parent_is_refused():
    derived = Table("totals", (Column("order_id", "bigint"),), keys=("order_id",), derived=True, schema="shop")
    assert [label for label, _ in upsert.for_tables((ORDERS, derived), STAGING)] == ["shop.orders"]
    orphan = Table("lines", LINES.columns, keys=LINES.keys, parent=("totals", ("order_id",)), schema="shop")
    with pytest.raises(ValueError, match="parent 'totals' must be a keyed, loaded table"):
        upsert.for_tables((derived, orphan), STAGING)


def test_names_from_a_declaration_are_quoted_never_spliced():
    hostile = Table("odd", (Column('id"; DROP TABLE x; --', "bigint", name='id"; DROP TABLE x; --'),),
                    keys=('id"; DROP TABLE x; --',), schema="shop")
    sql = text(upsert.statements(hostile, {"odd": "staging.odd"})[0])
    assert '"id""; DROP TABLE x; --"' in sql and 'id"; DROP' not in sql.replace('id""; DROP', "")
