"""events' own settings (`FILEGATE_EVENTS_*`), apart from the package so its reader can read them
without importing the declaration that names the reader."""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from filegate.settings import load


class EventsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FILEGATE_EVENTS_", env_ignore_empty=True, frozen=True,
                                      extra="ignore")

    chunk_rows: int = Field(100_000, ge=1, description="lines of a file read at a time")


def events_settings() -> EventsSettings:
    return load(EventsSettings)
