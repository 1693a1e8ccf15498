"""Convert, side by side: textbook pandas, DuckDB, Polars, filegate and the floor, on the same files, in
the same invocation, alternating, each run as its own process; outputs checked equal every run.

  python bench/convert_bench.py                 # 2,000,000 track rows in 10 mixed files, 3 runs
  python bench/convert_bench.py --smoke         # tiny data, 1 run: the harness cannot rot (tests run it)
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
from pathlib import Path

from equality import differences, output_digests
from harness import Measurement, measure, record, work_folder

HERE = Path(__file__).resolve().parent

from filegate.datasets.raw_data.sample import write_volume  # noqa: E402

ORDER = ("pandas", "duckdb", "polars", "filegate", "filegate-parallel", "floor")
# filegate (as the DAG runs it) at least this many times faster: issue 4 (pandas, duckdb), issue 15
# (polars; the floor: within 2x)
TARGETS = {"pandas": 8.0, "duckdb": 3.0, "polars": 1.0, "floor": 1 / 2}
RSS_TARGET_MIB = 200


def summary(runs: dict[str, list[Measurement]], baseline: str = "filegate") -> str:
    """Medians with min-max, and each contender's median wall time as a ratio to the baseline's."""
    base = statistics.median(m.wall_s for m in runs[baseline])
    lines = [f"| contender | wall s, median (min-max) | CPU s, median | peak RSS MiB, max | wall vs {baseline} |",
             "|---|---|---|---|---|"]
    for name, ms in runs.items():
        walls = [m.wall_s for m in ms]
        wall = statistics.median(walls)
        cpu, rss = statistics.median(m.cpu_s for m in ms), max(m.peak_rss_mib for m in ms)
        lines.append(f"| {name} | {wall:.2f} ({min(walls):.2f}-{max(walls):.2f}) | "
                     f"{_figure(cpu, '.2f')} | {_figure(rss, '.0f')} | {wall / base:.2f}x |")
    return "\n".join(lines)


def _figure(value: float, spec: str) -> str:
    return "–" if value != value else format(value, spec)   # NaN: not measured


def verdicts(runs: dict[str, list[Measurement]], ours: str, targets: dict[str, float],
             rss_target_mib: float | None = None) -> str:
    """One line per target: how many times faster `ours` is than each peer (median wall), against
    the target, met or missed; and peak RSS against its limit."""
    ours_wall = statistics.median(m.wall_s for m in runs[ours])
    lines = []
    for peer, target in targets.items():
        if peer not in runs:
            continue
        speedup = statistics.median(m.wall_s for m in runs[peer]) / ours_wall
        if target >= 1:
            said = f"{speedup:.2f}x faster (target ≥ {target:g}x)"
        else:   # a floor: how many times its time we take
            said = f"{1 / speedup:.2f}x its time (target within {1 / target:g}x)"
        lines.append(f"- {ours} vs {peer}: {said}: {'met' if speedup >= target else 'MISSED'}")
    if rss_target_mib is not None:
        rss = max(m.peak_rss_mib for m in runs[ours])
        lines.append(f"- {ours} peak RSS: {rss:.0f} MiB (target ≤ {rss_target_mib:g} MiB): "
                     f"{'met' if rss <= rss_target_mib else 'MISSED'}")
    return "\n".join(lines)


def tracks_landing(work: Path, rows: int) -> Path:
    """The raw_data landing folder of `rows` track rows in 10 mixed files, generated once per size."""
    landing = work / f"tracks-{rows}" / "raw_data"
    if not landing.exists():
        print(f"generating {rows:,} track rows in 10 mixed files under {landing}", flush=True)
        write_volume(landing, rows, parts=10)
    return landing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 1 run, no results file")
    parser.add_argument("--work", type=work_folder, default=HERE / "data" / "convert")
    args = parser.parse_args(argv)
    rows, runs = (2_000, 1) if args.smoke else (args.rows, args.runs)

    landing = tracks_landing(args.work, rows)
    out_root = args.work / "out"
    shutil.rmtree(out_root, ignore_errors=True)

    contenders = [sys.executable, str(HERE / "convert_contenders.py")]
    # filegate's output, uncompressed, is what the floor compresses and what everyone must equal
    reference = out_root / "reference"
    measure("reference", [*contenders, "filegate", str(landing), str(reference)])
    expected = output_digests(reference)
    floor_input = out_root / "floor-input"
    floor_input.mkdir(parents=True)
    for gz in reference.glob("*.json.gz"):
        with gzip.open(gz, "rb") as f, open(floor_input / f"{gz.name.removesuffix('.json.gz')}.ndjson", "wb") as g:
            shutil.copyfileobj(f, g)

    results: dict[str, list[Measurement]] = {name: [] for name in ORDER}
    for run in range(runs):
        for name in ORDER:
            out = out_root / f"{name}-{run}"
            m = measure(name, [*contenders, name, str(landing), str(out)], env={"FLOOR_NDJSON": str(floor_input)})
            problems = differences(expected, output_digests(out))
            if problems:
                raise SystemExit(f"{name}, run {run + 1}: output differs from filegate's: {'; '.join(problems)}")
            results[name].append(m)
            print(f"run {run + 1}/{runs} {name}: {m.wall_s:.2f} s, {m.peak_rss_mib:.0f} MiB", flush=True)
            shutil.rmtree(out)

    text = (f"## convert side by side\n\n"
            f"Input: {rows:,} track rows in 10 files (CSV `,` `;` `|`, TSV, NDJSON, JSON arrays) plus the "
            f"small parent tables; {runs} run(s) each, alternating. Every run's output was checked equal "
            f"to filegate's, record for record. Peak RSS is the largest single process (for "
            f"filegate-parallel: one worker).\n\nCommand: `python bench/convert_bench.py --rows {rows} "
            f"--runs {runs}`\n\n{summary(results)}\n\nAgainst the targets (issue 4: pandas, DuckDB; issue 15: "
            f"Polars, the floor):\n\n"
            f"{verdicts(results, 'filegate-parallel', TARGETS, RSS_TARGET_MIB)}\n"
            f"{verdicts(results, 'filegate', TARGETS, RSS_TARGET_MIB)}\n")
    print(text)
    if not args.smoke:
        print(f"written to {record('convert', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
