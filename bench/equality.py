"""The equal-output check every benchmark run passes before any figure counts.

Each contender's `<table>.json.gz` is reduced to (record count, order-independent digest) of its
records in a canonical form: names compared as filegate matches them (`TrackId` = `track_id`),
lineage fields (`_file_id`, `_line`) left out, numbers compared as decimals (`0.99` = `"0.99"`
= `0.990`) in the declared integer and numeric columns, text exactly, null as null.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from filegate.datasets.raw_data.tables import TABLES, match_key  # noqa: E402

MASK = (1 << 64) - 1


def canonical(table: str, record: dict) -> tuple:
    spec = TABLES.get(table)
    numeric = {match_key(c.source) for c in spec.columns if c.type in ("integer", "numeric")} if spec else set()
    items = []
    for name, value in record.items():
        if name.startswith("_"):
            continue
        key = match_key(name)
        if value is not None and key in numeric:
            value = format(Decimal(str(value)).normalize(), "f")
        items.append((key, value))
    return tuple(sorted(items, key=lambda kv: kv[0]))


def digest(table: str, path: Path) -> tuple[int, int]:
    count, total = 0, 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = canonical(table, json.loads(line))
            h = hashlib.blake2b(json.dumps(record, ensure_ascii=False).encode(), digest_size=8).digest()
            total = (total + int.from_bytes(h, "big")) & MASK
            count += 1
    return count, total


def output_digests(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name.removesuffix(".json.gz"): digest(p.name.removesuffix(".json.gz"), p)
            for p in sorted(out.glob("*.json.gz"))}


def differences(expected: dict, got: dict) -> list[str]:
    """What differs between two outputs' digests, in words; empty when they are equal."""
    problems = []
    for table in sorted(set(expected) | set(got)):
        if table not in got:
            problems.append(f"{table}: missing")
        elif table not in expected:
            problems.append(f"{table}: unexpected output")
        elif got[table][0] != expected[table][0]:
            problems.append(f"{table}: {got[table][0]} records, expected {expected[table][0]}")
        elif got[table][1] != expected[table][1]:
            problems.append(f"{table}: same count, different records")
    return problems
