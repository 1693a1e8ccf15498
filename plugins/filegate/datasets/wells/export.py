"""The seed's aggregated document, one NDJSON line per operator, shaped as the rows stream by:

    {"operator": "NOBLE ENERGY INC", "wells": {"05123456780000": {"wellName": …, …,
        "productionData": [{"year": 2019, "month": 7, "oil": 1234.5, …}, …]}, …}}

`include/sql/wells/exports/operator_wells.sql` gives one row per well, ordered by operator and api:
(operator, api, the well's fields as a JSON object, its months as a JSON array or null), the JSON
built by PostgreSQL. Each row is written as it comes, so an operator's wells are never held, however
many: the most held is one well's months (at most twelve a year, by the production key).
"""
from __future__ import annotations

from typing import Iterator

import orjson


def operator_wells(rows: Iterator[tuple]) -> Iterator[bytes]:
    dumps = orjson.dumps
    operator = None
    for row_operator, api, well, months in rows:
        if operator is None or row_operator != operator:
            if operator is not None:
                yield b"}}\n"
            operator = row_operator
            yield b'{"operator":' + dumps(operator) + b',"wells":{'
        else:
            yield b","
        # the well's own object, with its months added as its last member
        yield (dumps(api) + b":" + well.encode()[:-1] + b',"productionData":' + (months or "[]").encode() + b"}")
    if operator is not None:
        yield b"}}\n"
