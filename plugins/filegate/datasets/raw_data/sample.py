"""A deterministic Chinook-shaped sample for raw_data, in every format the dataset accepts.

`generate()` makes the rows (source column names, typed values); `write_sample()` splits each
table into parts written as CSV (`,` `;` `|`), TSV, NDJSON and JSON arrays, with awkward text
(delimiters, quotes, newlines, non-ASCII) and a BOM, plus deliberately bad files and an
undeclared subfolder. The bad files carry rows that would change the report answers if any of
them were loaded, so a partial load cannot pass unnoticed.
"""
from __future__ import annotations

import csv
import json
import os
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filegate.datasets.raw_data.tables import TABLES

if TYPE_CHECKING:
    from filegate.kit.tables import Table
    from filegate.settings import Settings

AWKWARD = ["Antônio Carlos Jobim", "Earth, Wind & Fire", 'The "Quoted" Band', "Line\nBreak Ensemble", "Björk",
           "Motörhead", "Сплин", "坂本龍一", "AC/DC; Live", "Pipe | Band", "Tab\tSeparated Sound"]
FORMATS = ("csv", "ndjson", "csv;", "json-array", "tsv", "csv|")
GENRES = ["Rock", "Jazz", "Metal", "Alternative & Punk", "Rock And Roll", "Blues", "Latin", "Reggae", "Pop",
          "Soundtrack", "Bossa Nova", "Easy Listening"]


