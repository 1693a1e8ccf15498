"""A `make up` stack shared by the outside-in tests: its own state folder and data root, its UI
on a free port that is not 8080, sensors quick (so a dropped file is seen within seconds), and at
most 16 convert tasks per run (so a drop of thousands of files makes few task starts on CI's 2 cores)."""
from __future__ import annotations

import pytest

from filegate.ops.processes import free_port
from tests.support.helpers import make, own_environment


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """`make up` in its own environment, its UI on a port that is not 8080 (the README's advice
    for running two environments' UIs at once); yields (environment, port, folder)."""
    tmp = tmp_path_factory.mktemp("stack")
    port = free_port()
    env = own_environment(tmp, AIRFLOW__API__PORT=str(port), FILEGATE_POKE_INTERVAL="2", FILEGATE_MIN_FILE_AGE="1",
                          FILEGATE_MAX_CONVERT_TASKS="16")
    up = make("up", env)
    try:
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        yield env, port, tmp
    finally:
        make("down", env)
