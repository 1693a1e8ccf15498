"""The write-audit-publish steps against the real embedded PostgreSQL and a real GE suite,
run exactly as the DAG tasks run them (the DAG itself is exercised in tests/dags/)."""
from __future__ import annotations

import json
from decimal import Decimal

import psycopg
import pytest

from filegate.datasets.smrt import queries
from filegate.ingest import faults
from tests.support.helpers import drop, run_batch, smrt_text


def registry(conninfo) -> dict[str, tuple]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT filename, status, reason, rows_read, rows_loaded FROM filegate.files"
                            " ORDER BY file_id").fetchall()
    return {r[0]: r[1:] for r in rows}


def readings(conninfo) -> list[tuple]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(
            "SELECT r.meter_number, to_char(r.reading_start_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
            " r.consumption, f.filename, r.line FROM smrt.readings r JOIN filegate.files f USING (file_id)"
            " ORDER BY 1, 2").fetchall()


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def landing(settings):
    return settings.landing / "smrt"


def test_a_good_file_is_loaded_with_lineage_and_audit(conninfo, settings, landing):
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [
        ("1234567890", "20260105", "0000", "1.5"), ("1234567890", "20260105", "0100", "2.25")]))
    result = run_batch("run1", conninfo, settings)

    assert result.files_loaded == 1 and result.rows == 2
    assert readings(conninfo) == [
        ("01234567890", "2026-01-05 00:00", Decimal("1.5"), "PN000001.SMRT", 2),
        ("01234567890", "2026-01-05 01:00", Decimal("2.25"), "PN000001.SMRT", 3),
    ]
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT status, size_bytes, sha256, header, received_at IS NOT NULL, run_id,"
                           " stored_path FROM filegate.files").fetchone()
    status, size, sha, header, received, batch, stored = row
    assert status == "loaded" and size > 0 and len(sha) == 64 and received and batch == "run1"
    assert header["generation_number"] == "PN000001" and header["environment"] == "production"
    assert files_in(settings.archive) == ["PN000001.SMRT"] and files_in(landing) == []
    assert stored.startswith(str(settings.archive))
    assert (settings.processed / "smrt" / "run1" / "readings.json.gz").exists()


def test_file_order_not_listing_order_decides_the_last_write(conninfo, settings, landing):
    # listed A, B, C; created C (latest) > A > B; A and B share a creation time, generation breaks the tie
    hour = [("1234567890", "20260105", "0000", None)]
    drop(landing, "A.SMRT", smrt_text("PN000005", [(*hour[0][:3], "5")], created="20260105 120000"))
    drop(landing, "B.SMRT", smrt_text("PN000004", [(*hour[0][:3], "4")], created="20260105 120000"))
    drop(landing, "C.SMRT", smrt_text("PN000001", [(*hour[0][:3], "9")], created="20260105 130000"))
    run_batch("run1", conninfo, settings)
    assert [(r[2], r[3]) for r in readings(conninfo)] == [(Decimal("9"), "C.SMRT")]

    (landing / "C.SMRT").unlink(missing_ok=True)
    drop(landing, "D.SMRT", smrt_text("PN000002", [(*hour[0][:3], "6")], created="20260105 120000"))
    run_batch("run2", conninfo, settings)
    # a later delivery overwrites the stored value and the row points at its new file
    assert [(r[2], r[3]) for r in readings(conninfo)] == [(Decimal("6"), "D.SMRT")]


def test_a_loaded_name_is_refused_as_duplicate_and_quarantined(conninfo, settings, landing):
    text = smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")])
    drop(landing, "PN000001.SMRT", text)
    run_batch("run1", conninfo, settings)
    drop(landing, "PN000001.SMRT", text.replace(",1\n", ",2\n"))
    result = run_batch("run2", conninfo, settings)

    assert result.files_loaded == 0
    status = [(s, r) for s, r, *_ in [v for v in _all_registry_rows(conninfo)]]
    assert status[0] == ("loaded", None)
    assert status[1][0] == "duplicate" and "already loaded as file_id" in status[1][1]
    assert [r[2] for r in readings(conninfo)] == [Decimal("1")]
    reason_file = next(settings.quarantine.rglob("PN000001.SMRT.reason.json"))
    assert "duplicate" in json.loads(reason_file.read_text())["reason"]


