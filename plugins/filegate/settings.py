"""Configuration from the environment (`FILEGATE_*`), read when asked for, validated whole.

Every knob has a sane default so a fresh clone runs with no configuration at all; a bad value is
refused with one line naming the variable, the value and what is wrong, never clamped or guessed.
A dataset's own settings are a model of the same kind in its package (`FILEGATE_<DATASET>_*`).
"""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar, overload

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "include" / "sql"

# Suffixes a sender uses while a file is still being written; such files are never claimed.
TEMP_SUFFIXES = (".part", ".tmp", ".filepart", ".crdownload", ".partial", "~")


class SettingsError(ValueError):
    """A setting with a value filegate refuses; the message names each bad variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FILEGATE_", env_ignore_empty=True, frozen=True, extra="ignore")

    data_root: Path = Field(Path("data"), description="landing/, processed/, archive/, quarantine/, reports/, quality/")
    state_dir: Path = Field(Path(".filegate"), description="embedded PostgreSQL, AIRFLOW_HOME, logs")
    poke_interval: float = Field(60.0, gt=0, description="seconds between sensor pokes")
    sensor_timeout: float = Field(6 * 3600.0, gt=0, description="seconds a sensor waits before the run is skipped")
    min_file_age: float = Field(30.0, ge=0, description="seconds a file must be unmodified to count as complete")
    retry_delay: float = Field(30.0, ge=0, description="seconds before a failed task is retried")
    gzip_level: int = Field(1, ge=0, le=3, description="ISA-L gzip level of the processed NDJSON")
    claim_timeout: float = Field(6 * 3600.0, gt=0, description="seconds after which a claim no run touched is stale")
    max_convert_tasks: int = Field(64, ge=1, description="mapped convert tasks one ingest run makes at most (the files "
                                                        "are grouped to fit; Airflow's max_map_length caps it too)")
    datasets_path: str = Field("", description="more folders of dataset packages, separated by ':'")

    @field_validator("data_root", "state_dir")
    @classmethod
    def _under_project(cls, value: Path) -> Path:
        value = value.expanduser()
        return (value if value.is_absolute() else PROJECT_ROOT / value).resolve()

    @property
    def landing(self) -> Path:
        return self.data_root / "landing"

    @property
    def processed(self) -> Path:
        return self.data_root / "processed"

    @property
    def archive(self) -> Path:
        return self.data_root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.data_root / "quarantine"

    @property
    def reports(self) -> Path:
        return self.data_root / "reports"

    @property
    def quality(self) -> Path:
        return self.data_root / "quality"


SCHEDULE_PRESETS = ("@continuous", "@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly")


class IngestSettings(BaseSettings):
    """How one dataset's ingest DAG runs, `FILEGATE_<DATASET>_SCHEDULE` and
    `FILEGATE_<DATASET>_FILES_PER_TASK` (see `ingest_settings`); unset, the dataset's own defaults."""
    model_config = SettingsConfigDict(env_ignore_empty=True, frozen=True, extra="ignore")

    schedule: str | None = Field(None, description="an Airflow preset (@daily, @continuous, ...) or a cron expression")
    files_per_task: int | None = Field(None, ge=1, description="files one mapped convert task converts, in turn")

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None and value not in SCHEDULE_PRESETS and len(value.split()) != 5:
            raise ValueError(f"expected one of {', '.join(SCHEDULE_PRESETS)} or a cron expression of 5 fields")
        return value


def ingest_settings(dataset: str) -> IngestSettings:
    return load(IngestSettings, prefix=f"FILEGATE_{dataset.upper()}_")


Model = TypeVar("Model", bound=BaseSettings)


@overload
def load(model: None = None, prefix: str | None = None) -> Settings: ...


@overload
def load(model: type[Model], prefix: str | None = None) -> Model: ...


def load(model: type[BaseSettings] | None = None, prefix: str | None = None) -> BaseSettings:
    """The settings from the environment (`model`: filegate's own by default; `prefix`: instead
    of the model's own), or SettingsError naming every bad variable."""
    model = model or Settings
    try:
        return model(_env_prefix=prefix) if prefix is not None else model()
    except ValidationError as e:
        prefix = prefix if prefix is not None else model.model_config.get("env_prefix", "")
        names = ["_".join(map(str, err["loc"])).upper() for err in e.errors()]
        names = [name if name.startswith("FILEGATE_") else f"{prefix}{name}" for name in names]   # an alias is whole
        problems = [f"{name}={err.get('input')!r}: {err['msg']}" for name, err in zip(names, e.errors())]
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None
