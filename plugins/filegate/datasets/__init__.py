"""The datasets filegate knows: every package in this folder (and in the folders named by
FILEGATE_DATASETS_PATH) whose `__init__` declares `DATASET`. Nothing lists them by hand.

Discovery imports the packages' `__init__` modules, which stay light (declarations only): DAG
files are parsed through it. A package that fails to import or declares itself wrongly is left
out and kept with its problem (`broken`), so one broken dataset never hides the others.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from filegate import settings
from filegate.kit.declaration import Dataset

HERE = Path(__file__).parent


class DatasetError(ValueError):
    """A dataset package that cannot be used; the message names the dataset and the problem."""


def get(name: str) -> Dataset:
    found, broken = _discovered(settings.load().datasets_path)
    if name in broken:
        raise DatasetError(broken[name])
    if name not in found:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(found) or 'none'}")
    return found[name]


def names() -> tuple[str, ...]:
    return tuple(_discovered(settings.load().datasets_path)[0])


def discovered() -> tuple[Dataset, ...]:
    return tuple(_discovered(settings.load().datasets_path)[0].values())


def broken() -> dict[str, str]:
    """{package name: its problem} for the dataset packages discovery had to leave out."""
    return dict(_discovered(settings.load().datasets_path)[1])


@lru_cache(maxsize=8)
def _discovered(extra_path: str) -> tuple[dict[str, Dataset], dict[str, str]]:
    found: dict[str, Dataset] = {}
    problems: dict[str, str] = {}
    folders = [HERE, *(Path(p).resolve() for p in extra_path.split(":") if p)]
    for folder in folders:
        for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
            if not info.ispkg:
                continue
            try:
                module = _import(folder, info.name)
            except Exception as e:   # whatever a package's code does, it is that dataset's problem alone
                problems[info.name] = (f"dataset {info.name}: its package {folder / info.name} fails to import: "
                                       f"{type(e).__name__}: {e}")
                continue
            dataset = getattr(module, "DATASET", None)
            if not isinstance(dataset, Dataset):
                continue
            if dataset.name != info.name:
                problems[info.name] = (f"dataset {info.name}: {folder / info.name} declares dataset {dataset.name!r}; "
                                       f"a dataset's package is named after it")
            elif dataset.name in found:
                problems[info.name] = f"dataset {info.name}: declared twice ({folder / info.name})"
            else:
                found[dataset.name] = dataset.with_doc(module.__doc__)
    return found, problems


def _import(folder: Path, name: str) -> ModuleType:
    """A dataset package as `filegate.datasets.<name>`, wherever its folder is."""
    qualified = f"{__name__}.{name}"
    loaded = sys.modules.get(qualified)
    if folder == HERE or (loaded is not None and Path(loaded.__file__ or "").parent == folder / name):
        return importlib.import_module(qualified)
    spec = importlib.util.spec_from_file_location(qualified, folder / name / "__init__.py",
                                                  submodule_search_locations=[str(folder / name)])
    if spec is None or spec.loader is None:
        raise ImportError(f"no Python package at {folder / name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[qualified]
        raise
    return module


def check_settings() -> None:
    """Read every dataset's own settings now: a bad value fails at start (SettingsError), not mid-run;
    so does a broken dataset package (DatasetError)."""
    if problems := broken():
        raise DatasetError("; ".join(problems.values()))
    for dataset in discovered():
        check_dataset_settings(dataset)


def check_dataset_settings(dataset: Dataset) -> None:
    """The dataset's ingest settings and its own, or SettingsError naming each bad variable."""
    from filegate.settings import ingest_settings

    ingest_settings(dataset.name)
    if dataset.settings:
        dataset.settings()


def package_folder(name: str) -> Path:
    """Where a discovered dataset's package is."""
    get(name)   # discovered, or a clear KeyError
    return Path(sys.modules[f"{__name__}.{name}"].__file__ or "").parent


def migration_folders() -> list[Path]:
    """`migrations/` folders that dataset packages ship (Alembic branches on top of the core)."""
    folders = (package_folder(d.name) / "migrations" for d in discovered())
    return [f for f in folders if f.is_dir()]

