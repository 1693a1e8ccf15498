"""events, side by side: millions of events in files of every format (logfmt and access logs,
CSV, NDJSON, JSON arrays) loaded into `events.events` by the seed's approach (pandas chunks,
regexes, to_sql), DuckDB (its readers and regexes, CSV, COPY) and filegate (landing to published
rows, each step its own process), each on a fresh copy of the migrated database; each contender's
per-day event counts by type, read back from its table, checked equal.

  python bench/events_bench.py            # 6,000,000 events in 24 files (1.1 GB)
  python bench/events_bench.py --smoke    # 5,000 events in 5 files: the harness cannot rot
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness import Bench, Measurement, measure, record, settle, table, work_folder

HERE = Path(__file__).resolve().parent


RSS_TARGET_MIB = 200
SPEED_TARGET = 5.0   # filegate at least 5x the seed's approach, end to end


def landing_set(work: Path, events: int, files: int) -> Path:
    from filegate.datasets.events.sample import write_volume

    landing = work / f"landing-{events}-{files}"
    done = landing / ".complete"
    if not done.exists():
        shutil.rmtree(landing, ignore_errors=True)
        print(f"generating {events:,} events in {files} files under {landing}", flush=True)
        started = time.perf_counter()
        write_volume(landing, total=events, files=files)
        print(f"  {size_mib(landing):,.0f} MiB in {time.perf_counter() - started:.0f} s", flush=True)
        done.write_text(json.dumps({"events": events, "files": files}))
    return landing


def size_mib(landing: Path) -> float:
    return sum(p.stat().st_size for p in landing.rglob("*") if p.is_file() and not p.name.startswith(".")) / 2**20


def checked(label: str, got: dict, expected: dict) -> None:
    if got != expected:
        wrong = [k for k in sorted(set(got) | set(expected)) if got.get(k) != expected.get(k)][:3]
        raise SystemExit(f"{label}: {len(got)} day and type counts, {len(expected)} expected; first differences: "
                         + "; ".join(f"{k}: {got.get(k)} vs {expected.get(k)}" for k in wrong))


def expected_answers(events: int, files: int) -> dict:
    """The per-day counts by type of the generated events, from the generator itself."""
    from collections import Counter

    from filegate.datasets.events.sample import volume_events

    counts: Counter = Counter()
    for e in volume_events(total=events, files=files):
        counts[f"{e.ts:%Y-%m-%d}|{e.event}"] += 1
    return dict(sorted(counts.items()))


def contender(bench: Bench, template: str, label: str, name: str, landing: Path, out: Path) -> tuple[Measurement, dict]:
    conninfo = bench.fresh_database(f"events_{name}", template)
    settle(conninfo)
    shutil.rmtree(out, ignore_errors=True)
    m = measure(label, [sys.executable, str(HERE / "events_contenders.py"), name, str(landing), conninfo, str(out)])
    print(f"{label}: {m.wall_s:.1f} s, {m.peak_rss_mib:,.0f} MiB", flush=True)
    return m, json.loads((out / "answers.json").read_text())


def filegate(bench: Bench, template: str, landing: Path, out: Path) -> tuple[dict[str, Measurement], dict, int]:
    from events_contenders import STEPS

    conninfo = bench.fresh_database("events_filegate", template)
    settle(conninfo)
    state = bench.work / "e2e-state.json"
    state.unlink(missing_ok=True)
    steps = {}
    for name in STEPS:
        steps[name] = measure(f"filegate {name}", [sys.executable, str(HERE / "events_contenders.py"), "step", name,
                                                   str(landing), conninfo, str(bench.work / "scratch"), str(state)])
        print(f"  filegate {name}: {steps[name].wall_s:.1f} s, {steps[name].peak_rss_mib:,.0f} MiB", flush=True)
    subprocess.run([sys.executable, str(HERE / "events_contenders.py"), "answers", conninfo, str(out)], check=True)
    return steps, json.loads((out / "answers.json").read_text()), json.loads(state.read_text())["records"]



def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=6_000_000)
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--smoke", action="store_true", help="5,000 events in 5 files; no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "events")
    args = parser.parse_args(argv)
    if args.smoke:
        args.events, args.files = 5_000, 5
    landing = landing_set(args.work, args.events, args.files)
    expected = expected_answers(args.events, args.files)

    os.environ.setdefault("FILEGATE_MIN_FILE_AGE", "0")
    bench = Bench(args.work)
    try:
        from filegate.warehouse import migrate

        template = bench.fresh_database("events_template")
        migrate.upgrade(template)
        import psycopg

        with psycopg.connect(template) as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS bench")
        bench.admin("ALTER DATABASE events_template WITH is_template true")
        seed, got = contender(bench, "events_template", "seed (pandas chunks, regexes, to_sql)", "seed", landing,
                              args.work / "out" / "seed")
        checked("seed", got, expected)
        duck, got = contender(bench, "events_template", "DuckDB (readers, regexes, CSV, COPY)", "duckdb", landing,
                              args.work / "out" / "duckdb")
        checked("duckdb", got, expected)
        steps, got, stored = filegate(bench, "events_template", landing, args.work / "out" / "filegate")
        checked("filegate", got, expected)
    finally:
        from filegate import settings
        from filegate.ops import embedded

        embedded.stop(settings.load())

    total = sum(m.wall_s for m in steps.values())
    speedup = seed.wall_s / total
    worst = max(steps.values(), key=lambda m: m.peak_rss_mib)
    over = [m for m in steps.values() if m.peak_rss_mib > RSS_TARGET_MIB]
    whole = Measurement("filegate, landing to published", total, sum(m.cpu_s for m in steps.values()), worst.peak_rss_mib)
    rows = table([seed, duck, *steps.values(), whole])
    text = (f"## events side by side\n\n"
            f"Input: {args.events:,} events in {args.files} files ({size_mib(landing):,.0f} MiB): logfmt and "
            f"Combined Log Format `.log`, `.csv`, NDJSON and pretty-printed JSON arrays, in turn. Every contender "
            f"loaded `events.events` (hstore attributes, GIN- and ts-indexed, as migrated) of its own fresh database; "
            f"its per-day event counts by type, read back from that table, were checked equal to the generator's "
            f"({len(expected)} counts). Each filegate step ran in its own process, as Airflow runs its tasks "
            f"(convert: 2 workers; its peak RSS is the largest of the two). The seed loads with `DataFrame.to_sql` "
            f"(SQLAlchemy 2, psycopg 3: batched multi-row INSERTs); DuckDB's postgres extension cannot be downloaded "
            f"here, so DuckDB writes CSV that psycopg COPYs.\n\n"
            f"Command: `python bench/events_bench.py --events {args.events} --files {args.files}`\n\n"
            f"{rows}\n\n"
            f"Against issue 12's targets:\n\n"
            f"- filegate ≥ {SPEED_TARGET:g}x the seed's approach end to end: {seed.wall_s:.1f} s vs {total:.1f} s, "
            f"{speedup:.1f}x, {'met' if speedup >= SPEED_TARGET else 'MISSED'} ({stored:,} events stored);\n"
            f"- peak RSS ≤ {RSS_TARGET_MIB} MiB in every filegate process: the largest is {worst.label}'s, "
            f"{worst.peak_rss_mib:,.0f} MiB, {'met' if not over else 'MISSED by ' + ', '.join(m.label for m in over)}.\n")
    print(text)
    if not args.smoke:
        print(f"written to {record('events', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