def _all_registry_rows(conninfo):
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT status, reason, filename FROM filegate.files ORDER BY file_id").fetchall()


def test_a_rejected_file_may_be_fixed_and_dropped_again(conninfo, settings, landing):
    good = smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")])
    drop(landing, "PN000001.SMRT", good.replace('"TRAIL"\n', ""))
    run_batch("run1", conninfo, settings)
    drop(landing, "PN000001.SMRT", good)
    run_batch("run2", conninfo, settings)
    assert [r[0] for r in _all_registry_rows(conninfo)] == ["rejected", "loaded"]
    assert len(readings(conninfo)) == 1


def test_a_file_failing_the_suite_is_quarantined_whole_and_the_others_load(conninfo, settings, landing):
    drop(landing, "GOOD.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    drop(landing, "BAD.SMRT", smrt_text("PN000002", [
        ("1234567891", "20260105", "0000", "1"),        # fine on its own
        ("1234567891", "20260105", "0000", "2"),        # same meter and hour twice in one file
        ("1234567892", "20260105", "2400", "1"),        # hour 24
        ("1234567893", "20260105", "0100", "-3"),       # negative
        ("12345", "20260105", "0200", "1"),             # malformed meter number
    ]))
    run_batch("run1", conninfo, settings)

    rows = registry(conninfo)
    assert rows["GOOD.SMRT"][0] == "loaded"
    status, reason, rows_read, rows_loaded = rows["BAD.SMRT"]
    assert status == "rejected" and rows_read == 5 and rows_loaded is None
    assert reason.startswith("BAD.SMRT: failed suite smrt_readings")
    for words in ("expect_compound_columns_to_be_unique", "reading_time", "be_between(consumption)",
                  "match_regex(meter_number_raw)"):
        assert words in reason
    assert [r[3] for r in readings(conninfo)] == ["GOOD.SMRT"]   # nothing of BAD.SMRT was published

    with psycopg.connect(conninfo) as conn:
        (details,) = conn.execute("SELECT details FROM filegate.files WHERE filename = 'BAD.SMRT'").fetchone()
    (failure,) = details["failures"]
    sample_lines = {row["_line"] for row in failure["sample_rows"]}
    assert {4, 5, 6} <= sample_lines
    beside = json.loads(next(settings.quarantine.rglob("BAD.SMRT.reason.json")).read_text())
    assert beside["reason"] == reason and beside["details"]["failures"][0]["expectations"]
    assert (settings.quality / "smrt" / "data_docs" / "index.html").exists()


def test_rerunning_the_same_run_changes_nothing(conninfo, settings, landing):
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    run_batch("run1", conninfo, settings)
    before = (registry(conninfo), readings(conninfo), files_in(settings.archive))
    run_batch("run1", conninfo, settings)
    assert (registry(conninfo), readings(conninfo), files_in(settings.archive)) == before


def test_a_crash_before_commit_leaves_the_targets_untouched_and_the_files_claimable(
        conninfo, settings, landing, monkeypatch):
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    monkeypatch.setenv("FILEGATE_INJECT_FAULT", "publish.before_commit")
    monkeypatch.setattr(faults, "_fired", set())
    with pytest.raises(faults.InjectedFault):
        run_batch("run1", conninfo, settings)
    assert readings(conninfo) == []
    assert registry(conninfo)["PN000001.SMRT"][0] == "claimed"
    assert files_in(landing) == ["PN000001.SMRT"]

    run_batch("run2", conninfo, settings)   # a later run picks the same claim up
    assert [r[0] for r in _all_registry_rows(conninfo)] == ["loaded"]
    assert len(readings(conninfo)) == 1 and files_in(landing) == []


