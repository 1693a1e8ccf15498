"""Sales API responses, generated deterministically: the `make run` sample (a few dozen responses
with re-delivered sales, an empty result and some bad files) and the benchmark's volume (322
files, 1,017,244 records, like the pull the seed analysis combined).

Records look like the API's: dates not zero-padded, latitude and longitude as strings, whole
objects missing here and there (`building`, `location`, `lot`, `sale.amount`), leaves null.
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from filegate.settings import Settings

TYPES = [("SFR", "HOUSE", "Single Family Residence"), ("CONDO", "CONDOMINIUM", "Condominium"),
         ("APARTMENT", "APARTMENT", "Multi-Family"), (None, None, None)]
PLACES = [("93001", "VENTURA"), ("93003", "VENTURA"), ("93010", "CAMARILLO"), ("93030", "OXNARD"),
          ("93060", "SANTA PAULA"), ("91320", "NEWBURY PARK")]


def record(rnd: random.Random, attom_id: int, sale_day: date) -> dict:
    """One property record of a response, as the API nests it."""
    proptype, subtype, propclass = rnd.choice(TYPES)
    postal, locality = rnd.choice(PLACES)
    size = rnd.randrange(600, 4200)
    amount = rnd.randrange(150, 2500) * 1000
    rec: dict[str, Any] = {
        "identifier": {"Id": attom_id, "fips": "06111", "apn": f"{attom_id % 10**9:09d}", "attomId": attom_id},
        "lot": {"lotSize1": round(rnd.uniform(0.05, 1.5), 4), "lotSize2": rnd.randrange(2000, 60000)},
        "address": {"country": "US", "countrySubd": "CA", "line1": f"{rnd.randrange(1, 9999)} MAIN ST",
                    "locality": locality, "oneLine": f"… {locality}, CA {postal}", "postal1": postal,
                    "postal2": f"{rnd.randrange(1000, 9999)}"},
        "location": {"accuracy": "Rooftop", "latitude": f"{34 + rnd.random():.6f}",
                     "longitude": f"{-119 - rnd.random():.6f}"},
        "summary": {"propclass": propclass, "propsubtype": subtype, "proptype": proptype,
                    "yearbuilt": rnd.randrange(1900, 2021), "propLandUse": proptype},
        "building": {"size": {"universalsize": size, "livingsize": size},
                     "rooms": {"bathstotal": rnd.choice([1.0, 1.5, 2.0, 2.5, 3.0]), "beds": rnd.randrange(1, 6)}},
        "sale": {"saleTransDate": f"{sale_day.year}-{sale_day.month}-{sale_day.day}",
                 "saleSearchDate": f"{sale_day.year}-{sale_day.month}-{sale_day.day}",
                 "amount": {"saleamt": amount, "salerecdate": _plain(sale_day + timedelta(days=rnd.randrange(3, 20))),
                            "saletranstype": rnd.choice(["Resale", "New Construction", "Refinance"])},
                 "calculation": {"pricepersizeunit": round(amount / size, 2)}},
        "vintage": {"lastModified": "2021-2-3", "pubDate": "2021-2-4"},
    }
    gone = rnd.random()
    if gone < 0.04:
        del rec["building"]
    elif gone < 0.07:
        del rec["location"]
    elif gone < 0.09:
        del rec["lot"]
    elif gone < 0.11:
        del rec["sale"]["amount"], rec["sale"]["calculation"]
    elif gone < 0.15:
        rec["summary"]["yearbuilt"] = None
    return rec


def _plain(day: date) -> str:
    return f"{day.year}-{day.month}-{day.day}"


def response(records: list[dict], page: int = 1, pagesize: int = 10_000, total: int | None = None) -> dict:
    total = len(records) if total is None else total
    return {"status": {"version": "1.0.0", "code": 0 if records else 1,
                       "msg": "SuccessWithResult" if records else "SuccessWithoutResult",
                       "total": total, "page": page, "pagesize": pagesize,
                       "transactionID": f"{hash((total, page)) & 0xffffffff:08x}"},
            "property": records}


def sample_files(seed: int = 11) -> dict[str, tuple[str, str]]:
    """{filename: (kind, text)}: kind 'good', 'empty' or 'bad'. 30 responses of 10-60 sales, sales
    re-delivered in a later response (some with a changed amount), one empty result, four bad ones."""
    rnd = random.Random(seed)
    files: dict[str, tuple[str, str]] = {}
    delivered: list[dict] = []
    for n in range(1, 31):
        records = [record(rnd, 184_000_000 + rnd.randrange(0, 5_000), date(2021, 1, 1) + timedelta(days=rnd.randrange(365)))
                   for _ in range(rnd.randrange(10, 60))]
        if delivered and n % 3 == 0:   # a later pull overlaps an earlier one
            again = [json.loads(json.dumps(r)) for r in rnd.sample(delivered, 5)]
            for r in again[:2]:
                if "amount" in r["sale"]:
                    r["sale"]["amount"]["saleamt"] += 1000   # a corrected amount: the later delivery wins
            records += again
        if n == 7:
            records.append(json.loads(json.dumps(records[0])))   # the same sale twice in one response
        delivered += records
        text = json.dumps(response(records), indent=2 if n % 2 else None)
        files[f"sales_2021_{n:03d}.json"] = ("good", text)
    files["sales_2021_031.json"] = ("empty", json.dumps(response([])))
    short = response([record(rnd, 185_000_001 + i, date(2021, 6, 1)) for i in range(5)], total=8)
    files["sales_2021_090.json"] = ("bad", json.dumps(short))   # status.total says 8, 5 arrived
    files["sales_2021_091.json"] = ("bad", json.dumps([record(rnd, 185_000_100, date(2021, 6, 2))]))   # not a response
    nameless = [record(rnd, 185_000_200 + i, date(2021, 6, 3)) for i in range(3)]
    del nameless[1]["identifier"]["attomId"]
    files["sales_2021_092.json"] = ("bad", json.dumps(response(nameless), indent=2))   # a record without attom_id
    cut = json.dumps(response([record(rnd, 185_000_300 + i, date(2021, 6, 4)) for i in range(4)]), indent=2)
    files["sales_2021_093.json"] = ("bad", cut[: len(cut) // 2])   # the transfer stopped half-way
    return files


def write_sample(landing_dir: Path, created: datetime | None = None) -> dict[str, tuple[str, str]]:
    """Write the sample, each file's time set in delivery order ending at `created` (now)."""
    from filegate.kit.delivery import write_in_delivery_order

    files = sample_files()
    write_in_delivery_order(landing_dir, files, created)
    return files


def write_volume(landing_dir: Path, files: int = 322, records: int = 1_017_244, seed: int = 5) -> int:
    """The benchmark's pull: `records` sales spread over `files` pages of at most 10,000 (one
    page per file, as the API returns them), written as they are made; returns the bytes written."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    written, base = 0, records // files
    for n in range(files):
        count = base + (1 if n < records - base * files else 0)
        page = [record(rnd, 180_000_000 + n * 10_000 + i, date(2015, 1, 1) + timedelta(days=rnd.randrange(2_500)))
                for i in range(count)]
        text = json.dumps(response(page, total=count), indent=None if n % 2 else 1)
        path = landing_dir / f"sales_{n:04d}.json"
        path.write_text(text)
        written += len(text)
    return written


def write_for_first_run(landing_dir: Path, settings: Settings) -> str:
    """The dataset's sample (`Dataset.sample`): written as delivered a while ago, said in a line."""
    from filegate.kit.delivery import settled_time

    files = write_sample(landing_dir, created=settled_time(settings))
    bad = sum(kind == "bad" for kind, _ in files.values())
    return f"{len(files)} sales API responses (sales re-delivered across them, an empty result, {bad} bad ones)"
