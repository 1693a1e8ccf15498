"""Landing folder rules: only complete files count; files are moved, never overwritten or deleted."""
import hashlib
import os
import time

from filegate.ingest import landing


def touch(path, text="x", age=0.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_temporary_hidden_and_young_files_are_not_complete(tmp_path):
    touch(tmp_path / "A.SMRT", age=100)
    touch(tmp_path / "B.SMRT.part", age=100)
    touch(tmp_path / "C.SMRT.tmp", age=100)
    touch(tmp_path / ".D.SMRT", age=100)
    touch(tmp_path / "E.SMRT", age=1)
    touch(tmp_path / "sub" / "F.SMRT", age=100)
    touch(tmp_path / "G.csv", age=100)
    ready = landing.settled(landing.scan(tmp_path, "*.SMRT").regular, min_age=30)
    assert [p.relative_to(tmp_path).as_posix() for p in ready] == ["A.SMRT", "sub/F.SMRT"]


def test_fingerprint_records_size_hash_and_received_time(tmp_path):
    path = touch(tmp_path / "sub" / "A.SMRT", "hello", age=60)
    landed = landing.fingerprint(path, tmp_path)
    assert landed.filename == "sub/A.SMRT"
    assert landed.size == 5
    assert landed.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert abs(landed.received_at.timestamp() - (time.time() - 60)) < 5


def test_move_never_overwrites(tmp_path):
    first = landing.move(touch(tmp_path / "in" / "A.SMRT", "1"), tmp_path / "archive", "smrt", "b1", "A.SMRT")
    second = landing.move(touch(tmp_path / "in" / "A.SMRT", "2"), tmp_path / "archive", "smrt", "b1", "A.SMRT")
    assert first != second
    assert (first.read_text(), second.read_text()) == ("1", "2")
    assert not (tmp_path / "in" / "A.SMRT").exists()


def test_run_folder_names_are_safe():
    assert landing.run_folder("manual__2026-11-22T19:54:39.324074+00:00") == \
        "manual__2026-11-22T19_54_39.324074_00_00"


def test_links_and_what_is_not_a_regular_file_are_strangers_never_candidates(tmp_path):
    landing_dir, outside = tmp_path / "landing", tmp_path / "outside"
    (landing_dir / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.SMRT").write_text("TOP SECRET")
    touch(landing_dir / "A.SMRT", "ok")
    (landing_dir / "link.SMRT").symlink_to(outside / "secret.SMRT")
    (landing_dir / "dangling.SMRT").symlink_to(outside / "gone.SMRT")
    (landing_dir / "linked").symlink_to(outside, target_is_directory=True)
    os.mkfifo(landing_dir / "sub" / "pipe.SMRT")
    arrivals = landing.scan(landing_dir, "*.SMRT")
    assert [p.name for p in arrivals.regular] == ["A.SMRT"]
    strange = {p.relative_to(landing_dir).as_posix(): landing.stranger_kind(p, landing_dir)
               for p in arrivals.strangers}
    assert strange == {"dangling.SMRT": "a symbolic link", "link.SMRT": "a symbolic link",
                       "linked": "a symbolic link", "sub/pipe.SMRT": "a FIFO"}   # a linked folder is not walked
    assert landing.fingerprint(landing_dir / "link.SMRT", landing_dir) is None   # never read through a link


def test_a_pattern_may_list_several_globs(tmp_path):
    for name in ("a.log", "b.log.gz", "c.csv", "sub/d.json", "e.txt", "f.LOG", "g.log.gz.part"):
        touch(tmp_path / name, "x")
    arrivals = landing.scan(tmp_path, "*.log *.log.gz  *.csv\t*.json")
    assert [p.relative_to(tmp_path).as_posix() for p in arrivals.regular] == ["a.log", "b.log.gz", "c.csv", "sub/d.json"]
    assert landing.matches("x.SMRT", "*.SMRT") and not landing.matches("x.smrt", "*.SMRT")


def test_issue25_a_file_with_an_mtime_in_the_future_counts_from_when_it_landed(tmp_path):
    """A sender's clock ahead (or `touch -d tomorrow`): `now - mtime` stayed below the minimum age
    until that day, so the file waited in landing, and its received time would lie in the future."""
    import os
    import time

    path = touch(tmp_path / "A.SMRT", "1")
    tomorrow = time.time() + 86_400
    os.utime(path, (tomorrow, tomorrow))
    now = time.time()
    assert landing.settled([path], 30, now=now) == []          # it just landed
    assert landing.settled([path], 30, now=now + 31) == [path]  # 31 s later it has settled
    landed = landing.fingerprint(path, tmp_path)
    assert abs(landed.received_at.timestamp() - now) < 5        # received now, not tomorrow
    yesterday = now - 86_400
    os.utime(path, (yesterday, yesterday))                      # an mtime in the past is the sender's word
    assert abs(landing.fingerprint(path, tmp_path).received_at.timestamp() - yesterday) < 0.001
