"""A table declaration: names, what is staged and what is published, where it goes, and the
declarations that cannot work, refused when declared."""
import pytest
from sqlalchemy.orm import DeclarativeBase

from filegate.kit.tables import LINEAGE, Column, Table, match_key, model, snake

ITEMS = Table("items", (Column("ItemId", "bigint"), Column("price_raw", "text", staged_only=True),
                        Column("Price", "numeric", required=True), Column("meta.colour", "text")),
              keys=("item_id",), indexes={"colour": "gin"}, comment="Items on sale")


def test_source_names_become_snake_case_and_match_whatever_their_spelling():
    assert [c.name for c in ITEMS.columns] == ["item_id", "price_raw", "price", "colour"]
    assert snake("MediaTypeId") == "media_type_id" and snake("already_snake") == "already_snake"
    assert match_key("Track-Id") == match_key("TRACK_ID") == match_key("trackid")
    assert set(ITEMS.by_match_key) == {"itemid", "priceraw", "price"}   # a nested path is not a flat name
    assert ITEMS.columns[3].path == ("meta", "colour") and ITEMS.columns[0].path is None


def test_raw_spellings_are_staged_but_not_published_and_lineage_comes_first():
    assert [c.name for c in ITEMS.published] == ["item_id", "price", "colour"]
    staged = ITEMS.staging_columns
    assert list(staged)[:2] == list(LINEAGE) and staged["price_raw"] == "text" and "price" in staged


def test_a_dataset_places_its_tables_in_its_schema_once():
    placed = ITEMS.in_schema("shop")
    assert placed.target == "shop.items" and placed.in_schema("other").target == "shop.items"


def test_the_model_is_the_declaration_with_lineage_keys_and_comments():
    class Base(DeclarativeBase):
        pass

    table = model(ITEMS.in_schema("shop"), Base).__table__
    assert [c.name for c in table.columns] == ["item_id", "price", "colour", "file_id", "line", "loaded_at"]
    assert [c.name for c in table.primary_key] == ["item_id"]
    assert not table.c.price.nullable and table.c.colour.nullable
    assert table.schema == "shop" and table.comment == "Items on sale"
    assert {i.name: i.dialect_options["postgresql"]["using"] for i in table.indexes}.items() >= {("ix_items_colour", "gin")}


def test_declarations_that_cannot_work_fail_when_declared():
    with pytest.raises(ValueError, match=r"\['nope'\] are not among its columns"):
        Table("t", (Column("Id", "bigint"),), keys=("nope",))
    with pytest.raises(ValueError, match="two columns share a name"):
        Table("t", (Column("Id", "bigint"), Column("ID", "text", name="id")))
    assert Column("sale.amount.saleAmt", "numeric").name == "sale_amt"
    with pytest.raises(ValueError, match=r"index methods must be btree, gin, brin or hash, not \['gist2'\]"):
        Table("t", (Column("Id", "bigint"),), indexes={"id": "gist2"})
    with pytest.raises(ValueError, match=r"\['nope'\] are not among its columns"):
        Table("t", (Column("Id", "bigint"),), indexes={"nope": "btree"})
    with pytest.raises(KeyError, match="no_such_type"):
        Column("a", "no_such_type")
    with pytest.raises(ValueError, match="extra must be 'refuse' or 'ignore', not 'keep'"):
        Table("t", (Column("a", "text"),), extra="keep")


@pytest.mark.parametrize("declare, problem", [
    (lambda: Column("a.b", "text", aliases=("ab",)), "a path into a nested record takes no aliases"),
    (lambda: Table("t", (Column("a", "text"), Column("b", "text", aliases=("A",)))),
     "two columns share a source name or alias"),
    (lambda: Table("t", (Column("a", "text"),), attributes="a"), "attributes must name one of its hstore or jsonb"),
    (lambda: Table("t", (Column("a", "text"),), attributes="b"), "attributes must name one of its hstore or jsonb"),
])
def test_aliases_and_the_attributes_column_are_checked_at_declaration(declare, problem):
    with pytest.raises(ValueError, match=problem):
        declare()
