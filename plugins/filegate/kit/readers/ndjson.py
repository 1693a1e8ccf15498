"""NDJSON: one JSON object per line, a run of lines decoded at once."""
from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Iterator

from filegate.kit import jsontext
from filegate.kit.errors import Reject
from filegate.kit.readers import limits
from filegate.kit.readers.compressed import open_bytes
from filegate.kit.readers.lines import bad_bytes, bounded_lines


def read_ndjson_chunks(path: Path) -> Iterator[tuple[range | list[int], list[dict]]]:
    """One JSON object per line, CHUNK lines at a time, decoded by `jsontext`'s rules (a chunk it
    cannot vouch for is read line by line, and the first bad line named)."""
    with open_bytes(path) as f:
        done, source = 0, bounded_lines(f, b"")
        while chunk := list(islice(source, limits.CHUNK)):
            if done == 0:
                chunk[0] = chunk[0].removeprefix(b"\xef\xbb\xbf")
            records = jsontext.decode_lines(chunk)
            if records is not None and all(type(r) is dict for r in records):
                yield range(done + 1, done + 1 + len(chunk)), records
                done += len(chunk)
                continue
            lines, records = [], []
            for number, raw in enumerate(chunk, start=done + 1):
                if not raw.strip():
                    continue
                lines.append(number)
                records.append(json_object(number, raw))
            done += len(chunk)
            if records:
                yield lines, records


def json_object(number: int, raw: bytes | str) -> dict:
    """Line `number`'s one JSON object, by `jsontext.exact`; Reject naming the line otherwise."""
    try:
        record = jsontext.exact(raw)
    except UnicodeDecodeError as e:
        raise bad_bytes(number, e) from None
    except json.JSONDecodeError as e:
        raise Reject(number, f"not a JSON object: {e.msg} (column {e.colno})") from None
    except jsontext.Problem as e:
        raise Reject(number, str(e)) from None
    if type(record) is not dict:
        raise Reject(number, f"expected a JSON object, found {type(record).__name__}")
    return record
