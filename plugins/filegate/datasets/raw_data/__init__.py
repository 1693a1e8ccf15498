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


def _read(path, settings):
    from filegate.datasets.raw_data.reader import read_raw

    return read_raw(path, settings)


def _sample(landing_dir, settings) -> str:
    from filegate.datasets.raw_data.sample import write_sample
    from filegate.kit.delivery import settled_time

    rows = write_sample(landing_dir, created=settled_time(settings))
    return (f"a music-store sample ({sum(map(len, rows.values()))} rows in {len(rows)} tables, mixed formats, "
            "some deliberately bad files)")


REPORTS = ("customer_count", "longest_track", "shortest_genre", "top_playlist_artist", "top_album")

DATASET = Dataset(
    name="raw_data",
    description="Music-store table extracts (CSV/TSV/NDJSON/JSON arrays), one subfolder per table",
    pattern="*",
    reader=_read,
    tables=(*TABLES.values(), UNDECLARED),
    reloadable=True,   # a changed part re-delivered under its name upserts
    summary_reports=REPORTS,
    sample=_sample,
    tags=("raw_data", "chinook"),
)
