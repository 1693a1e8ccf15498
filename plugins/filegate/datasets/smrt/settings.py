"""SMRT's own settings (FILEGATE_SMRT_*), validated when filegate starts."""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from filegate.settings import load


class SmrtSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FILEGATE_SMRT_", env_ignore_empty=True, frozen=True, extra="ignore")

    accept_dev: bool = Field(False, description="load files with a DV (development) generation number")


def smrt_settings() -> SmrtSettings:
    return load(SmrtSettings)
