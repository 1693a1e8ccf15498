"""wells reader: the file's name says what it holds.

- `wellData*.json`: the well master, a JSON array of wells -> `wells`;
- `ProductionData<N>.json`: monthly production, a JSON array -> `production`.

Either may be one line of gigabytes or pretty-printed: the array is streamed a chunk of records
at a time (NDJSON is read too). Records are typed by the table's declaration, then the api is put
in its canonical 14-digit form (`api_number`); a value that is not an API number refuses the file,
naming the line. File order, which decides between two deliveries of one well or one month: arrival
(mtime), then N, then the name.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from filegate.kit.errors import Reject
from filegate.kit.parsed import ParsedFile

PRODUCTION_NAME = re.compile(r"productiondata([0-9]*)", re.IGNORECASE)


def kind_of(path: Path) -> str:
    """'master' or 'production', from the file name; Reject for any other name."""
    stem = path.name[: -len(".json")] if path.name.lower().endswith(".json") else None
    if stem is not None and stem.lower().startswith("welldata"):
        return "master"
    if stem is not None and PRODUCTION_NAME.fullmatch(stem):
        return "production"
    raise Reject(None, "not a wells file: expected the master wellData*.json or production ProductionData<N>.json")


def read_wells(path: Path, settings: None = None) -> ParsedFile:
    from filegate.datasets.wells.tables import PRODUCTION, WELLS
    from filegate.kit.coerce import typed_json
    from filegate.kit.readers import detect_format, read_json_array_chunks, read_ndjson_chunks

    kind = kind_of(path)
    table = WELLS if kind == "master" else PRODUCTION
    form = detect_format(path)
    if form == "csv":
        raise Reject(1, "a wells file must hold a JSON array of records")
    records = read_ndjson_chunks(path) if form == "ndjson" else read_json_array_chunks(path)
    m = PRODUCTION_NAME.fullmatch(path.stem)
    number = int(m.group(1)) if m and m.group(1) else 0
    sort_key = f"{path.stat().st_mtime_ns:020d}|{number:012d}|{path.name}"
    return ParsedFile({"kind": kind, "format": form}, sort_key, with_canonical_api(typed_json(table, records)))


def with_canonical_api(chunks: Iterator[tuple[str, list[dict]]]) -> Iterator[tuple[str, list[dict]]]:
    """The chunks with each record's api in its canonical form (a missing api stays null: the
    suite refuses it with every line that lacks one)."""
    from filegate.datasets.wells.api_number import canonical

    for table, records in chunks:
        try:
            for record in records:
                api = record["api"]
                if api is not None:
                    record["api"] = canonical(api)
        except (ValueError, TypeError) as e:   # TypeError: a value the cache cannot key (a list, an object)
            raise Reject(record["_line"], f"column api: {e}") from None
        yield table, records