def test_a_crash_after_commit_is_finished_by_the_next_run_not_duplicated(conninfo, settings, landing, monkeypatch):
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    monkeypatch.setenv("FILEGATE_INJECT_FAULT", "publish.after_commit")
    monkeypatch.setattr(faults, "_fired", set())
    with pytest.raises(faults.InjectedFault):
        run_batch("run1", conninfo, settings)
    assert files_in(landing) == ["PN000001.SMRT"] and len(readings(conninfo)) == 1

    run_batch("run2", conninfo, settings)
    assert [r[0] for r in _all_registry_rows(conninfo)] == ["loaded"]   # no duplicate row
    assert files_in(landing) == [] and files_in(settings.archive) == ["PN000001.SMRT"]


def test_the_seed_questions_are_answered(conninfo, settings, landing):
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [
        ("0000000002", "20260105", "0000", "1"), ("1234567890", "20260105", "0000", "2")]), age=300)
    drop(landing, "PN000002.SMRT", smrt_text("PN000002", [
        ("00000000002", "20260105", "0100", "3")], created="20260105 130000"), age=200)
    run_batch("run1", conninfo, settings)
    assert queries.meter_count(conninfo) == 2
    assert [(r["consumption"], r["filename"]) for r in queries.readings_for_meter(conninfo, "2")] == [
        (Decimal("1"), "PN000001.SMRT"), (Decimal("3"), "PN000002.SMRT")]
    assert queries.files_received(conninfo) == 2
    assert queries.last_file_received(conninfo)["filename"] == "PN000002.SMRT"
    with pytest.raises(ValueError):
        queries.readings_for_meter(conninfo, "meter-1")


def test_the_same_content_under_another_name_is_refused_as_a_duplicate(conninfo, settings, landing):
    """Issue 9, defect 6: a loaded file's bytes under another name loaded again, silently."""
    text = smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")])
    drop(landing, "PN000001.SMRT", text)
    run_batch("run1", conninfo, settings)
    drop(landing, "copy-of-7.SMRT", text)
    run_batch("run2", conninfo, settings)
    status, reason = registry(conninfo)["copy-of-7.SMRT"][:2]
    assert status == "duplicate"
    assert reason.startswith("duplicate: copy-of-7.SMRT has the same content (sha256 ")
    assert "as PN000001.SMRT, loaded as file_id 1" in reason
    assert [r[3] for r in readings(conninfo)] == ["PN000001.SMRT"]   # the readings still point at the first
    assert files_in(settings.quarantine) == ["copy-of-7.SMRT", "copy-of-7.SMRT.reason.json"]


def test_a_dataset_may_declare_renamed_copies_legitimate(conninfo, tmp_path):
    from datetime import datetime, timezone

    from filegate.ingest import registry as ledger
    from filegate.ingest.landing import LandedFile
    from filegate.ingest.registry import Action

    def landed(name):
        return LandedFile(tmp_path / name, name, 1, datetime.now(timezone.utc), "same bytes")

    with psycopg.connect(conninfo) as conn:
        first = ledger.decide(conn, "d", landed("a.csv"), "run1", reloadable=False).file_id
        ledger.mark_loaded(conn, [first], [])
        assert ledger.decide(conn, "d", landed("b.csv"), "run2", False).action is Action.REFUSE_DUPLICATE
        assert ledger.decide(conn, "d", landed("c.csv"), "run2", False, renamed_copies=True).action is Action.CLAIM


