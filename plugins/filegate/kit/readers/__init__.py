"""Streaming readers for record files: CSV/TSV (delimiter detected), NDJSON, JSON arrays.

`read_records` gives `(line, record)`, where `record` is a dict of source column name to value
and `line` is where the record starts. The `*_chunks` readers underneath give the same in chunks
of up to CHUNK records, `(lines, records)`, so that parsing runs in C over whole chunks; CSV rows
come as lists after the header. `DocumentRecords` streams the records of an array inside a JSON
document (`{"status": {...}, "property": [...]}`), keeping the rest of the document as its
envelope. Memory is bounded by one chunk (or one record of at most MAX_RECORD_BYTES), whatever
the file size. A file that cannot be read as records raises `Reject` with the line and the problem.

One concern per module: `detect` (which reader), `delimited`, `ndjson`, `json_array`,
`document` and `json_stream` (the formats), `lines` and `compressed` (what all share), `limits`.
Every reader reads through `open_bytes`: a gzip-compressed file is read as its content.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from filegate.kit.readers.compressed import Gunzipped, open_bytes
from filegate.kit.readers.delimited import csv_reader, read_csv_chunks, sniff_delimiter
from filegate.kit.readers.detect import detect_format
from filegate.kit.readers.document import DocumentRecords
from filegate.kit.readers.json_array import read_json_array, read_json_array_chunks
from filegate.kit.readers.json_stream import JsonStream
from filegate.kit.readers.lines import bounded_lines, not_utf8
from filegate.kit.readers.ndjson import json_object, read_ndjson_chunks

__all__ = ["DocumentRecords", "Gunzipped", "JsonStream", "bounded_lines", "csv_reader", "detect_format",
           "json_object", "not_utf8", "open_bytes", "read_csv_chunks", "read_json_array",
           "read_json_array_chunks", "read_ndjson_chunks", "read_records", "sniff_delimiter"]


def read_records(path: Path) -> Iterator[tuple[int, dict]]:
    kind = detect_format(path)
    if kind == "csv":
        chunks = read_csv_chunks(path)
        header = next(chunks)
        return ((line, dict(zip(header, row))) for lines, rows in chunks for line, row in zip(lines, rows))
    chunks = read_ndjson_chunks(path) if kind == "ndjson" else read_json_array_chunks(path)
    return ((line, record) for lines, records in chunks for line, record in zip(lines, records))
