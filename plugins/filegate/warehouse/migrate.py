"""Create and upgrade the warehouse schema with Alembic (`make migrate`, `filegate migrate`).

The core chain lives in `filegate/warehouse/migrations/versions/`; a dataset package may ship its own
`migrations/` folder, an Alembic branch on top of the core, found by discovery.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filegate.warehouse.connection import sqlalchemy_url

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import MetaData

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def alembic_config(conninfo: str) -> Config:
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


def metadata() -> MetaData:
    """All models' metadata: the registry plus every discovered dataset's declared tables."""
    from filegate import datasets
    from filegate.warehouse.models import with_datasets

    return with_datasets(datasets.discovered())


def revision(conninfo: str, message: str, dataset: str | None = None) -> Any:
    """Autogenerate a migration from the declarations against the warehouse (at its heads): into
    the core chain, or, with `dataset`, into that dataset's package (`migrations/`), a branch
    labelled with its name on top of the core head. Returns Alembic's Script(s) written."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from filegate import datasets

    cfg = alembic_config(conninfo)
    script = ScriptDirectory.from_config(cfg)
    core = MIGRATIONS / "versions"
    # the core revision no other core revision revises (a branch depending on it hides it from `heads`)
    chain = [rev for rev in script.walk_revisions() if Path(rev.path).parent == core]
    revised = {down for rev in chain for down in (rev.down_revision if isinstance(rev.down_revision, tuple)
                                                  else (rev.down_revision,))}
    core_head = next(rev.revision for rev in chain if rev.revision not in revised)
    if dataset is None:
        return command.revision(cfg, message, autogenerate=True, head=core_head, version_path=str(core))
    folder = datasets.package_folder(dataset) / "migrations"
    if dataset in {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}:
        return command.revision(cfg, message, autogenerate=True, head=f"{dataset}@head", version_path=str(folder))
    folder.mkdir(exist_ok=True)
    cfg = alembic_config(conninfo)   # now that the folder exists, it is a version location
    return command.revision(cfg, message, autogenerate=True, head="base", branch_label=dataset,
                            version_path=str(folder), depends_on=core_head)
