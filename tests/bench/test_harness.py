"""The benchmark harness's own logic on tiny data: the equal-output check, the ratio table, the
measurement of a child process, and a smoke run of every contender (so the harness cannot rot)."""
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from convert_bench import summary, verdicts  # noqa: E402
from equality import differences, output_digests  # noqa: E402
from harness import Measurement, measure  # noqa: E402


def write(folder, table, records):
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / f"{table}.json.gz", "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)


def test_equal_records_match_whatever_the_spelling_order_and_lineage(tmp_path):
    write(tmp_path / "a", "tracks", [{"track_id": 1, "unit_price": "0.99", "name": "x", "_file_id": 3, "_line": 2},
                                     {"track_id": 2, "unit_price": "1.5", "name": None}])
    write(tmp_path / "b", "tracks", [{"TrackId": 2, "UnitPrice": 1.50, "Name": None},
                                     {"Name": "x", "TrackId": 1.0, "UnitPrice": 0.990}])
    assert differences(output_digests(tmp_path / "a"), output_digests(tmp_path / "b")) == []


def test_a_changed_value_a_lost_row_or_a_missing_table_is_caught(tmp_path):
    base = [{"track_id": 1, "name": "x"}, {"track_id": 2, "name": "y"}]
    write(tmp_path / "ref", "tracks", base)
    write(tmp_path / "ref", "genres", [{"genre_id": 1}])
    write(tmp_path / "changed", "tracks", [base[0], {"track_id": 2, "name": "Y"}])
    write(tmp_path / "changed", "genres", [{"genre_id": 1}])
    write(tmp_path / "lost", "tracks", base[:1])
    write(tmp_path / "lost", "genres", [{"genre_id": 1}])
    write(tmp_path / "partial", "tracks", base)
    ref = output_digests(tmp_path / "ref")
    assert differences(ref, output_digests(tmp_path / "changed")) == ["tracks: same count, different records"]
    assert differences(ref, output_digests(tmp_path / "lost")) == ["tracks: 1 records, expected 2"]
    assert differences(ref, output_digests(tmp_path / "partial")) == ["genres: missing"]
    # text is compared exactly: "007" is not "7" in a text column
    write(tmp_path / "t1", "tracks", [{"track_id": 1, "name": "007"}])
    write(tmp_path / "t2", "tracks", [{"track_id": 1, "name": "7"}])
    assert differences(output_digests(tmp_path / "t1"), output_digests(tmp_path / "t2"))


def test_the_summary_reports_medians_and_ratios_to_filegate():
    runs = {"pandas": [Measurement("pandas", w, w, 100) for w in (8.0, 9.0, 30.0)],
            "filegate": [Measurement("filegate", w, w, 20) for w in (1.0, 2.0, 3.0)]}
    table = summary(runs)
    assert "| pandas | 9.00 (8.00-30.00) | 9.00 | 100 | 4.50x |" in table
    assert "| filegate | 2.00 (1.00-3.00) | 2.00 | 20 | 1.00x |" in table


def test_verdicts_compare_medians_with_each_target():
    runs = {"pandas": [Measurement("pandas", w, w, 500) for w in (40.0, 41.0, 90.0)],
            "floor": [Measurement("floor", w, w, 20) for w in (1.0, 1.0, 1.0)],
            "ours": [Measurement("ours", w, w, 250) for w in (4.0, 5.0, 6.0)]}
    text = verdicts(runs, "ours", {"pandas": 8.0, "duckdb": 3.0, "floor": 1 / 2.5}, 200)
    assert "- ours vs pandas: 8.20x faster (target ≥ 8x): met" in text
    assert "- ours vs floor: 5.00x its time (target within 2.5x): MISSED" in text
    assert "duckdb" not in text   # a peer that did not run is not judged
    assert "- ours peak RSS: 250 MiB (target ≤ 200 MiB): MISSED" in text


def test_results_gather_in_one_file_per_day_and_machine_section_by_section(tmp_path):
    from harness import record

    first = record("convert", "## convert\nold", tmp_path)
    record("load", "## load\nfigures", tmp_path)
    again = record("convert", "## convert\nnew", tmp_path)
    text = again.read_text()
    assert first == again and len(list(tmp_path.iterdir())) == 1
    assert "new" in text and "old" not in text and "figures" in text
    assert text.index("## convert") < text.index("## load")


