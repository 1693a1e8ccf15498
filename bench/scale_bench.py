"""Scale shape: raw_data at 1, 2, 4 and 8 million track rows, convert (as the DAG runs it: a
process per core) and landing to published rows (claim, convert, stage, audit, publish), each
as its own process on a fresh migrated database; the time should grow in proportion to the rows
and the peak RSS not at all. Every run's table must hold exactly the rows delivered.

  python bench/scale_bench.py                          # 1M, 2M, 4M, 8M rows
  python bench/scale_bench.py --smoke                  # 2,000 and 4,000 rows (tests run it)
  python bench/scale_bench.py e2e <landing> <conninfo> <data root> <timings>   # one run (internal)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from harness import deliver, measure, record, work_folder

HERE = Path(__file__).resolve().parent
SIZES = (1_000_000, 2_000_000, 4_000_000, 8_000_000)
STEPS = ("claim", "convert", "stage", "audit", "publish")


def end_to_end(landing: Path, conninfo: str, data_root: Path, timings: Path) -> None:
    """One delivery of raw_data from landing to published rows, as the DAG runs its steps (convert
    mapped on a process per core); the time of each step goes to <timings>."""
    files = (raw for raw in landing.rglob("*") if raw.is_file())
    spent, _ = deliver("raw_data", files, landing, conninfo, data_root, workers=os.cpu_count() or 1)
    timings.write_text(json.dumps(spent))


def tracks(conninfo: str) -> int:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM raw_data.tracks").fetchone()[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="track rows, comma-separated")
    parser.add_argument("--smoke", action="store_true", help="2,000 and 4,000 rows; no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "scale")
    args = parser.parse_args(argv)
    sizes = (2_000, 4_000) if args.smoke else tuple(int(s) for s in args.sizes.split(","))

    from convert_bench import tracks_landing
    from harness import Bench

    from filegate import settings
    from filegate.ops import embedded
    from filegate.warehouse import migrate

    bench = Bench(args.work)
    rows_out = []
    try:
        template = bench.fresh_database("scale_template")
        migrate.upgrade(template)
        bench.admin("ALTER DATABASE scale_template WITH is_template true")
        script = [sys.executable, str(Path(__file__).resolve())]
        for size in sizes:
            landing = tracks_landing(args.work, size)
            out = args.work / "out"
            shutil.rmtree(out, ignore_errors=True)
            convert = measure("convert", [sys.executable, str(HERE / "convert_contenders.py"), "filegate-parallel",
                                          str(landing), str(out)])
            shutil.rmtree(out, ignore_errors=True)
            conninfo = bench.fresh_database("scale_run", "scale_template")
            timings = args.work / "timings.json"
            e2e = measure("e2e", [*script, "e2e", str(landing), conninfo, str(args.work / "root"), str(timings)])
            stored = tracks(conninfo)
            if stored != size:   # speed never at the cost of correctness
                raise SystemExit(f"{size:,} rows delivered, {stored:,} stored")
            rows_out.append((size, convert, e2e, json.loads(timings.read_text())))
            print(f"{size:,} rows: convert {convert.wall_s:.1f} s ({convert.peak_rss_mib:.0f} MiB), landing to "
                  f"published {e2e.wall_s:.1f} s ({e2e.peak_rss_mib:.0f} MiB)", flush=True)
        text = report(rows_out)
        print(text)
        if not args.smoke:
            print(f"written to {record('scale', text)}")
    finally:
        bench.admin("DROP DATABASE IF EXISTS scale_run WITH (FORCE)")
        embedded.stop(settings.load())
    return 0


def report(rows: list) -> str:
    first_size, first_convert, first_e2e, _ = rows[0]
    lines = ["| track rows | convert s | convert s per million | convert peak RSS MiB | landing → published s |"
             " per million | claim / convert / stage / audit / publish s | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|"]
    for size, convert, e2e, spent in rows:
        million = size / 1e6
        lines.append(f"| {size:,} | {convert.wall_s:.1f} | {convert.wall_s / million:.2f} | {convert.peak_rss_mib:.0f}"
                     f" | {e2e.wall_s:.1f} | {e2e.wall_s / million:.2f} | "
                     f"{' / '.join(f'{spent[s]:.1f}' for s in STEPS)} | {e2e.peak_rss_mib:.0f} |")
    growth = []
    for size, convert, e2e, _ in rows[1:]:
        x = size / first_size
        growth.append(f"- {x:g}x the rows: convert {convert.wall_s / first_convert.wall_s:.2f}x the time, landing → "
                      f"published {e2e.wall_s / first_e2e.wall_s:.2f}x; peak RSS {convert.peak_rss_mib:.0f} and "
                      f"{e2e.peak_rss_mib:.0f} MiB against {first_convert.peak_rss_mib:.0f} and "
                      f"{first_e2e.peak_rss_mib:.0f}")
    return (f"## scale shape: raw_data from {first_size:,} to {rows[-1][0]:,} track rows\n\n"
            "Each size: convert as the DAG runs it (a process per core; peak RSS: one worker), then landing to "
            "published rows (claim, convert on a process per core, stage, audit, publish) on a fresh migrated "
            "database, checked to hold every row; peak RSS: the largest process.\n\n"
            f"Command: `python bench/scale_bench.py --sizes {','.join(str(r[0]) for r in rows)}`\n\n"
            + "\n".join(lines) + "\n\nGrowth against the smallest size:\n\n" + "\n".join(growth) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "e2e":
        end_to_end(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        sys.exit(main())
