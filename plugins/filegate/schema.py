"""Create and upgrade the warehouse schema with Alembic (`make migrate`, `filegate migrate`).

The core chain lives in `filegate/migrations/versions/`; a dataset package may ship its own
`migrations/` folder, an Alembic branch on top of the core, found by discovery.
"""
from __future__ import annotations

import logging
from pathlib import Path

from filegate.warehouse import sqlalchemy_url

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def alembic_config(conninfo: str):
    from alembic.config import Config

    from filegate import datasets

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [MIGRATIONS / "versions", *datasets.migration_folders()]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", ":".join(map(str, locations)))
    cfg.attributes["url"] = sqlalchemy_url(conninfo)
    return cfg


def upgrade(conninfo: str, revision: str = "heads") -> None:
    from alembic import command

    log.info("upgrading the warehouse schema to %s", revision)
    command.upgrade(alembic_config(conninfo), revision)


def metadata():
    """All models' metadata: the registry plus every discovered dataset's declared tables."""
    from filegate import datasets
    from filegate.models import with_datasets

    return with_datasets(datasets.all())