def generate(seed: int = 3, tracks: int = 1500) -> dict[str, list[dict]]:
    rnd = random.Random(seed)
    rows: dict[str, list[dict]] = {}
    n_artists, n_albums = max(20, tracks // 25), max(40, tracks // 12)
    rows["artists"] = [{"ArtistId": i, "Name": AWKWARD[i - 1] if i <= len(AWKWARD) else f"Artist {i:04d}"}
                       for i in range(1, n_artists + 1)]
    rows["genres"] = [{"GenreId": i, "Name": name} for i, name in enumerate(GENRES, start=1)]
    rows["media_types"] = [{"MediaTypeId": i, "Name": n} for i, n in enumerate(
        ["MPEG audio file", "Protected AAC audio file", "Protected MPEG-4 video file", "Purchased AAC audio file",
         "AAC audio file"], start=1)]
    rows["albums"] = [{"AlbumId": i, "Title": f"Album {i:04d}", "ArtistId": rnd.randint(1, n_artists)}
                      for i in range(1, n_albums + 1)]
    rows["tracks"] = [{
        "TrackId": i, "Name": f"Track {i:05d}" if i % 97 else f"Song, \"{i}\"\nreprise",
        "AlbumId": rnd.randint(1, n_albums), "MediaTypeId": rnd.randint(1, 5),
        "GenreId": rnd.randint(1, len(GENRES)), "Composer": None if i % 7 == 0 else f"Composer {i % 300}",
        "Milliseconds": rnd.randint(60_000, 600_000), "Bytes": rnd.randint(1_000_000, 12_000_000),
        "UnitPrice": rnd.choice(["0.99", "1.99"]),
    } for i in range(1, tracks + 1)]
    rows["playlists"] = [{"PlaylistId": i, "Name": f"Playlist {i}"} for i in range(1, 11)]
    pairs = sorted({(p, rnd.randint(1, tracks)) for p in range(1, 11) for _ in range(p * tracks // 400)})
    rows["playlist_track"] = [{"PlaylistId": p, "TrackId": t} for p, t in pairs]
    rows["employees"] = [{
        "EmployeeId": i, "LastName": f"Last{i}", "FirstName": f"First{i}", "Title": "Sales Support Agent",
        "ReportsTo": None if i == 1 else 1, "BirthDate": f"19{60 + i}-0{i % 9 + 1}-1{i % 9} 00:00:00",
        "HireDate": f"2002-0{i % 9 + 1}-14 00:00:00", "Address": f"{i} Main St, Suite {i}", "City": "Calgary",
        "State": "AB", "Country": "Canada", "PostalCode": "T2P 2T3", "Phone": "+1 (403) 262-3443",
        "Fax": None, "Email": f"e{i}@chinookcorp.com",
    } for i in range(1, 9)]
    rows["customers"] = [{
        "CustomerId": i, "FirstName": ["Luís", "Leonie", "François", "Bjørn", "Zoë"][i % 5], "LastName": f"Cust{i}",
        "Company": None if i % 3 else f"Company {i}, Ltd.", "Address": f"{i} Rua \"Principal\"", "City": "São Paulo",
        "State": None, "Country": "Brazil", "PostalCode": f"{i:05d}", "Phone": None, "Fax": None,
        "Email": f"c{i}@example.com", "SupportRepId": rnd.randint(2, 8),
    } for i in range(1, 60)]
    rows["invoices"], rows["invoice_items"] = [], []
    start = datetime(2021, 1, 1)
    line_id = 0
    for i in range(1, max(60, tracks // 4) + 1):
        lines = []
        for _ in range(rnd.randint(1, 9)):
            line_id += 1
            track = rows["tracks"][rnd.randint(1, tracks) - 1]
            lines.append({"InvoiceLineId": line_id, "InvoiceId": i, "TrackId": track["TrackId"],
                          "UnitPrice": track["UnitPrice"], "Quantity": 1})
        total = sum(float(line["UnitPrice"]) for line in lines)
        rows["invoices"].append({
            "InvoiceId": i, "CustomerId": rnd.randint(1, 59),
            "InvoiceDate": (start + timedelta(days=i)).strftime("%Y-%m-%d 00:00:00"),
            "BillingAddress": "Av. Paulista, 2022", "BillingCity": "São Paulo", "BillingState": "SP",
            "BillingCountry": "Brazil", "BillingPostalCode": "01310-200", "Total": f"{total:.2f}"})
        rows["invoice_items"].extend(lines)
    return rows


def bad_files(rows: dict[str, list[dict]]) -> dict[str, tuple[str, str]]:
    """{relative path: (format, content)} for files that must be refused whole."""
    longest = max(r["Milliseconds"] for r in rows["tracks"])
    # would become the longest track, and one row breaks the suite (milliseconds > 0)
    bad_tracks = [dict(rows["tracks"][0], TrackId=900001, Name="Too Long", Milliseconds=longest * 10),
                  dict(rows["tracks"][1], TrackId=900002, Name="Negative", Milliseconds=-5)]
    # would make album 1 the best seller, and one line refers to a track that does not exist
    album_one = [t["TrackId"] for t in rows["tracks"] if t["AlbumId"] == 1] or [1]
    items = [{"InvoiceLineId": 800000 + k, "InvoiceId": 1, "TrackId": album_one[0], "UnitPrice": "0.99",
              "Quantity": 1} for k in range(400)]
    items.append({"InvoiceLineId": 800999, "InvoiceId": 1, "TrackId": 999999, "UnitPrice": "0.99", "Quantity": 1})
    return {
        "tracks/tracks_90.csv": ("csv", _render("csv", TABLES["tracks"], bad_tracks)),
        "invoice_items/invoice_items_90.json": ("ndjson", _render("ndjson", TABLES["invoice_items"], items)),
        "albums/albums_90.json": ("json", json.dumps({"AlbumId": 9000, "Title": "One object"}, indent=2) + "\n"),
        "playlists/playlists_90.csv": ("csv", "PlaylistId,Name\n900,Fine\n901,Too,Many,Fields\n"),
    }


def write_sample(landing_dir: Path, seed: int = 3, tracks: int = 1500, bad: bool = True,
                 created: datetime | None = None) -> dict[str, list[dict]]:
    """Write the sample into `landing_dir` (= landing/raw_data); return the good rows written."""
    rows = generate(seed, tracks)
    k = 0
    for table, table_rows in rows.items():
        spec = TABLES[table]
        parts = 3 if len(table_rows) > 100 else 2 if len(table_rows) > 10 else 1
        size = -(-len(table_rows) // parts)
        for n in range(parts):
            fmt = FORMATS[k % len(FORMATS)]
            k += 1
            ext = {"ndjson": "json", "json-array": "json", "tsv": "tsv"}.get(fmt, "csv")
            text = _render(fmt, spec, table_rows[n * size:(n + 1) * size])
            _write(landing_dir / table / f"{table}_{n + 1}.{ext}", text, bom=(table, n) == ("customers", 0),
                   created=created)
    if bad:
        for rel, (_, text) in bad_files(rows).items():
            _write(landing_dir / rel, text, created=created)
        reviews = "".join(json.dumps({"review_id": i, "stars": i % 5 + 1, "text": f"Review {i} – très bien"},
                                     ensure_ascii=False) + "\n" for i in range(1, 21))
        _write(landing_dir / "reviews" / "reviews_1.json", reviews, created=created)
    return rows


def _render(fmt: str, spec: Table, rows: list[dict]) -> str:
    sources = [c.source for c in spec.columns]
    if fmt in ("ndjson", "json-array"):
        typed = [{s: _json_value(spec, s, r.get(s)) for s in sources} for r in rows]
        if fmt == "ndjson":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in typed)
        return "[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in typed) + "\n]\n"
    delimiter = {"csv": ",", "csv;": ";", "csv|": "|", "tsv": "\t"}[fmt]
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(sources)
    for r in rows:
        writer.writerow(["" if r.get(s) is None else r[s] for s in sources])
    return out.getvalue()


def _json_value(spec: Table, source: str, value: Any) -> Any:
    column = next(c for c in spec.columns if c.source == source)
    if value is None:
        return None
    if column.type == "numeric":
        return float(value)
    if column.type == "timestamp":
        return value.replace(" ", "T")
    return value


def _write(path: Path, text: str, bom: bool = False, created: datetime | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    if created is not None:
        stamp = created.timestamp()
        os.utime(path, (stamp, stamp))


def write_volume(landing_dir: Path, tracks: int, parts: int = 10, seed: int = 5) -> list[Path]:
    """Benchmark volume: `tracks` track rows streamed into `parts` files of rotating formats (plus
    the small parent tables they refer to), in constant memory whatever `tracks` is."""
    rnd = random.Random(seed)
    parents = generate(seed, tracks=1500)
    for table in ("artists", "genres", "media_types", "albums"):
        _write(landing_dir / table / f"{table}_1.csv", _render("csv", TABLES[table], parents[table]))
    n_albums, spec = len(parents["albums"]), TABLES["tracks"]
    written, per_part, track_id = [], -(-tracks // parts), 0
    for n in range(parts):
        fmt = FORMATS[n % len(FORMATS)]
        ext = {"ndjson": "json", "json-array": "json", "tsv": "tsv"}.get(fmt, "csv")
        path = landing_dir / "tracks" / f"tracks_{n + 1}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            if fmt == "json-array":
                f.write("[\n")
            elif fmt not in ("ndjson",):
                f.write(_render(fmt, spec, []))        # the header line
            for i in range(min(per_part, tracks - track_id)):
                track_id += 1
                row = {"TrackId": track_id, "Name": f"Track {track_id}, take {i % 3}", "AlbumId": rnd.randint(1, n_albums),
                       "MediaTypeId": rnd.randint(1, 5), "GenreId": rnd.randint(1, len(GENRES)),
                       "Composer": None if track_id % 7 == 0 else f"Composer {track_id % 300}",
                       "Milliseconds": rnd.randint(60_000, 600_000), "Bytes": rnd.randint(1_000_000, 12_000_000),
                       "UnitPrice": "0.99"}
                if fmt == "json-array":
                    f.write(("  " if i == 0 else ",\n  ") + json.dumps(
                        {s: _json_value(spec, s, v) for s, v in row.items()}, ensure_ascii=False))
                else:
                    f.write(_render(fmt, spec, [row]).split("\n", 1)[1] if fmt != "ndjson"
                            else _render(fmt, spec, [row]))
            if fmt == "json-array":
                f.write("\n]\n")
        written.append(path)
    return written


def write_for_first_run(landing_dir: Path, settings: Settings) -> str:
    """The dataset's sample (`Dataset.sample`): written as delivered a while ago, said in a line."""
    from filegate.kit.delivery import settled_time

    rows = write_sample(landing_dir, created=settled_time(settings))
    return (f"a music-store sample ({sum(map(len, rows.values()))} rows in {len(rows)} tables, mixed formats, "
            "some deliberately bad files)")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write the raw_data sample, or benchmark volume")
    parser.add_argument("landing_dir", type=Path, help="landing/raw_data folder to write into")
    parser.add_argument("--volume", type=int, help="write this many track rows (benchmarks) instead of the sample")
    parser.add_argument("--parts", type=int, default=10)
    args = parser.parse_args()
    if args.volume:
        paths = write_volume(args.landing_dir, args.volume, args.parts)
    else:
        paths = [p for p in args.landing_dir.rglob("*") if p.is_file()] if write_sample(args.landing_dir) else []
    print(f"wrote {len(paths)} files under {args.landing_dir}")

