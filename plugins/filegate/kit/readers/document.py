"""The records of an array inside one JSON document, the rest kept as its envelope."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from filegate.kit.errors import Reject
from filegate.kit.readers import limits
from filegate.kit.readers.json_stream import JsonStream
from filegate.kit.readers.lines import not_utf8


class DocumentRecords:
    """The records of the array at `at` (dotted steps, e.g. `property` or `response.items`)
    inside one JSON document, streamed as `(lines, records)` chunks; everything else in the
    document is kept in `envelope` (nested as in the document), complete once iteration ends, for
    checks such as a declared record count. Values beside the array are read whole, each bounded by
    MAX_RECORD_BYTES; the array is never held."""

    def __init__(self, path: Path, at: str):
        self.path, self.steps = path, tuple(at.split("."))
        self.envelope: dict = {}
        self.count = 0

    def __iter__(self) -> Iterator[tuple[list[int], list[dict]]]:
        lines, records = [], []
        try:
            with JsonStream(self.path) as stream:
                stream.expect("{", f"a JSON object holding {'.'.join(self.steps)!r}")
                for line, record in self._object(stream, 0, self.envelope):
                    lines.append(line)
                    records.append(record)
                    if len(records) == limits.CHUNK:
                        yield lines, records
                        lines, records = [], []
                stream.expect_end("data after the end of the JSON document")
        except UnicodeDecodeError as e:
            raise not_utf8(self.path, e) from None
        if records:
            yield lines, records

    def _object(self, stream: "JsonStream", depth: int, envelope: dict) -> Iterator[tuple[int, dict]]:
        """The members of an object whose `{` was read; descends into the next step of the path."""
        found = False
        for key in stream.object_keys():
            if key == self.steps[depth] and not found:
                found = True
                if depth + 1 < len(self.steps):
                    stream.expect("{", f"an object at {'.'.join(self.steps[:depth + 1])!r}")
                    yield from self._object(stream, depth + 1, envelope.setdefault(key, {}))
                else:
                    stream.expect("[", f"an array at {'.'.join(self.steps)!r}")
                    for line, record in stream.array_elements():
                        self.count += 1
                        yield line, record
            else:
                envelope[key] = stream.value()
        if not found:
            raise Reject(stream.line, f"the document has no {'.'.join(self.steps[:depth + 1])!r}")
