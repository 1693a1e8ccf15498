"""The audit gate: a Great Expectations suite validates the staged batch inside PostgreSQL.

Validation is pushed down as SQL, so memory stays flat whatever the batch size. The whole batch
is validated once; only when that fails is each file validated on its own, to tell which files
fail and why. Results and browsable Data Docs go to `quality/<dataset>/`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from filegate.dataset import Dataset, Table
from filegate.warehouse import sqlalchemy_url

log = logging.getLogger(__name__)

SAMPLE_ROWS = 10


@dataclass
class AuditResult:
    failures: dict[int, dict] = field(default_factory=dict)   # file_id -> {"reason", "expectations"}
    docs: str | None = None


def _gx():
    # GE logs a lot at INFO and its import is slow: quiet it first, import only inside tasks
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    return gx


def context(quality_dir: Path):
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quality_dir.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="file", project_root_dir=str(quality_dir))
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def audit_table(conninfo: str, dataset: Dataset, table: Table, staging: str, file_ids: list[int],
                quality_dir: Path) -> AuditResult:
    gx = _gx()
    ctx = context(quality_dir)
    source = ctx.data_sources.add_or_update_sql(name="warehouse", connection_string=sqlalchemy_url(conninfo))
    suite = ctx.suites.add_or_update(dataset.suite(table))
    result = AuditResult()

    def validate(label: str, where: str) -> dict:
        name = f"{dataset.name}_{table.name}"
        if any(a.name == name for a in source.assets):
            source.delete_asset(name)
        asset = source.add_query_asset(name=name, query=f'SELECT * FROM {_quoted(staging)} {where}')
        batch = asset.add_batch_definition_whole_table(label)
        definition = ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        checkpoint = ctx.checkpoints.add_or_update(gx.Checkpoint(
            name=name, validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS,
                           "unexpected_index_column_names": ["_line"]},
        ))
        run = checkpoint.run()
        (validation,) = run.run_results.values()
        return validation

    whole = validate("batch", "")
    if whole.success:
        log.info("%s.%s: all %d file(s) pass suite %s", dataset.name, table.name, len(file_ids), suite.name)
    else:
        log.warning("%s.%s: the batch fails suite %s; validating file by file", dataset.name, table.name, suite.name)
        for file_id in file_ids:
            one = validate(f"file_{file_id}", f"WHERE _file_id = {int(file_id)}")
            if not one.success:
                result.failures[file_id] = _describe(suite.name, one)
    result.docs = _docs_index(ctx)
    return result


def _describe(suite_name: str, validation) -> dict:
    failed = []
    for r in validation.results:
        if r.success:
            continue
        cfg = r.expectation_config
        res = r.result or {}
        lines = [i.get("_line") for i in (res.get("partial_unexpected_index_list") or []) if isinstance(i, dict)]
        failed.append({
            "expectation": cfg.type,
            "kwargs": {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id",)},
            "unexpected_count": res.get("unexpected_count"),
            "sample_values": res.get("partial_unexpected_list"),
            "sample_lines": lines or None,
        })
    parts = []
    for f in failed:
        column = f["kwargs"].get("column") or ",".join(f["kwargs"].get("column_list") or [])
        where = f" (e.g. line {', '.join(map(str, f['sample_lines'][:3]))})" if f["sample_lines"] else ""
        parts.append(f"{f['expectation']}({column}): {f['unexpected_count']} row(s){where}")
    return {"reason": f"failed suite {suite_name}: " + "; ".join(parts), "expectations": failed}


def _quoted(name: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in name.split("."))


def _docs_index(ctx) -> str | None:
    sites = ctx.get_docs_sites_urls()
    return sites[0]["site_url"] if sites else None
