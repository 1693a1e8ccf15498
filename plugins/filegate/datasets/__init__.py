"""The datasets filegate knows: every package in this folder (and in the folders named by
FILEGATE_DATASETS_PATH) whose `__init__` declares `DATASET`. Nothing lists them by hand.

Discovery imports the packages' `__init__` modules, which stay light (declarations only): DAG
files are parsed through it.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from functools import lru_cache
from pathlib import Path

from filegate import settings
from filegate.declaration import Dataset

HERE = Path(__file__).parent


def get(name: str) -> Dataset:
    found = _discovered(settings.load().datasets_path)
    if name not in found:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(found) or 'none'}")
    return found[name]


def names() -> tuple[str, ...]:
    return tuple(_discovered(settings.load().datasets_path))


def discovered() -> tuple[Dataset, ...]:
    return tuple(_discovered(settings.load().datasets_path).values())


@lru_cache(maxsize=8)
def _discovered(extra_path: str) -> dict[str, Dataset]:
    found: dict[str, Dataset] = {}
    folders = [HERE, *(Path(p).resolve() for p in extra_path.split(":") if p)]
    for folder in folders:
        for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
            if not info.ispkg:
                continue
            module = _import(folder, info.name)
            dataset = getattr(module, "DATASET", None)
            if not isinstance(dataset, Dataset):
                continue
            if dataset.name != info.name:
                raise ValueError(f"{folder / info.name}: declares dataset {dataset.name!r}; "
                                 f"a dataset's package is named after it")
            if dataset.name in found:
                raise ValueError(f"dataset {dataset.name!r} is declared twice ({folder / info.name})")
            found[dataset.name] = dataset.with_doc(module.__doc__)
    return found


def _import(folder: Path, name: str):
    """A dataset package as `filegate.datasets.<name>`, wherever its folder is."""
    qualified = f"{__name__}.{name}"
    loaded = sys.modules.get(qualified)
    if folder == HERE or (loaded is not None and Path(loaded.__file__).parent == folder / name):
        return importlib.import_module(qualified)
    spec = importlib.util.spec_from_file_location(qualified, folder / name / "__init__.py",
                                                  submodule_search_locations=[str(folder / name)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[qualified]
        raise
    return module


def check_settings() -> None:
    """Read every dataset's own settings now: a bad value fails at start (SettingsError), not mid-run."""
    from filegate.settings import ingest_settings

    for dataset in discovered():
        ingest_settings(dataset.name)
        if dataset.settings:
            dataset.settings()


def package_folder(name: str) -> Path:
    """Where a discovered dataset's package is."""
    get(name)   # discovered, or a clear KeyError
    return Path(sys.modules[f"{__name__}.{name}"].__file__).parent


def migration_folders() -> list[Path]:
    """`migrations/` folders that dataset packages ship (Alembic branches on top of the core)."""
    folders = (package_folder(d.name) / "migrations" for d in discovered())
    return [f for f in folders if f.is_dir()]

