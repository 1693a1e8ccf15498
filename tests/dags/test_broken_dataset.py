"""A broken dataset breaks only itself (issue 26): a refused setting or a package that fails to
import shows among Airflow's DAG import errors, naming the dataset and the problem, and every
other dataset's DAGs are still there."""
from __future__ import annotations

from filegate import datasets
from tests.support.dagrun import DAGS


def parsed():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    return set(bag.dags), {rel.rsplit("/", 1)[-1]: error for rel, error in bag.import_errors.items()}


def expected_dags(without: set[str]) -> set[str]:
    return {f"{name}_{kind}" for name in datasets.names() if name not in without for kind in ("ingest", "reports")}


def test_a_healthy_install_has_every_dataset_and_no_import_error():
    dags, errors = parsed()
    assert errors == {} and dags == expected_dags(set())


def test_a_refused_setting_removes_that_datasets_dags_only_and_says_why(monkeypatch):
    monkeypatch.setenv("FILEGATE_EVENTS_CHUNK_ROWS", "0")
    dags, errors = parsed()
    assert dags == expected_dags({"events"}) and {"smrt_ingest", "wells_reports"} <= dags
    assert list(errors) == ["filegate_problems.py"]
    assert "dataset events: invalid setting: FILEGATE_EVENTS_CHUNK_ROWS='0'" in errors["filegate_problems.py"]


def test_a_package_that_fails_to_import_removes_nothing_but_itself(monkeypatch, tmp_path):
    package = tmp_path / "kaput"
    package.mkdir()
    (package / "__init__.py").write_text("import filegate_no_such_module\n")
    monkeypatch.setenv("FILEGATE_DATASETS_PATH", str(tmp_path))
    dags, errors = parsed()
    assert dags == expected_dags(set()) and "smrt_ingest" in dags
    assert list(errors) == ["filegate_problems.py"]
    error = errors["filegate_problems.py"]
    assert f"dataset kaput: its package {package} fails to import: ModuleNotFoundError" in error
    assert "filegate_no_such_module" in error
