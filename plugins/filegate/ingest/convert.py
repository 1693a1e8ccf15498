"""Stream a raw file into newline-delimited JSON gzip, one part per table, with lineage.

Each claimed file becomes `<run>/parts/<table>/<file_id>.json.gz`; `combine_parts` then joins
the parts of the files that passed into `<run>/<table>.json.gz`. Gzip members concatenate
into a valid gzip file, so combining copies bytes and never recompresses.

Memory is bounded by the output buffer and one chunk of records, whatever the file size:
records are written as they are read.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from filegate.ingest import faults
from filegate.kit import jsontext
from filegate.kit.declaration import Dataset
from filegate.kit.errors import Reject, excerpt
from filegate.kit.readers.compressed import open_gzip
from filegate.settings import Settings

log = logging.getLogger(__name__)

FLUSH_BYTES = 1 << 20   # write compressed output in ~1 MiB slices
PROGRESS_EVERY = 1_000_000
NUL = b"\\u0000"   # how the JSON encoder writes a NUL character


@dataclass
class Converted:
    header: dict
    sort_key: str
    rows: dict[str, int] = field(default_factory=dict)   # table -> records written


def part_path(run_dir: Path, table: str, file_id: int) -> Path:
    return run_dir / "parts" / table / f"{file_id}.json.gz"


def convert_file(dataset: Dataset, path: Path, file_id: int, run_dir: Path, settings: Settings) -> Converted:
    """Convert one raw file; a filegate.kit.errors.Reject from the reader propagates, and then
    nothing is left written."""

    parsed = dataset.read(path)
    _refuse_nul([{"_line": None, "header": parsed.header, "sort key": parsed.sort_key}])
    converted = Converted(header=parsed.header, sort_key=parsed.sort_key)
    writers: dict[str, tuple[BinaryIO, bytearray, Path]] = {}
    loaded = {t.name for t in dataset.loaded_tables}
    rows = converted.rows
    encode_lines = jsontext.encoder().encode_lines   # a whole chunk per call, one line per record
    next_progress = PROGRESS_EVERY
    done = False
    try:
        for table, chunk in parsed.chunks:
            if table not in writers and table not in loaded:   # nothing would stage it: never drop silently
                raise RuntimeError(f"the {dataset.name} reader gave records of {table!r}, which is not a loaded "
                                   f"table of the dataset ({sorted(loaded)})")
            out, buffer, _ = _writer(writers, rows, run_dir, table, file_id, settings)
            for record in chunk:
                record["_file_id"] = file_id
            encoded = encode_lines(chunk)
            if NUL in encoded:   # rare: then find the record, or it was an escaped backslash
                _refuse_nul(chunk)
            buffer += encoded
            faults.inject("convert")
            rows[table] += len(chunk)
            if len(buffer) >= FLUSH_BYTES:
                out.write(buffer)
                buffer.clear()
            if rows[table] >= next_progress:
                log.info("%s: %d %s records converted (line %d)", path.name, rows[table], table, chunk[-1]["_line"])
                next_progress += PROGRESS_EVERY
        done = True
    finally:
        for out, buffer, tmp in writers.values():
            if done:
                out.write(buffer)
            out.close()
            if not done:
                tmp.unlink(missing_ok=True)
    for table, (_, _, tmp) in writers.items():
        os.replace(tmp, part_path(run_dir, table, file_id))
    return converted


def _refuse_nul(records: list[dict]) -> None:
    """Reject at the first record holding a NUL character in a key or value: PostgreSQL text
    and jsonb cannot hold one, and failing at stage would take the whole batch down."""
    for record in records:
        field = _nul_field(record, "")
        if field is not None:
            raise Reject(record.get("_line"), f"a NUL character (\\x00) in {field or 'a value'}: "
                                              "PostgreSQL text cannot hold it")


def _nul_field(value: Any, at: str) -> str | None:
    """The path of the first key or string value holding a NUL character, else None."""
    if isinstance(value, str):
        return at if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{at}.{key}" if at else str(key)
            if "\x00" in str(key):
                return f"the name of {excerpt(where)}"
            found = _nul_field(item, where)
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _nul_field(item, f"{at}[{i}]")
            if found is not None:
                return found
    return None


def _writer(writers: dict, rows: dict, run_dir: Path, table: str, file_id: int, settings: Settings) -> tuple:
    """The (gzip file, buffer, temp path) of `table`'s part, opened on first use."""
    entry = writers.get(table)
    if entry is None:
        final = part_path(run_dir, table, file_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(final.name + ".tmp")
        entry = writers[table] = (open_gzip(tmp, settings.gzip_level), bytearray(), tmp)
        rows[table] = 0
    return entry


def combine_parts(run_dir: Path, table: str, file_ids: list[int]) -> Path | None:
    """Join the parts of `file_ids` (in that order) into `<run>/<table>.json.gz`, atomically."""
    parts = [part_path(run_dir, table, i) for i in file_ids]
    parts = [p for p in parts if p.exists()]
    if not parts:
        return None
    target = run_dir / f"{table}.json.gz"
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    os.replace(tmp, target)
    return target
