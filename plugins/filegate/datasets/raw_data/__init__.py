"""
### raw_data: music-store table extracts

Loads table extracts dropped as `landing/raw_data/<table>/<table>_<n>.<ext>` (CSV with `,` `;`
tab or `|`, NDJSON, JSON arrays) into typed `raw_data.<table>` tables.

wait → claim → convert each file (typed by the declared schema) → stage → audit (Great
Expectations: keys, ranges, references) → publish (upsert by primary key, later parts win) → archive.
A subfolder with no declared schema is kept as JSONB in `raw_data.undeclared_records`. Reports
(`reports/raw_data/<report>/<YYYY-MM-DD>.csv`): customer_count, longest_track, shortest_genre,
top_playlist_artist, top_album; ties are listed in a fixed order. See docs/datasets/raw_data.md.
"""
from __future__ import annotations

from filegate.datasets.raw_data.tables import TABLES, UNDECLARED
from filegate.kit.declaration import Dataset

REPORTS = ("customer_count", "longest_track", "shortest_genre", "top_playlist_artist", "top_album")

DATASET = Dataset(
    name="raw_data",
    description="Music-store table extracts (CSV/TSV/NDJSON/JSON arrays), one subfolder per table",
    pattern="*",
    tables=(*TABLES.values(), UNDECLARED),
    undeclared=UNDECLARED.name,   # no reader of its own: the kit's default reader
    reloadable=True,   # a changed part re-delivered under its name upserts
    summary_reports=REPORTS,
    sample="filegate.datasets.raw_data.sample:write_for_first_run",
    tags=("raw_data", "chinook"),
)
