"""The CLI and Makefile as a person uses them."""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_eval_make_env_gets_only_export_lines():
    """Issue 9, defect 9: progress printed on stdout broke `eval "$(make -s env)"`."""
    out = subprocess.run(["make", "-s", "env"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert lines and all(line.startswith("export ") for line in lines), out[:2000]
    shell = subprocess.run(["bash", "-c", 'eval "$(make -s env)" && echo "$AIRFLOW_HOME|$AIRFLOW_CONN_WAREHOUSE"'],
                           cwd=ROOT, capture_output=True, text=True, check=True, env=os.environ.copy())
    home, warehouse = shell.stdout.strip().split("|", 1)
    assert home.endswith("airflow") and "warehouse" in warehouse
    # building the venv (first use, or new pins) says what it does on stderr, never stdout
    recipe = subprocess.run(["make", "-n", "-W", "requirements.txt", ".venv/bin/.installed"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    echoes = [line for line in recipe if line.lstrip().startswith("echo ")]
    assert echoes and all(line.rstrip().endswith(">&2") for line in echoes), recipe


def test_a_shell_that_ran_make_env_still_uses_the_embedded_stack():
    """After `eval "$(make -s env)"` the shell holds both database URLs; filegate took them for the
    user's own PostgreSQL, so after `make down` every later make target failed with a traceback."""
    code = "from filegate.ops import embedded; print(embedded.own_databases())"
    fresh_shell = {k: v for k, v in os.environ.items()   # a person's shell, before any eval
                   if k not in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_WAREHOUSE")}
    shell = subprocess.run(["bash", "-c", f'eval "$(make -s env)" && .venv/bin/python -c "{code}"'],
                           cwd=ROOT, capture_output=True, text=True, check=True, env=fresh_shell)
    assert shell.stdout.strip() == "False"


def test_two_set_ups_at_once_on_a_fresh_environment_both_succeed(tmp_path):
    """Issue 9, defect 8: two `make run` at once on a fresh environment crashed the second with a
    bare traceback (a CREATE DATABASE race). Set-up is serialised: the second waits, and says so."""
    env = {**os.environ, "FILEGATE_STATE_DIR": str(tmp_path / "state"), "FILEGATE_DATA_ROOT": str(tmp_path / "data")}
    for name in ("AIRFLOW_CONN_WAREHOUSE", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_HOME"):
        env.pop(name, None)
    python = str(ROOT / ".venv" / "bin" / "python")
    try:
        both = [subprocess.Popen([python, "-m", "filegate.ops.cli", "migrate"], cwd=ROOT, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
        outputs = [p.communicate(timeout=600)[0] for p in both]
        assert [p.returncode for p in both] == [0, 0], outputs
        assert "Traceback" not in "".join(outputs)
        assert sum("• waiting for `make migrate` (pid " in out for out in outputs) == 1, outputs
    finally:
        subprocess.run([python, "-m", "filegate.ops.cli", "down"], cwd=ROOT, env=env, capture_output=True)
