"""Task logs where Airflow's UI looks for them, whichever way the task ran.

Under a scheduler, Airflow's supervisor writes each task attempt's log to
`<base_log_folder>/dag_id=…/run_id=…/task_id=…/[map_index=…/]attempt=N.log` before the task
starts, and the UI reads it from there. `airflow dags test` (what `make run` runs) runs tasks
in-process and writes no such file, so the UI showed those runs' convert and audit steps with
empty logs. When the file is missing, `kept()` writes the task's log records into it, one JSON
object a line, the format the supervisor writes and the UI reads.
"""
from __future__ import annotations

import contextlib
import json
import logging
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterator


def log_path(ti: Any) -> Path:
    """Where Airflow's UI reads the log of this task instance's current attempt."""
    from airflow.configuration import conf
    from jinja2 import Template

    template = conf.get("logging", "log_filename_template")
    relative = Template(template).render(ti=ti, try_number=ti.try_number)
    return Path(conf.get("logging", "base_log_folder")) / relative


class JsonLines(logging.Handler):
    """Log records as the supervisor writes them: {"timestamp", "level", "event", "logger"}."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(logging.INFO)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        line = {"timestamp": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
                "level": record.levelname.lower(), "event": record.getMessage(), "logger": record.name}
        if record.exc_info:
            line["event"] += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        try:
            self.stream.write(json.dumps(line, default=str) + "\n")
            self.stream.flush()
        except (OSError, ValueError):   # a log that cannot be written never fails the task
            pass


@contextlib.contextmanager
def kept() -> Iterator[None]:
    """Inside a running task: its log records also go to its log file when nobody else writes it."""
    try:
        from airflow.sdk import get_current_context

        path = log_path(get_current_context()["ti"])
    except Exception:   # not inside a task (tests calling the steps directly): nothing to keep
        yield
        return
    if path.exists():   # a supervisor writes it (scheduler, Celery worker)
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    with open(path, "a", encoding="utf-8") as stream:
        handler = JsonLines(stream)
        root.addHandler(handler)
        try:
            yield
        except BaseException:
            logging.getLogger("filegate.task").exception("the task failed")
            raise
        finally:
            root.removeHandler(handler)
