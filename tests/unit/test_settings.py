"""Settings are validated whole at start: a bad value is refused naming it, never clamped."""
import pytest

from filegate import settings


def test_defaults_need_no_configuration(monkeypatch):
    for name in ("FILEGATE_GZIP_LEVEL", "FILEGATE_MIN_FILE_AGE", "FILEGATE_POKE_INTERVAL"):
        monkeypatch.delenv(name, raising=False)
    s = settings.load()
    assert (s.gzip_level, s.min_file_age, s.poke_interval) == (1, 30.0, 60.0)
    assert s.landing == s.data_root / "landing" and s.data_root.is_absolute()


def test_relative_folders_are_under_the_project(monkeypatch):
    monkeypatch.setenv("FILEGATE_DATA_ROOT", "somewhere/data")
    assert settings.load().data_root == settings.PROJECT_ROOT / "somewhere" / "data"


@pytest.mark.parametrize("name, value, words", [
    ("FILEGATE_GZIP_LEVEL", "9", "FILEGATE_GZIP_LEVEL='9': Input should be less than or equal to 3"),
    ("FILEGATE_GZIP_LEVEL", "fast", "FILEGATE_GZIP_LEVEL='fast': Input should be a valid integer"),
    ("FILEGATE_MIN_FILE_AGE", "-1", "FILEGATE_MIN_FILE_AGE='-1': Input should be greater than or equal to 0"),
    ("FILEGATE_POKE_INTERVAL", "0", "FILEGATE_POKE_INTERVAL='0': Input should be greater than 0"),
])
def test_a_bad_value_is_refused_with_the_variable_named(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingsError) as info:
        settings.load()
    assert words in str(info.value)


def test_a_datasets_own_settings_are_validated_the_same_way(monkeypatch):
    from filegate import datasets

    smrt = datasets.get("smrt")
    monkeypatch.setenv("FILEGATE_SMRT_ACCEPT_DEV", "perhaps")
    with pytest.raises(settings.SettingsError, match="FILEGATE_SMRT_ACCEPT_DEV='perhaps'"):
        smrt.settings()
    monkeypatch.setenv("FILEGATE_SMRT_ACCEPT_DEV", "yes")
    assert smrt.settings().accept_dev is True


def test_the_cli_refuses_a_bad_setting_in_one_line(monkeypatch, capsys):
    from filegate.ops import cli

    monkeypatch.setenv("FILEGATE_GZIP_LEVEL", "7")
    assert cli.main(["migrate"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("✗ invalid setting: FILEGATE_GZIP_LEVEL='7'") and "Traceback" not in out


def test_changing_the_ui_port_moves_the_execution_api_with_it(monkeypatch):
    """Issue 9, defect 12: with AIRFLOW__API__PORT set, tasks still called the execution API on 8080."""
    from filegate.ops.embedded import api_addresses

    for name in ("AIRFLOW__API__HOST", "AIRFLOW__API__BASE_URL", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW__API__PORT", "8099")
    assert api_addresses() == {"AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": "8099",   # loopback by default
                               "AIRFLOW__API__BASE_URL": "http://localhost:8099",
                               "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://localhost:8099/execution/"}
    monkeypatch.setenv("AIRFLOW__API__HOST", "10.1.2.3")
    assert api_addresses()["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://10.1.2.3:8099/execution/"


@pytest.mark.parametrize("name, value, problem", [
    ("FILEGATE_HOUSING_SCHEDULE", "every minute", "FILEGATE_HOUSING_SCHEDULE='every minute': Value error, expected one of @continuous"),
    ("FILEGATE_HOUSING_FILES_PER_TASK", "0", "FILEGATE_HOUSING_FILES_PER_TASK='0': Input should be greater than or equal to 1"),
])
def test_a_bad_ingest_setting_is_refused_naming_it(monkeypatch, name, value, problem):
    from filegate.datasets import check_settings
    from filegate.settings import SettingsError

    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        check_settings()
    assert problem in str(refused.value)


def test_ingest_settings_override_the_datasets_own(monkeypatch):
    from filegate.settings import ingest_settings

    monkeypatch.setenv("FILEGATE_HOUSING_SCHEDULE", "*/2 * * * *")
    monkeypatch.setenv("FILEGATE_HOUSING_FILES_PER_TASK", "100")
    assert ingest_settings("housing").schedule == "*/2 * * * *" and ingest_settings("housing").files_per_task == 100
    assert ingest_settings("smrt").schedule is None   # unset: the dataset's own
