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


def revision(conninfo: str, message: str, dataset: str | None = None) -> list:
    """Autogenerate a migration from the declarations against the warehouse (at its heads): into
    the core chain, or, with `dataset`, into that dataset's package (`migrations/`), a branch
    labelled with its name on top of the core head."""
    import sys

    from alembic import command
    from alembic.script import ScriptDirectory

    from filegate import datasets

    cfg = alembic_config(conninfo)
    if dataset is None:
        core = [rev.revision for rev in ScriptDirectory.from_config(cfg).get_revisions("heads")
                if not rev.branch_labels]
        return command.revision(cfg, message, autogenerate=True, head=core[0], version_path=str(MIGRATIONS / "versions"))
    datasets.get(dataset)   # known, or a clear KeyError
    folder = Path(sys.modules[f"filegate.datasets.{dataset}"].__file__).parent / "migrations"
    script = ScriptDirectory.from_config(cfg)
    if dataset in {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}:
        return command.revision(cfg, message, autogenerate=True, head=f"{dataset}@head", version_path=str(folder))
    folder.mkdir(exist_ok=True)
    cfg = alembic_config(conninfo)   # now that the folder exists, it is a version location
    core = [rev.revision for rev in script.get_revisions("heads") if not rev.branch_labels]
    return command.revision(cfg, message, autogenerate=True, head="base", branch_label=dataset,
                            version_path=str(folder), depends_on=core[0] if core else None)
