"""Well master and production files, generated deterministically: the `make run` sample (two
masters, a sold well, re-delivered months and some bad files) and the benchmark's volume (a
master of 50,000 wells over 300 operators, a few of them holding thousands, and 49 production
files of 20,000,000 months, over 2 GB), written as they are made, never held.

API numbers are spelled every way deliveries spell them (`05-123-45678-00`, `05123456780000`,
`05-123-45678`); production files alternate one line and pretty-printed (`indent=2`).
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from filegate.settings import Settings

COUNTIES = [("001", "ADAMS"), ("013", "BOULDER"), ("045", "GARFIELD"), ("123", "WELD"), ("103", "RIO BLANCO")]
FIELDS = ["WATTENBERG", "GREATER WATTENBERG", "PARACHUTE", "RANGELY", "SPINDLE"]
STATUSES = ["PR", "PR", "PR", "SI", "TA", "AB"]
TYPES = ["OIL", "OIL", "GAS", "OIL/GAS", "WATER INJ"]
BIG = ["NOBLE ENERGY INC", "KERR MCGEE OIL & GAS ONSHORE LP", "PDC ENERGY INC", "EXTRACTION OIL & GAS INC",
       "BONANZA CREEK ENERGY OPERATING CO LLC", "CRESTONE PEAK RESOURCES OPERATING LLC"]


def operators(n: int) -> list[str]:
    return BIG[:n] + [f"OPERATOR {i:03d} LLC" for i in range(len(BIG), n)]


def api_parts(county: str, n: int) -> tuple[str, str, str]:
    """(state, county, well): Colorado, the county's code, the well's number in it."""
    return "05", county, f"{n % 100_000:05d}"


def spelled(parts: tuple[str, str, str], rnd: random.Random) -> str:
    """One of the three spellings deliveries use for the same well."""
    state, county, well = parts
    return rnd.choice((f"{state}-{county}-{well}-00", f"{state}{county}{well}0000", f"{state}-{county}-{well}"))


def canonical(parts: tuple[str, str, str]) -> str:
    return "".join(parts) + "0000"


def well(rnd: random.Random, parts: tuple[str, str, str], operator: str, county: str) -> dict:
    spud = date(rnd.randrange(1985, 2020), rnd.randrange(1, 13), rnd.randrange(1, 29))
    return {"api": spelled(parts, rnd), "wellName": f"STATE {rnd.randrange(1, 40)}-{rnd.randrange(1, 36)}",
            "operator": operator, "county": county, "field": rnd.choice(FIELDS), "status": rnd.choice(STATUSES),
            "wellType": rnd.choice(TYPES), "spudDate": spud.isoformat(),
            "latitude": round(39.5 + rnd.random() * 1.5, 6), "longitude": round(-105.2 + rnd.random() * 2.5, 6)}


def month(rnd: random.Random, api: str, year: int, m: int) -> dict:
    idle = rnd.random() < 0.08
    return {"api": api, "year": year, "month": m,
            "oil": 0 if idle else round(rnd.uniform(5, 4000), 2), "gas": 0 if idle else round(rnd.uniform(10, 9000), 1),
            "water": round(rnd.uniform(0, 900), 2), "days": 0 if idle else rnd.randrange(20, 31)}


def text(records: list[dict], pretty: bool) -> str:
    return json.dumps(records, indent=2 if pretty else None)


def sample_files(seed: int = 17) -> dict[str, tuple[str, str]]:
    """{filename: (kind, text)}, in delivery order; kind 'good' or 'bad'."""
    rnd = random.Random(seed)
    names = operators(8)
    wells = {}
    for i in range(60):
        code, county = rnd.choice(COUNTIES)
        parts = api_parts(code, 10_000 + i * 7)
        wells[parts] = well(rnd, parts, names[min(int(rnd.expovariate(0.5)), len(names) - 1)], county)
    files: dict[str, tuple[str, str]] = {"wellData.json": ("good", text(list(wells.values()), pretty=True))}
    sold = rnd.sample(sorted(wells), 3)
    update = [dict(wells[p], operator=names[(names.index(wells[p]["operator"]) + 1) % len(names)]) for p in sold]
    new = [api_parts("123", 20_000 + i) for i in range(2)]
    update += [well(rnd, p, names[0], "WELD") for p in new]
    files["wellData_update.json"] = ("good", text(update, pretty=False))   # a later master: 3 wells sold, 2 new
    everything = [*wells, *new]
    for n in range(1, 4):   # a year each: 2021, 2022, 2023 (the new wells from 2023)
        year = 2020 + n
        records = [month(rnd, spelled(p, rnd), year, m) for p in everything if n == 3 or p not in new
                   for m in range(1, 13)]
        if n == 3:   # corrected volumes for months delivered the year before
            records += [dict(month(rnd, spelled(p, rnd), 2022, 12), oil=1.5) for p in sorted(wells)[:4]]
        files[f"ProductionData{n}.json"] = ("good", text(records, pretty=n % 2 == 1))
    stranger = [month(rnd, spelled(p, rnd), 2023, 1) for p in sorted(wells)[:5]]
    stranger[3]["api"] = "05-999-99999-00"
    files["ProductionData90.json"] = ("bad", text(stranger, pretty=True))   # production of a well no master has
    negative = [month(rnd, spelled(p, rnd), 2023, 2) for p in sorted(wells)[:5]]
    negative[2]["oil"] = -12.5
    files["ProductionData91.json"] = ("bad", text(negative, pretty=False))
    thirteenth = [month(rnd, spelled(p, rnd), 2023, 3) for p in sorted(wells)[:5]]
    thirteenth[4]["month"] = 13
    files["ProductionData92.json"] = ("bad", text(thirteenth, pretty=True))
    misspelled = [month(rnd, spelled(p, rnd), 2023, 4) for p in sorted(wells)[:5]]
    misspelled[1]["api"] = "05-123-4567"
    files["ProductionData93.json"] = ("bad", text(misspelled, pretty=True))
    cut = text([month(rnd, spelled(p, rnd), 2023, 5) for p in sorted(wells)[:20]], pretty=True)
    files["ProductionData94.json"] = ("bad", cut[: len(cut) // 2])   # the transfer stopped half-way
    return files


def write_sample(landing_dir: Path, created: datetime | None = None) -> dict[str, tuple[str, str]]:
    """Write the sample, each file's time set in delivery order ending at `created` (now)."""
    from filegate.kit.delivery import write_in_delivery_order

    files = sample_files()
    write_in_delivery_order(landing_dir, files, created)
    return files


