"""What `make run` shows of a failed run: a task log Airflow wrote as JSON lines reads as text,
and a machine's fault said in it is found (filegate.ops.processes.readable, cli.machine_error)."""
from __future__ import annotations

import json

from filegate.ops.cli import machine_error
from filegate.ops.processes import readable


def task_log(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_json_lines_task_log_reads_as_time_level_message_and_each_error_as_type_and_message(tmp_path):
    log = task_log(tmp_path / "attempt=1.log",
                   {"timestamp": "2026-12-04T13:52:44Z", "level": "info", "event": "claimed 2 file(s)"},
                   {"timestamp": "2026-12-04T13:52:45Z", "level": "error", "event": "Task failed with exception",
                    "error_detail": [{"exc_type": "MachineError", "exc_value": "no space left on /data",
                                      "frames": [{"filename": "x.py", "lineno": 1}]}]})
    assert readable(log).splitlines() == [
        "2026-12-04T13:52:44Z [info] claimed 2 file(s)",
        "2026-12-04T13:52:45Z [error] Task failed with exception",
        "MachineError: no space left on /data"]
    assert machine_error(log) == "no space left on /data"


def test_a_plain_log_reads_as_written_and_a_missing_one_says_so(tmp_path):
    log = tmp_path / "smrt_ingest.log"
    log.write_text('[x] starting\n{"not": "a record"}\nfilegate.kit.errors.MachineError: /data is read-only\n')
    assert readable(log).splitlines() == ["[x] starting", '{"not": "a record"}',
                                          "filegate.kit.errors.MachineError: /data is read-only"]
    assert machine_error(log) == "/data is read-only"
    assert readable(tmp_path / "gone.log") == f"(no log at {tmp_path / 'gone.log'})"
    assert machine_error(tmp_path / "gone.log") is None
