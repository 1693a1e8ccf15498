"""housing reader: one API response per file, `{"status": {...}, "property": [...]}`, pretty-printed
or on one line. The `property` array is streamed (never held whole) and typed into `sales` rows by
the table's source paths; the `status` beside it is checked once the array is read:

- the response must be an object with a `status` object and a `property` array (else: not this shape);
- the records it holds must be the records `status` announces: `total`, or on a page of a larger
  result (`page`, `pagesize`) what that page holds, min(pagesize, total - (page - 1) * pagesize).
  A response that disagrees is a truncated or mis-paginated pull, refused whole;
- an empty result (`"code": 1, "msg": "SuccessWithoutResult", "total": 0, "property": []`) loads as
  zero rows, recorded like any other file.

A record without attom_id or sale date is refused by the suite (both columns are required), with
the others of its file, so the whole response is quarantined with every such line named.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from filegate.kit.errors import Reject, excerpt
from filegate.kit.parsed import ParsedFile


def read_housing(path: Path, settings: None = None) -> ParsedFile:
    from filegate.datasets.housing.tables import SALES
    from filegate.kit.coerce import typed_json
    from filegate.kit.readers import DocumentRecords

    records = DocumentRecords(path, "property")
    header: dict = {}   # filled from the response's status once it is read (the registry keeps it)

    def chunks() -> Iterator[tuple[str, list[dict]]]:
        yield from typed_json(SALES, records)
        header.update(_checked_status(records.envelope, records.count))

    # file order, which decides between two deliveries of one sale: arrival (mtime), then name
    return ParsedFile(header, f"{path.stat().st_mtime_ns:020d}|{path.name}", chunks())


def expected_records(status: dict) -> int:
    """How many records a response with this `status` must hold."""
    total = _count(status, "total")
    if "page" not in status and "pagesize" not in status:
        return total
    page, size = _count(status, "page"), _count(status, "pagesize")
    if page < 1 or size < 1:
        raise Reject(None, f"status page {page} / pagesize {size}: both must be at least 1")
    return max(0, min(size, total - (page - 1) * size))


def _checked_status(envelope: dict, count: int) -> dict:
    status = envelope.get("status")
    if not isinstance(status, dict):
        raise Reject(None, f"not a sales API response: no `status` object beside `property` "
                           f"(found keys {excerpt(sorted(envelope))})")
    expected = expected_records(status)
    if count != expected:
        raise Reject(None, f"status.total says {status.get('total')!r} record(s)"
                           f"{_page(status)}, so {expected} here, but the response holds {count}: "
                           "a truncated or mis-paginated pull")
    return {key: status.get(key) for key in ("code", "msg", "total", "page", "pagesize", "transactionID")
            if key in status}


def _count(status: dict, key: str) -> int:
    value = status.get(key)
    if type(value) is not int or value < 0:
        raise Reject(None, f"status.{key} is {excerpt(value)}, expected a whole number of records")
    return value


def _page(status: dict) -> str:
    return f" (page {status['page']} of size {status['pagesize']})" if "page" in status else ""