def test_symlinks_are_refused_without_reading_their_target(conninfo, settings, landing):
    """Issue 9, defect 3: a link in landing to any file was read and loaded, only the link was
    archived, and a refusal reason quoted the target's content."""
    outside = settings.data_root.parent / "outside"
    outside.mkdir()
    secret = outside / "PN000009.SMRT"
    secret.write_text(smrt_text("PN000009", [("1234567890", "20260105", "0000", "7")]))   # loadable, if followed
    (outside / "etc").mkdir()
    (outside / "etc" / "passwd.SMRT").write_text("root:x:0:0:TOP SECRET\n")
    landing.mkdir(parents=True)
    (landing / "PN000009.SMRT").symlink_to(secret)
    (landing / "etc").symlink_to(outside / "etc", target_is_directory=True)
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0100", "1")]))
    run_batch("run1", conninfo, settings)

    files = registry(conninfo)
    assert files["PN000001.SMRT"][0] == "loaded"
    assert files["PN000009.SMRT"][:2] == ("rejected", "PN000009.SMRT, whole file: a symbolic link; filegate reads "
                                          "only regular files inside landing/smrt/, and did not read this one")
    assert files["etc"][0] == "rejected" and "a symbolic link" in files["etc"][1]   # a linked folder, not walked
    assert all("TOP SECRET" not in (reason or "") for _, reason, *_ in files.values())
    assert [r[3] for r in readings(conninfo)] == ["PN000001.SMRT"]          # nothing of the target loaded
    assert secret.read_text().startswith('"HEADR"') and (outside / "etc" / "passwd.SMRT").exists()   # untouched
    moved = next(p for p in settings.quarantine.rglob("PN000009.SMRT"))
    assert moved.is_symlink() and not (landing / "PN000009.SMRT").is_symlink()   # the link itself, moved


def test_files_left_claimed_by_a_crash_count_in_the_run_that_loads_them(conninfo, settings, landing, monkeypatch,
                                                                        capsys):
    """Issue 9, defect 2: after a crash the re-run loaded the claimed files, but its summary said
    '0 file(s) this run ... nothing new was found' (it selected claimed_at >= start)."""
    import time
    from datetime import datetime, timezone

    from filegate.ingest import pipeline
    from filegate.ingest import registry as ledger
    from filegate.ops import summary

    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    (claimed,) = pipeline.claim("smrt", "crashed", conninfo, settings)   # the run dies after claiming
    time.sleep(1.1)
    monkeypatch.setenv("FILEGATE_CLAIM_TIMEOUT", "1")
    from filegate import settings as settings_module

    quick = settings_module.load()
    summary.show(quick, conninfo, "smrt", datetime.now(timezone.utc), datetime.now(timezone.utc).date())
    assert "stale claims: 1 file(s) claimed by a run that did not finish" in capsys.readouterr().out

    started = datetime.now(timezone.utc)
    run_batch("rerun", conninfo, quick)
    summary.show(quick, conninfo, "smrt", started, started.date())
    out = capsys.readouterr().out
    assert "smrt: 1 file(s) this run: 1 loaded, 0 refused" in out and "nothing new" not in out
    assert "stale claims" not in out
    with psycopg.connect(conninfo) as conn:
        (loaded,) = ledger.files(conn, [claimed.file_id])   # the same claim, re-used
    assert loaded.status is ledger.FileStatus.LOADED and loaded.run_id == "rerun"


def test_a_poison_pill_is_refused_and_the_good_files_of_its_batch_load(conninfo, settings, landing):
    """Issue 9, defect 1: a NUL byte in a field crashed stage (in the header: convert), the run
    failed and every file of the batch stayed claimed, good ones included, run after run."""
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    drop(landing, "PN000002.SMRT", smrt_text("PN000002", [("12345\x0067890", "20260105", "0100", "2")]))
    drop(landing, "PN000003.SMRT", smrt_text("PN000003", [("1234567890", "20260105", "0200", "3")])
         .replace('"GAZ"', '"G\x00Z"'))
    result = run_batch("run1", conninfo, settings)

    files = registry(conninfo)
    assert result.files_loaded == 1 and files["PN000001.SMRT"][0] == "loaded"
    assert files["PN000002.SMRT"][:2] == ("rejected", "PN000002.SMRT, line 2: a NUL byte (\\x00) at column 15: "
                                                      "a SMRT file is text")
    assert files["PN000003.SMRT"][:2] == ("rejected", "PN000003.SMRT, line 1: a NUL byte (\\x00) at column 18: "
                                                      "a SMRT file is text")
    assert files_in(settings.quarantine) == sorted(["PN000002.SMRT", "PN000002.SMRT.reason.json",
                                                    "PN000003.SMRT", "PN000003.SMRT.reason.json"])
    assert [r[3] for r in readings(conninfo)] == ["PN000001.SMRT"] and files_in(landing) == []