def write_volume(landing_dir: Path, wells: int = 50_000, operator_count: int = 300, files: int = 49,
                 records: int = 20_000_000, seed: int = 3) -> dict[str, int]:
    """The benchmark's delivery: `wellData.json` and `ProductionData1..<files>.json`, about
    `records` months (each well reporting a run of consecutive months up to 2024-12), cut into
    `files` files of equal count, odd ones pretty-printed. Returns {"wells", "records", "bytes"}."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    names = operators(operator_count)
    weights = list(accumulate(1 / (rank + 1) for rank in range(operator_count)))   # Zipf: a few hold thousands
    master = []
    for i in range(wells):
        code, county = COUNTIES[i % len(COUNTIES)]
        operator = names[i] if i < operator_count else rnd.choices(names, cum_weights=weights)[0]
        master.append(well(rnd, api_parts(code, i), operator, county))
    written = _write(landing_dir / "wellData.json", iter(master), pretty=True)
    per_well = records // wells
    counts = (per_well + (i < records - per_well * wells) for i in range(wells))
    stream = _months(rnd, (api_parts(COUNTIES[i % len(COUNTIES)][0], i) for i in range(wells)), counts)
    total = 0
    for n in range(1, files + 1):
        count = records // files + (n <= records % files)
        written += _write(landing_dir / f"ProductionData{n}.json", _take(stream, count), pretty=n % 2 == 1)
        total += count
    return {"wells": wells, "records": total, "bytes": written}


def _months(rnd: random.Random, wells: Iterator[tuple[str, str, str]], counts: Iterator[int]) -> Iterator[dict]:
    """Each well's last `count` months up to 2024-12, in order, well after well."""
    last = 2024 * 12 + 11
    for parts, count in zip(wells, counts):
        for index in range(last - count + 1, last + 1):
            yield month(rnd, spelled(parts, rnd), index // 12, index % 12 + 1)


def _take(stream: Iterator[dict], count: int) -> Iterator[dict]:
    for _ in range(count):
        yield next(stream)


def _write(path: Path, records: Iterator[dict], pretty: bool) -> int:
    """A JSON array written record by record, as `json.dumps` would lay it out; returns bytes written."""
    dumps = (lambda r: json.dumps(r, indent=2).replace("\n", "\n  ")) if pretty else json.dumps
    opening, separator, closing = ("[\n  ", ",\n  ", "\n]") if pretty else ("[", ", ", "]")
    written = 0
    with open(path, "w") as f:
        f.write(opening)
        for i, record in enumerate(records):
            piece = (separator if i else "") + dumps(record)
            f.write(piece)
            written += len(piece)
        f.write(closing)
    return written + len(opening) + len(closing)


def write_for_first_run(landing_dir: Path, settings: Settings) -> str:
    """The dataset's sample (`Dataset.sample`): written as delivered a while ago, said in a line."""
    from filegate.kit.delivery import settled_time

    files = write_sample(landing_dir, created=settled_time(settings))
    bad = sum(kind == "bad" for kind, _ in files.values())
    return (f"{len(files)} well master and production files (a well sold in a later master, corrected months, "
            f"{bad} bad ones)")
