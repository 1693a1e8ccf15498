"""Configuration, read from the environment each time it is asked for (Airflow-style).

Every knob has a sane default so a fresh clone runs with no configuration at all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "include" / "sql"

# Suffixes a sender uses while a file is still being written; such files are never claimed.
TEMP_SUFFIXES = (".part", ".tmp", ".filepart", ".crdownload", ".partial", "~")


def _path(name: str, default: str) -> Path:
    value = Path(os.environ.get(name) or default).expanduser()
    return (value if value.is_absolute() else PROJECT_ROOT / value).resolve()


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    data_root: Path
    state_dir: Path
    poke_interval: float      # seconds between sensor pokes
    sensor_timeout: float     # seconds a sensor waits before the run is skipped
    min_file_age: float       # seconds a file must be unmodified before it counts as complete
    retry_delay: float        # seconds before a failed task is retried
    gzip_level: int           # compression level of the processed NDJSON (ISA-L levels 0-3)
    smrt_accept_dev: bool     # load SMRT files with a DV (development) generation number

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


def load() -> Settings:
    return Settings(
        data_root=_path("FILEGATE_DATA_ROOT", "data"),
        state_dir=_path("FILEGATE_STATE_DIR", ".filegate"),
        poke_interval=_float("FILEGATE_POKE_INTERVAL", 60.0),
        sensor_timeout=_float("FILEGATE_SENSOR_TIMEOUT", 6 * 3600.0),
        min_file_age=_float("FILEGATE_MIN_FILE_AGE", 30.0),
        retry_delay=_float("FILEGATE_RETRY_DELAY", 30.0),
        gzip_level=int(_float("FILEGATE_GZIP_LEVEL", 1)),
        smrt_accept_dev=_bool("FILEGATE_SMRT_ACCEPT_DEV", False),
    )
