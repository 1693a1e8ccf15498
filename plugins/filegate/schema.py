"""Create and upgrade the warehouse schema with Alembic (`make migrate`, `filegate migrate`)."""
from __future__ import annotations

import logging
from pathlib import Path

from filegate.warehouse import sqlalchemy_url

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def alembic_config(conninfo: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = sqlalchemy_url(conninfo)
    return cfg


def upgrade(conninfo: str, revision: str = "head") -> None:
    from alembic import command

    log.info("upgrading the warehouse schema to %s", revision)
    command.upgrade(alembic_config(conninfo), revision)


def metadata():
    """All models' metadata: the registry plus every dataset's tables."""
    from filegate.models import Base
    import filegate.datasets.raw_data.models  # noqa: F401  (each registers its tables on Base)
    import filegate.datasets.smrt.models  # noqa: F401

    return Base.metadata
