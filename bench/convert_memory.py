"""Bounded memory, shown at scale: convert one tracks CSV of ~100 MB and one of >= 1 GB with
filegate's converter, each as its own process, and compare peak RSS. Memory must not grow with
file size. Usage: python bench/convert_memory.py [--gib 1.0]   (results in bench/results/)
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from pathlib import Path

from harness import measure, record, table

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HEADER = "TrackId,Name,AlbumId,MediaTypeId,GenreId,Composer,Milliseconds,Bytes,UnitPrice\n"


def write_tracks_csv(path: Path, target_bytes: int) -> int:
    """A tracks CSV of at least `target_bytes` (quoted names with commas included); rows written."""
    if path.exists() and path.stat().st_size >= target_bytes:
        return sum(1 for _ in open(path, "rb")) - 1
    path.parent.mkdir(parents=True, exist_ok=True)
    rows, size = 0, 0
    with open(path, "w") as f:
        f.write(HEADER)
        while size < target_bytes:
            chunk = "".join(
                f'{i},"Track {i}, take {i % 3}",{i % 125 + 1},{i % 5 + 1},{i % 12 + 1},Composer {i % 300},'
                f"{60000 + i * 7919 % 540000},{1000000 + i * 104729 % 11000000},0.99\n"
                for i in range(rows + 1, rows + 100_001))
            f.write(chunk)
            rows += 100_000
            size += len(chunk)
    return rows


def count_lines_gz(path: Path) -> int:
    with gzip.open(path, "rb") as f:
        return sum(1 for _ in f)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gib", type=float, default=1.0, help="size of the large file (default 1.0)")
    args = parser.parse_args()
    sizes = {"100 MB": 100 * 10**6, f"{args.gib:g} GiB": int(args.gib * 2**30)}
    results, rows_col, size_col, rate_col = [], [], [], []
    for label, target in sizes.items():
        raw = DATA / "raw_data" / "tracks" / f"tracks_{target}.csv"
        rows = write_tracks_csv(raw, target)
        out = DATA / "out" / label.replace(" ", "")
        shutil.rmtree(out, ignore_errors=True)
        m = measure(f"filegate convert, {label} CSV", [sys.executable, str(HERE / "convert_one.py"), str(raw), str(out)])
        part = next(out.rglob("*.json.gz"))
        written = count_lines_gz(part)
        if written != rows:   # speed never at the cost of correctness
            raise SystemExit(f"{label}: {written} records written, {rows} rows in the input")
        results.append(m)
        rows_col.append(f"{rows:,}")
        size_col.append(f"{raw.stat().st_size / 2**20:,.0f} MiB in, {part.stat().st_size / 2**20:,.0f} MiB out")
        rate_col.append(f"{rows / m.wall_s:,.0f}")
    report = table(results, {"rows": rows_col, "size": size_col, "rows/s": rate_col})
    growth = results[1].peak_rss_mib / results[0].peak_rss_mib
    text = (f"## convert memory at scale\n\n"
            f"Command: `python bench/convert_memory.py --gib {args.gib:g}`\n\n{report}\n\n"
            f"The input grew {sizes[list(sizes)[1]] / sizes['100 MB']:.1f}x; peak RSS grew {growth:.2f}x.\n")
    print(text)
    print(f"written to {record('convert-memory', text)}")
    return 0 if growth < 1.25 else 1


if __name__ == "__main__":
    sys.exit(main())
