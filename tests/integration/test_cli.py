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
    recipe = subprocess.run(["make", "-n", "-W", "requirements.txt", "venv"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    echoes = [line for line in recipe if line.lstrip().startswith("echo ")]
    assert echoes and all(line.rstrip().endswith(">&2") for line in echoes), recipe