def test_measure_reads_a_child_process_peak_memory_and_failure():
    grow = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    m = measure("grow", [sys.executable, "-c", grow])
    assert m.peak_rss_mib > 200 and m.wall_s > 0
    try:
        measure("fails", [sys.executable, "-c", "raise SystemExit(3)"])
    except RuntimeError as e:
        assert "exited 3" in str(e)
    else:
        raise AssertionError("a failing contender must fail the run")


def test_a_small_child_of_a_big_parent_measures_small():
    """Regression: ru_maxrss from wait4 carried the parent's high-water mark into every child
    (Linux folds it in at exec), so each small contender read as big as the bench driver."""
    ballast = bytearray(300 << 20)   # this process, the parent, holds 300 MiB
    ballast[::4096] = b"x" * len(ballast[::4096])
    m = measure("small", [sys.executable, "-c", "x = 1"])
    assert m.peak_rss_mib < 100, m
    del ballast


def test_smoke_runs_every_contender_with_equal_outputs(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "convert_bench.py"), "--smoke", "--work", str(tmp_path)],
                            capture_output=True, text=True, cwd=BENCH)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for name in ("pandas", "duckdb", "polars", "filegate", "filegate-parallel", "floor"):
        assert f"| {name} |" in result.stdout


def _bench(script: str, work: Path) -> subprocess.CompletedProcess:
    """Run a benchmark's smoke mode as `make bench-smoke` does: its own embedded stack, not the
    test session's (whose Airflow and filegate settings are in this process's environment)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "FILEGATE"))}
    return subprocess.run([sys.executable, str(BENCH / script), "--smoke", "--work", str(work)],
                          capture_output=True, text=True, cwd=BENCH, env=env)


def test_load_smoke_runs_every_contender_and_checks_each_table(tmp_path):
    result = _bench("load_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for name in ("pandas", "executemany", "filegate", "floor", "filegate without audit"):
        assert f"| {name} |" in result.stdout
    assert "filegate's steps (medians): stage" in result.stdout


def test_smrt_end_to_end_smoke_reports_every_step(tmp_path):
    result = _bench("smrt_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for step in ("claim", "convert", "stage", "audit", "publish"):
        assert f"| {step} |" in result.stdout
    assert "| convert | 4 |" in result.stdout   # one mapped task instance per file


def test_scale_smoke_loads_every_row_at_each_size(tmp_path):
    result = _bench("scale_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for size in ("2,000", "4,000"):
        assert f"| {size} |" in result.stdout
    assert "- 2x the rows: convert" in result.stdout


def test_issue25_bench_smoke_delivers_every_row_with_a_relative_work_folder(tmp_path):
    """`make bench-smoke` passes `--work data/smoke/<bench>`, relative to bench/: filegate's
    settings resolved the data root against the project instead, so claim looked in another
    folder and scale_bench ended "2,000 rows delivered, 0 stored" (it passed with the default,
    absolute, folder)."""
    import shutil

    relative = Path("data") / f"smoke-relative-{tmp_path.name}"   # inside bench/data/ (ignored by git)
    try:
        result = _bench("scale_bench.py", relative)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        assert "| 2,000 |" in result.stdout
        assert (BENCH / relative).is_dir() and not (ROOT / relative).exists()   # everything where it was asked
    finally:
        shutil.rmtree(BENCH / relative, ignore_errors=True)
        shutil.rmtree(ROOT / relative, ignore_errors=True)


def test_work_folder_is_absolute_whatever_the_current_folder(tmp_path, monkeypatch):
    from harness import work_folder

    monkeypatch.chdir(tmp_path)
    assert work_folder("data/smoke") == tmp_path / "data" / "smoke"


def test_the_load_check_catches_a_changed_or_a_lost_row(conninfo):
    import psycopg
    from load_bench import digest

    with psycopg.connect(conninfo, autocommit=True) as conn:
        for t in ("a", "b"):
            conn.execute(f"CREATE TABLE {t} (LIKE raw_data.tracks)")
            conn.execute(f"INSERT INTO {t} SELECT i, 'Track ' || i, 1, 1, 1, NULL, 1000, 10, 0.99, 1, i, now()"
                         " FROM generate_series(1, 50) i")
        assert digest(conninfo, "a") == digest(conninfo, "b") and digest(conninfo, "a")[0] == 50
        conn.execute("UPDATE b SET unit_price = 0.98 WHERE track_id = 7")
        assert digest(conninfo, "a") != digest(conninfo, "b")
        conn.execute("UPDATE b SET unit_price = 0.99 WHERE track_id = 7")
        conn.execute("UPDATE b SET file_id = 2, loaded_at = now() - interval '1 day'")   # lineage aside
        assert digest(conninfo, "a") == digest(conninfo, "b")
        conn.execute("DELETE FROM b WHERE track_id = 50")
        assert digest(conninfo, "a")[0] == 50 and digest(conninfo, "b")[0] == 49


def test_housing_smoke_runs_every_contender_with_equal_rows_and_times_end_to_end(tmp_path):
    result = _bench("housing_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for name in ("dask", "pandas", "duckdb", "polars", "filegate", "filegate-parallel"):
        assert f"| {name} |" in result.stdout
    assert "End to end, landing to published rows" in result.stdout and "a plain COPY" in result.stdout


def test_the_housing_check_sees_spelling_but_not_a_changed_row(tmp_path):
    import gzip
    import json

    from housing_bench import digest

    row = {"attom_id": 1, "sale_date": "2021-1-4", "sale_amount": 265000, "latitude": "34.10", "beds": 3}

    def written(name, *rows):
        folder = tmp_path / name
        folder.mkdir()
        with gzip.open(folder / "sales.json.gz", "wt") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        return digest(folder)

    same = written("a", row, {**row, "attom_id": 2})
    assert written("b", {**row, "attom_id": 2}, {**row, "sale_date": "2021-01-04", "sale_amount": "265000.0",
                                                "latitude": 34.1, "beds": 3.0}) == same   # order, spelling
    assert written("c", row, {**row, "attom_id": 2, "beds": 4}) != same
    assert written("d", row)[0] == 1


def test_wells_smoke_runs_every_contender_with_equal_answers_and_each_step_measured(tmp_path):
    result = _bench("wells_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "| seed (json.load + nested dict), 1,000 months" in result.stdout
    for name in ("duckdb, 4,000 months", "polars, 4,000 months", "filegate claim", "filegate audit",
                 "filegate operator_wells", "COPY floor, 4,000 rows"):
        assert f"| {name} |" in result.stdout


def test_the_wells_check_fails_on_one_changed_total(tmp_path):
    from wells_bench import checked

    totals = {"A|2023-01": [1, "1.50", "2.00", "0.25"], "B|2023-01": [0, "0.00", "0.00", "1.00"]}
    checked("same", dict(totals), totals)
    with pytest.raises(SystemExit, match="A\\|2023-01"):
        checked("changed", {**totals, "A|2023-01": [1, "1.51", "2.00", "0.25"]}, totals)
    with pytest.raises(SystemExit, match="1 totals, 2 expected"):
        checked("short", {"B|2023-01": totals["B|2023-01"]}, totals)


def test_events_smoke_runs_every_contender_with_equal_counts_and_each_step_measured(tmp_path):
    result = _bench("events_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    for name in ("seed (pandas chunks, regexes, to_sql)", "DuckDB (readers, regexes, CSV, COPY)", "filegate claim",
                 "filegate convert", "filegate audit", "filegate publish", "filegate, landing to published"):
        assert f"| {name} |" in result.stdout


def test_the_events_check_fails_on_one_changed_count():
    from events_bench import checked

    counts = {"2024-03-01|login": 3, "2024-03-01|http_request": 7}
    checked("same", dict(counts), counts)
    with pytest.raises(SystemExit, match="login: 4 vs 3"):
        checked("changed", {**counts, "2024-03-01|login": 4}, counts)
    with pytest.raises(SystemExit, match="1 day and type counts, 2 expected"):
        checked("short", {"2024-03-01|login": 3}, counts)


@pytest.mark.cluster
def test_cluster_smoke_runs_the_ingest_on_two_workers_and_measures_it(tmp_path):
    result = _bench("cluster_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    import re

    assert re.search(r"\| 2 × 1 \| [\d.]+ \| \d+, [\d.]+, 2 \|", result.stdout), result.stdout[-3000:]   # both workers used
    assert "worker1" in result.stdout and "worker2" in result.stdout   # each worker's memory


def test_arrival_smoke_loads_every_file_dropped_under_make_ups_scheduler_and_samples_its_memory(tmp_path):
    result = _bench("arrival_bench.py", tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    import re

    files = re.search(r"(\d+) files, each loaded once", result.stdout)
    assert files and int(files.group(1)) >= 10 and "| seconds |" in result.stdout
    for part in ("scheduler", "api-server"):
        assert f"| {part} |" in result.stdout
