"""Whose scheduler drives `make run`'s runs (filegate.ops.handoff, processes.standalone_pid): a live
`make up` of this environment, found from its pid file; none when the file names a dead process."""
from __future__ import annotations

import os
import subprocess
import sys

from filegate.ops import handoff
from filegate.ops.processes import standalone_pid
from filegate.settings import Settings


def settings(tmp_path) -> Settings:
    return Settings(data_root=tmp_path / "data", state_dir=tmp_path / "state")


def test_no_pid_file_means_no_scheduler_and_no_handoff(tmp_path):
    assert standalone_pid(settings(tmp_path)) is None
    assert handoff.applies(settings(tmp_path), "smrt_ingest") is False


def test_a_live_standalone_is_a_scheduler_and_a_dead_one_is_not(tmp_path):
    s = settings(tmp_path)
    s.state_dir.mkdir(parents=True)
    (s.state_dir / "standalone.pid").write_text(str(os.getpid()))
    assert standalone_pid(s) == os.getpid()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (s.state_dir / "standalone.pid").write_text(str(gone.pid))
    assert standalone_pid(s) is None