def test_a_reader_failing_unexpectedly_refuses_that_file_with_the_errors_type_and_message(
        conninfo, settings, landing, monkeypatch):
    """Issue 9, defect 1, unknown exceptions: the file is refused with the error's type and
    message, the task does not crash and the batch's other files load."""
    from filegate.datasets.smrt import reader

    reading = reader._reading

    def fragile(fields):   # a reader bug that only one input sets off
        if fields[4] == "13":
            raise KeyError("a bug in the reader")
        return reading(fields)

    monkeypatch.setattr(reader, "_reading", fragile)
    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    drop(landing, "PN000002.SMRT", smrt_text("PN000002", [("1234567890", "20260105", "0100", "13")]))
    result = run_batch("run1", conninfo, settings)

    files = registry(conninfo)
    assert result.files_loaded == 1 and files["PN000001.SMRT"][0] == "loaded"
    assert files["PN000002.SMRT"][:2] == ("rejected", "PN000002.SMRT, whole file: could not be converted: "
                                                      "KeyError: 'a bug in the reader'")


def test_a_file_modified_after_its_claim_is_released_and_its_final_bytes_load_next(conninfo, settings, landing):
    """Issue 9, defect 4: a line appended after claim was loaded, while the registry kept the
    sha256 and size taken at claim. Issue 25: refusing it lost the sender's final version; the
    claim is released instead, and the next run loads the file as it then is."""
    from filegate.ingest import pipeline

    path = drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    (claimed,) = pipeline.claim("smrt", "run1", conninfo, settings)
    final = smrt_text("PN000001", [("1234567890", "20260105", "0000", "1"), ("1234567890", "20260105", "0100", "99")])
    path.write_text(final)
    converted = pipeline.convert("smrt", "run1", claimed, conninfo, settings)

    assert converted.outcome == "released" and registry(conninfo) == {} and path.exists()
    run_batch("run2", conninfo, settings)
    status, _, rows_read, _ = registry(conninfo)["PN000001.SMRT"]
    assert status == "loaded" and rows_read == 2 and len(readings(conninfo)) == 2
    assert files_in(settings.quarantine) == []


@pytest.mark.parametrize("change", ["replaced", "deleted", "rewritten in place, size and mtime put back"])
def test_issue25_a_claimed_file_changed_before_convert_ends_as_one_clean_run(conninfo, settings, landing, change):
    """The fault campaign of issue 25: a claimed file replaced, deleted, or rewritten in place with
    its size and mtime put back, before convert; the run and the next end as one clean run on the
    files as they then are."""
    import os

    from filegate.ingest import pipeline

    path = drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    drop(landing, "PN000002.SMRT", smrt_text("PN000002", [("1234567891", "20260105", "0000", "5")]))
    claimed = pipeline.claim("smrt", "run1", conninfo, settings)
    before = path.stat()
    if change == "replaced":
        other = path.with_name("PN000001.SMRT.part")
        other.write_text(smrt_text("PN000001", [("1234567890", "20260105", "0000", "7")]))
        other.rename(path)
    elif change == "deleted":
        path.unlink()
    else:
        path.write_text(path.read_text().replace(",1\n", ",8\n"))
        assert path.stat().st_size == before.st_size
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    batch = [pipeline.convert("smrt", "run1", f, conninfo, settings) for f in claimed]
    audited = pipeline.audit("smrt", "run1", pipeline.stage("smrt", "run1", batch, conninfo, settings), conninfo, settings)
    pipeline.publish("smrt", "run1", audited, conninfo, settings)
    run_batch("run2", conninfo, settings)

    expected = {"replaced": 7, "deleted": None, "rewritten in place, size and mtime put back": 8}[change]
    stored = {r[0]: r[2] for r in readings(conninfo)}
    assert stored.get("01234567890") == expected and stored["01234567891"] == 5
    files = registry(conninfo)
    assert {name: status for name, (status, *_) in files.items()} == (
        {"PN000002.SMRT": "loaded"} if change == "deleted" else {"PN000001.SMRT": "loaded", "PN000002.SMRT": "loaded"})
    assert files_in(settings.landing) == [] and files_in(settings.quarantine) == []


