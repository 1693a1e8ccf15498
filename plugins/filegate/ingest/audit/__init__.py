"""The audit gate: a Great Expectations suite validates the staged batch inside PostgreSQL.

Validation is pushed down as SQL, so memory stays flat whatever the batch size. The whole batch
passes the gate (`gate_suite`: the suite folded into one query, one scan of the table, run once);
only when that fails is each file validated on its own with the full suite, with samples, to
tell which files fail and why. Results go to `quality/<dataset>/`, and its browsable Data Docs
are rebuilt once per run.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filegate.ingest.audit.context import context, docs_index, load_gx
from filegate.ingest.audit.findings import (
    SAMPLE_ROWS,
    add_query_lines,
    describe,
    files_in,
    raise_on_errors,
    sample_rows,
)
from filegate.ingest.audit.gate import gate_suite
from filegate.ingest.audit.suites import suite_for
from filegate.kit.declaration import Dataset
from filegate.kit.tables import Table
from filegate.warehouse.connection import quoted, sqlalchemy_url

log = logging.getLogger(__name__)


@dataclass
class AuditResult:
    failures: dict[int, dict] = field(default_factory=dict)   # file_id -> {"reason", "expectations"}
    docs: str | None = None


class Audit:
    """One audit run of a batch: one GE context for all its tables, Data Docs built once at the end."""

    def __init__(self, conninfo: str, dataset: Dataset, staging: dict[str, str], quality_dir: Path):
        self.gx = load_gx()
        self.conninfo, self.dataset, self.staging = conninfo, dataset, staging
        self.ctx = context(quality_dir)   # GE builds suites against the active context: create it first
        self.source = self.ctx.data_sources.add_sql(name="warehouse", connection_string=sqlalchemy_url(conninfo))
        self.docs = str(docs_index(quality_dir))
        self.validated: list = []   # (validation result id, suite id) of the pages the docs need

    def table(self, table: Table, file_ids: list[int]) -> AuditResult:
        """Validate `table`'s staging table: the batch once through the gate (`gate_suite`), and
        only if that fails, each file with the whole suite, for the reasons."""
        result = AuditResult(docs=self.docs)
        built = suite_for(self.dataset, table, self.staging) if file_ids else None
        if built is None:
            return result
        staging_table = self.staging[table.name]
        suite = self.ctx.suites.add(built)
        gate = self.ctx.suites.add(gate_suite(built))
        # A table asset, not a query: GE reads a query asset's columns by running the query whole,
        # every row into client memory (bench/README.md, "Load, side by side")
        whole = self._validate(f"{self.dataset.name}.{table.name} batch", gate, staging_table)
        if whole.success:
            log.info("%s.%s: all %d file(s) pass suite %s", self.dataset.name, table.name, len(file_ids), suite.name)
            return result
        log.warning("%s.%s: the batch fails the gate of suite %s; validating file by file", self.dataset.name,
                    table.name, suite.name)
        for file_id in files_in(self.conninfo, staging_table, file_ids):
            one = self._validate(f"{self.dataset.name}.{table.name} file {file_id}", suite, staging_table, file_id)
            if not one.success:
                add_query_lines(self.conninfo, staging_table, file_id, one)
                failure = result.failures[file_id] = describe(suite.name, one)
                failure["sample_rows"] = sample_rows(self.conninfo, staging_table, file_id, failure["expectations"])
        return result

    def _validate(self, name: str, suite: Any, staging_table: str, file_id: int | None = None) -> Any:
        gx = self.gx
        if file_id is None:   # the whole batch: pass or fail is all that is needed
            schema, table_name = staging_table.split(".")
            asset = self.source.add_table_asset(name=name, table_name=table_name, schema_name=schema)
            result_format: dict[str, object] = {"result_format": "BOOLEAN_ONLY"}
        else:                 # one file: with the failing lines and values, for the reason
            asset = self.source.add_query_asset(
                name=name, query=f"SELECT * FROM {quoted(staging_table)} WHERE _file_id = {int(file_id)}")
            result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS,
                             "unexpected_index_column_names": ["_line"]}
        batch = asset.add_batch_definition_whole_table("whole")
        definition = self.ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        checkpoint = self.ctx.checkpoints.add(gx.Checkpoint(
            name=name, validation_definitions=[definition], result_format=result_format))
        ((result_id, validation),) = checkpoint.run().run_results.items()
        raise_on_errors(name, validation)
        self.validated.append((result_id, suite))
        return validation

    def build_docs(self) -> str | None:
        """Render this run's validation pages and the site index, once per run (not per validation)."""
        if not self.validated:
            return None
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
        )

        suites = {suite.name for _, suite in self.validated}
        self.ctx.build_data_docs(resource_identifiers=[
            *(result_id for result_id, _ in self.validated),
            *(ExpectationSuiteIdentifier(name=name) for name in sorted(suites))])
        return self.docs
