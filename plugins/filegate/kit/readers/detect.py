"""Which reader a file needs, from its first bytes (the extension only breaks ties)."""
from __future__ import annotations

import json
from pathlib import Path

from filegate.kit import jsontext
from filegate.kit.errors import Reject
from filegate.kit.readers import limits
from filegate.kit.readers.compressed import open_bytes


def detect_format(path: Path) -> str:
    """'csv', 'ndjson' or 'json-array', from the first bytes (the extension only breaks ties)."""
    with open_bytes(path) as f:
        head = f.read(limits.CHUNK_BYTES)
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        blank, lines = len(head) - len(text), head.count(b"\n")
        while not text and head:   # a file of whitespace: read on, a chunk at a time, to tell it from an empty one
            head = f.read(limits.CHUNK_BYTES)
            text = head.lstrip()
            blank, lines = blank + len(head) - len(text), lines + head[:len(head) - len(text)].count(b"\n")
    if not text:
        raise Reject(1, "file is empty" if not blank else
                     f"file holds no records: only whitespace ({blank:,} bytes, {lines:,} line breaks)")
    if text[:1] == b"[":
        return "json-array"
    if text[:1] == b"{":
        first = text.split(b"\n", 1)[0]
        if jsontext.decode_lines([first]) is not None:
            return "ndjson"
        try:
            jsontext.exact(first)
            return "ndjson"   # one object on the first line: the reader judges the rest (and names lines)
        except (ValueError, UnicodeDecodeError) as e:
            why = f" ({e.msg})" if isinstance(e, json.JSONDecodeError) else f" ({e})"
        raise Reject(1, f"JSON that is neither one object per line nor an array of objects{why}")
    suffix = Path(path.name.removesuffix(".gz")).suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        raise Reject(1, f"a {suffix} file must hold JSON objects or an array, found {text[:20]!r}")
    return "csv"
