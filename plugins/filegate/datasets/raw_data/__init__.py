"""raw_data: table extracts in mixed formats, one subfolder per table. Everything specific to it is
in this package (declarations in tables.py) and include/sql/raw_data/. See docs/datasets/raw_data.md.
"""
from __future__ import annotations

from filegate.dataset import Dataset, Table
from filegate.datasets.raw_data.reader import read_raw
from filegate.datasets.raw_data.tables import PG_TYPES, TABLES, UNDECLARED

LINEAGE = {"_file_id": "bigint", "_line": "integer"}

TYPED = tuple(
    Table(name=spec.name,
          staging_columns={**LINEAGE, **{c.name: PG_TYPES[c.type] for c in spec.columns}},
          target=f"raw_data.{spec.name}", keys=spec.keys)
    for spec in TABLES.values()
)
UNDECLARED_TABLE = Table(name=UNDECLARED, staging_columns={**LINEAGE, "source_table": "text", "doc": "jsonb"},
                         target=f"raw_data.{UNDECLARED}")


def _suite(table, staging):
    if table.name == UNDECLARED:
        return None   # nothing is declared about these records, so nothing is checked
    from filegate.datasets.raw_data.suite import table_suite

    return table_suite(table.name, staging)


RAW_DATA = Dataset(
    name="raw_data",
    description="Music-store table extracts (CSV/TSV/NDJSON/JSON arrays), one subfolder per table",
    pattern="*",
    reader=read_raw,
    tables=(*TYPED, UNDECLARED_TABLE),
    suite=_suite,
    reports=("customer_count", "longest_track", "shortest_genre", "top_playlist_artist", "top_album"),
    reloadable=True,   # a changed part re-delivered under its name upserts
    summary_reports=("customer_count", "longest_track", "shortest_genre", "top_playlist_artist", "top_album"),
    tags=("raw_data", "chinook"),
)