def test_a_file_modified_while_being_read_is_released(conninfo, settings, landing, monkeypatch):
    """Issue 9, defect 4: the bytes converted must be the bytes hashed at claim."""
    from filegate.datasets.smrt import reader

    path = drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1"),
                                                                 ("1234567890", "20260105", "0100", "2")]))
    reading = reader._reading

    def with_a_writer(fields):   # the sender rewrites the file while the reader is halfway through
        if fields[3] == "0100":
            path.write_text(path.read_text().replace(",2\n", ",3\n"))
        return reading(fields)

    monkeypatch.setattr(reader, "_reading", with_a_writer)
    result = run_batch("run1", conninfo, settings)

    assert result.files_loaded == 0 and readings(conninfo) == [] and registry(conninfo) == {}
    assert list(settings.processed.rglob("*.json.gz")) == []   # nothing of it is left converted
    monkeypatch.setattr(reader, "_reading", reading)
    run_batch("run2", conninfo, settings)
    assert [r[2] for r in readings(conninfo)] == [1, 3]


def test_what_a_killed_run_left_behind_is_cleaned_up_by_the_next_run(conninfo, settings, landing):
    """Issue 9, defect 10: orphan staging.* tables and processed/<run>/parts/ stayed forever."""
    from filegate.ingest import pipeline

    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    claimed = pipeline.claim("smrt", "killed", conninfo, settings)
    converted = [pipeline.convert("smrt", "killed", f, conninfo, settings) for f in claimed]
    pipeline.stage("smrt", "killed", converted, conninfo, settings)   # ... and then kill -9
    parts = settings.processed / "smrt" / "killed" / "parts"
    assert parts.exists() and staging_tables(conninfo) == 1

    drop(landing, "PN000002.SMRT", smrt_text("PN000002", [("1234567890", "20260105", "0100", "2")]))
    run_batch("next", conninfo, settings)   # claims the killed run's file again: nothing is left to it
    assert not parts.exists() and staging_tables(conninfo) == 0
    assert {f: v[0] for f, v in registry(conninfo).items()} == {"PN000001.SMRT": "loaded", "PN000002.SMRT": "loaded"}


def test_a_batch_is_never_staged_short_of_a_files_parts(conninfo, settings, landing):
    """Left-overs are removed by run: a run taken for dead while it converts must fail at stage,
    not stage without the file's rows."""
    import shutil

    from filegate.ingest import pipeline

    drop(landing, "PN000001.SMRT", smrt_text("PN000001", [("1234567890", "20260105", "0000", "1")]))
    claimed = pipeline.claim("smrt", "slow", conninfo, settings)
    converted = [pipeline.convert("smrt", "slow", f, conninfo, settings) for f in claimed]
    shutil.rmtree(settings.processed / "smrt" / "slow" / "parts")
    with pytest.raises(RuntimeError, match=r"the converted parts of PN000001.SMRT \(readings\) are gone"):
        pipeline.stage("smrt", "slow", converted, conninfo, settings)
    assert registry(conninfo)["PN000001.SMRT"][0] == "claimed"


def staging_tables(conninfo) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'").fetchone()[0]
