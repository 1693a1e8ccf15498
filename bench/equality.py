"""The equal-output check every benchmark run passes before any figure counts.

Each contender's `<table>.json.gz` is reduced to (record count, order-independent digest) of its
records in a canonical form: names compared as filegate matches them (`TrackId` = `track_id`),
lineage fields (`_file_id`, `_line`) left out, numbers compared as decimals (`0.99` = `"0.99"`
= `0.990`) in the declared integer and numeric columns, text exactly, null as null.
"""
from __future__ import annotations

import gzip
import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import orjson

from filegate.datasets.raw_data.tables import TABLES  # noqa: E402
from filegate.kit.tables import match_key  # noqa: E402

MASK = (1 << 64) - 1


@lru_cache(maxsize=None)
def _numeric_keys(table: str) -> frozenset:
    spec = TABLES.get(table)
    return frozenset(match_key(c.source) for c in spec.columns if c.type in ("integer", "bigint", "numeric")) if spec \
        else frozenset()


_key = lru_cache(maxsize=None)(match_key)   # a handful of names, millions of records


def canonical(table: str, record: dict) -> tuple:
    numeric = _numeric_keys(table)
    items = []
    for name, value in record.items():
        if name[0] == "_":
            continue
        key = _key(name)
        if value is not None and key in numeric:
            value = str(value) if type(value) is int else format(Decimal(str(value)).normalize(), "f")
        items.append((key, value))
    items.sort()
    return tuple(items)


def digest(table: str, path: Path) -> tuple[int, int]:
    count, total = 0, 0
    with gzip.open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            record = canonical(table, orjson.loads(line))
            h = hashlib.blake2b(orjson.dumps(record), digest_size=8).digest()
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
