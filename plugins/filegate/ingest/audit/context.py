"""The Great Expectations context an audit runs in: in memory, with its results and Data Docs
written under the dataset's quality folder. GE is imported here, inside tasks only (it is slow)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any


def load_gx() -> Any:
    # GE logs a lot at INFO and its import is slow: quiet it first, import only inside tasks
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import warnings

    import great_expectations as gx
    from great_expectations.datasource.fluent.sql_datasource import GxDatasourceWarning

    # it suggests add_postgres, which rejects the Unix-socket URL of the embedded server
    warnings.filterwarnings("ignore", category=GxDatasourceWarning)

    return gx


def context(quality_dir: Path) -> Any:
    """An ephemeral context: suites and definitions live in memory, rebuilt from code each audit
    (nothing to drift or dangle); validation results and Data Docs are written under quality_dir."""
    gx = load_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    def folder(name: str) -> dict:
        return {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(quality_dir / name)}

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               progress_bars=ProgressBarsConfig(globally=False))
    config.stores["validation_results_store"] = {"class_name": "ValidationResultsStore",
                                                 "store_backend": folder("validations")}
    config.validation_results_store_name = "validation_results_store"
    config.data_docs_sites = {"local_site": {
        "class_name": "SiteBuilder", "show_how_to_buttons": False, "store_backend": folder("data_docs"),
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}}}
    return gx.get_context(mode="ephemeral", project_config=config)


def docs_index(quality_dir: Path) -> Path:
    return quality_dir / "data_docs" / "index.html"
