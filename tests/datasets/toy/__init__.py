"""
### toy: a dataset defined only in the test folder

Shop sales as API responses, `{"meta": {"count": N}, "items": [...]}`: nested records flattened by
source paths, typed by the kit's column types, the envelope's declared count checked. It is one
package (this folder: declaration, reader, migration, SQL) that filegate discovers through
FILEGATE_DATASETS_PATH, proving that a dataset needs nothing outside its own place.
"""
from __future__ import annotations

from pathlib import Path

from filegate.kit.declaration import Dataset
from filegate.kit.tables import Column, Table

ITEMS = Table(
    name="items",
    columns=(
        Column("id", "bigint"),
        Column("shop.name", "text", name="shop", required=True),
        Column("sold.on", "date", name="sold_on"),
        Column("sold.price", "numeric", name="price"),
        Column("sold.weight_kg", "double", name="weight_kg"),
        Column("paid", "boolean"),
        Column("tags", "hstore"),
        Column("raw", "jsonb"),
    ),
    keys=("id",),
    minimum={"price": 0},
    extra="ignore",   # API responses carry more than we keep
    comment="Toy shop sales",
)


def read(path, settings):
    from filegate.kit.coerce import typed_json
    from filegate.kit.errors import Reject
    from filegate.kit.parsed import ParsedFile
    from filegate.kit.readers import DocumentRecords

    records = DocumentRecords(path, "items")

    def chunks():
        yield from typed_json(ITEMS, records)
        declared = records.envelope.get("meta", {}).get("count")
        if declared != records.count:
            raise Reject(None, f"meta.count says {declared} records, the document holds {records.count}")

    return ParsedFile({}, path.name, chunks())


DATASET = Dataset(
    name="toy",
    description="Toy shop sales (a test dataset)",
    pattern="*.json",
    reader=read,
    tables=(ITEMS,),
    reloadable=True,
    sql_dir=Path(__file__).parent / "sql",
)
