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

from filegate.declaration import Dataset
from filegate.errors import QUOTE_LIMIT, bounded, excerpt
from filegate.tables import Table
from filegate.warehouse import quoted, sqlalchemy_url

log = logging.getLogger(__name__)

SAMPLE_ROWS = 10


@dataclass
class AuditResult:
    failures: dict[int, dict] = field(default_factory=dict)   # file_id -> {"reason", "expectations"}
    docs: str | None = None


def _gx():
    # GE logs a lot at INFO and its import is slow: quiet it first, import only inside tasks
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import warnings

    import great_expectations as gx
    from great_expectations.datasource.fluent.sql_datasource import GxDatasourceWarning

    # it suggests add_postgres, which rejects the Unix-socket URL of the embedded server
    warnings.filterwarnings("ignore", category=GxDatasourceWarning)

    return gx


def context(quality_dir: Path):
    """An ephemeral context: suites and definitions live in memory, rebuilt from code each audit
    (nothing to drift or dangle); validation results and Data Docs are written under quality_dir."""
    gx = _gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig)

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


class Audit:
    """One audit run of a batch: one GE context for all its tables, Data Docs built once at the end."""

    def __init__(self, conninfo: str, dataset: Dataset, staging: dict[str, str], quality_dir: Path):
        self.gx = _gx()
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
        for file_id in _files_in(self.conninfo, staging_table, file_ids):
            one = self._validate(f"{self.dataset.name}.{table.name} file {file_id}", suite, staging_table, file_id)
            if not one.success:
                _add_query_lines(self.conninfo, staging_table, file_id, one)
                failure = result.failures[file_id] = _describe(suite.name, one)
                failure["sample_rows"] = _sample_rows(self.conninfo, staging_table, file_id, failure["expectations"])
        return result

    def _validate(self, name: str, suite, staging_table: str, file_id: int | None = None):
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
        _raise_on_errors(name, validation)
        self.validated.append((result_id, suite))
        return validation

    def build_docs(self) -> str | None:
        """Render this run's validation pages and the site index, once per run (not per validation)."""
        if not self.validated:
            return None
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        suites = {suite.name for _, suite in self.validated}
        self.ctx.build_data_docs(resource_identifiers=[
            *(result_id for result_id, _ in self.validated),
            *(ExpectationSuiteIdentifier(name=name) for name in sorted(suites))])
        return self.docs


def _raise_on_errors(name: str, validation) -> None:
    """An expectation that could not be evaluated is a bug in the suite, not bad data: fail the
    task (Airflow retries it) instead of quarantining files that may be fine."""
    for r in validation.results:
        info = r.exception_info or {}
        errors = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
        if info.get("raised_exception"):
            errors.append(info)
        if errors:
            message = errors[0].get("exception_message", "unknown error")
            raise RuntimeError(f"{name}: expectation {r.expectation_config.type} could not be evaluated: {message}")


def _add_query_lines(conninfo: str, staging: str, file_id: int, validation) -> None:
    """Row-query expectations report a count only: find their sample lines (and the values of the
    column their `meta` names) by running the query on this file's rows."""
    from filegate.warehouse import connect

    for r in validation.results:
        query = r.expectation_config.kwargs.get("unexpected_rows_query")
        if not r.success and r.expectation_config.type == "expect_compound_columns_to_be_unique":
            _add_duplicate_lines(conninfo, staging, file_id, r)
        if r.success or not query:
            continue
        column = (r.expectation_config.meta or {}).get("column")
        rows = f"(SELECT * FROM {quoted(staging)} WHERE _file_id = {int(file_id)}) AS batch_rows"
        value = quoted(column) if column else "NULL"
        with connect(conninfo) as conn:
            found = conn.execute(f"SELECT _line, {value} FROM ({query.replace('{batch}', rows)}) AS unexpected"
                                 f" ORDER BY _line LIMIT {SAMPLE_ROWS}").fetchall()
        r.result["partial_unexpected_index_list"] = [{"_line": n} for n, _ in found]
        if column:
            r.result["partial_unexpected_list"] = [v for _, v in found]


def _add_duplicate_lines(conninfo: str, staging: str, file_id: int, result) -> None:
    """GE counts the rows of a key given twice in a file, no more: find their lines and keys (a
    reason must say which key, where), in line order."""
    from filegate.warehouse import connect

    keys = [c for c in result.expectation_config.kwargs["column_list"] if c != "_file_id"]
    if not keys:
        return
    columns = ", ".join(quoted(c) for c in keys)
    present = " OR ".join(f"{quoted(c)} IS NOT NULL" for c in keys)
    with connect(conninfo) as conn:
        found = conn.execute(
            f"SELECT _line, {columns} FROM (SELECT *, count(*) OVER (PARTITION BY {columns}) AS copies"
            f" FROM {quoted(staging)} WHERE _file_id = {int(file_id)} AND ({present})) AS keyed"
            f" WHERE copies > 1 ORDER BY _line LIMIT {SAMPLE_ROWS}").fetchall()
    result.result["partial_unexpected_index_list"] = [{"_line": row[0]} for row in found]
    result.result["partial_unexpected_list"] = [row[1] if len(keys) == 1 else list(row[1:]) for row in found]
    result.result["filegate_value_column"] = ",".join(keys)


def _files_in(conninfo: str, staging: str, file_ids: list[int]) -> list[int]:
    """The files of the batch that have rows in this staging table."""
    from filegate.warehouse import compose, connect

    with connect(conninfo) as conn:
        present = {r[0] for r in conn.execute(compose("SELECT DISTINCT _file_id FROM {t}", t=staging))}
    return [i for i in file_ids if i in present]


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
            "description": cfg.description,
            "unexpected_count": res.get("unexpected_count", res.get("observed_value")),
            "sample_values": _cut(res.get("partial_unexpected_list")),
            "sample_lines": lines or None,
            "value_column": ((cfg.meta or {}).get("column") or res.get("filegate_value_column"))
                            if lines and res.get("partial_unexpected_list") else None,
        })
    parts = []
    for f in failed:
        column = f["kwargs"].get("column") or ",".join(f["kwargs"].get("column_list") or []) or f["description"]
        where = f" (e.g. line {', '.join(map(str, f['sample_lines'][:3]))})" if f["sample_lines"] else ""
        if f["value_column"]:   # the values at those lines matter (e.g. a reference to nothing): name them
            where = " (e.g. " + ", ".join(f"line {n}: {f['value_column']} {excerpt(v)}"
                                          for n, v in zip(f["sample_lines"][:3], f["sample_values"])) + ")"
        parts.append(f"{f['expectation']}({column}): {f['unexpected_count']} row(s){where}")
    return {"reason": f"failed suite {suite_name}: " + "; ".join(parts), "expectations": failed}


def _sample_rows(conninfo: str, staging: str, file_id: int, failed: list[dict]) -> list[dict]:
    """The staged rows (raw values included) at the sample lines GE reported, in line order."""
    from psycopg.rows import dict_row

    from filegate.warehouse import compose, connect

    lines = sorted({n for f in failed for n in (f["sample_lines"] or [])})[:SAMPLE_ROWS]
    if not lines:
        return []
    with connect(conninfo, row_factory=dict_row) as conn:
        q = compose("SELECT * FROM {t} WHERE _file_id = %s AND _line = ANY(%s) ORDER BY _line", t=staging)
        return [{k: _cut(v) for k, v in row.items()} for row in conn.execute(q, (file_id, lines))]


def _cut(value):
    """Input quoted in a refusal's details, each text at most QUOTE_LIMIT characters, marked as cut."""
    if isinstance(value, list):
        return [_cut(v) for v in value]
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return bounded(value, QUOTE_LIMIT)
    return value


ROW_QUERY = "SELECT * FROM {batch} WHERE "   # how standard_checks words a row query
ACROSS_FILES = "unique_across_files"            # the meta naming the keys of the cross-file check


def gate_suite(suite):
    """The batch's pass/fail check: the expectations of `suite` that SQL can state, as ONE
    UnexpectedRowsExpectation: the column checks (not null, between, regex) in a single scan of the
    batch, keys unique in each file and across files in one aggregate, each row query a branch of
    its own; running the suite itself scans the batch a few times per expectation. Expectations it
    cannot state (other types, `mostly`, row conditions) are kept as they are.

    The gate flags every batch the suite would fail (a test holds it to that), so a batch that
    passes it passes the suite; one that fails it is validated file by file with the suite itself,
    which names the failures, as before."""
    import great_expectations as gx

    from filegate.gate_expectation import GateExpectation

    conditions, unique, across, queries, kept, folded = [], [], [], [], [], []
    for expectation in suite.expectations:
        kind, sql = _unexpected(expectation)
        if kind is None:
            kept.append(expectation)
            continue
        folded.append(expectation.description or _short(expectation))
        {"row": conditions, "unique": unique, "across": across, "query": queries}[kind].append(sql)
    branches = [f"SELECT 1 FROM {{batch}} WHERE {' OR '.join(f'({c})' for c in conditions)}"] if conditions else []
    for keys in across:
        if ("_file_id", *keys) in unique:   # unique in each file and across files: unique in the batch
            unique.remove(("_file_id", *keys))
            branches.append(f"SELECT 1 FROM {{batch}} GROUP BY {_columns(keys)} HAVING count(*) > 1")
        else:
            branches.append(f"SELECT 1 FROM {{batch}} GROUP BY {_columns(keys)} HAVING min(_file_id) <> max(_file_id)")
    for columns in unique:   # GROUP BY puts NULLs together: at least as strict as GE, as a gate must be
        branches.append(f"SELECT 1 FROM {{batch}} WHERE NOT ({' AND '.join(f'{c} IS NULL' for c in _quoted(columns))})"
                        f" GROUP BY {_columns(columns)} HAVING count(*) > 1")
    branches += queries
    gate = gx.ExpectationSuite(name=f"{suite.name}_gate")
    if branches:
        gate.add_expectation(GateExpectation(
            description=f"suite {suite.name} in one pass: " + "; ".join(folded),
            unexpected_rows_query=" UNION ALL ".join(branches)))
    for expectation in kept:
        gate.add_expectation(expectation.copy(update={"id": None}))
    return gate


def _unexpected(expectation) -> tuple[str | None, object]:
    """How the gate states `expectation`: ("row", a subquery-free condition true on its unexpected
    rows), ("unique", the columns), ("across", the keys unique across files), ("query", a query
    returning its unexpected rows), SQL as GE query templates ({batch}, braces doubled); or
    (None, None) when it cannot be stated."""
    kwargs = expectation.configuration.kwargs
    if getattr(expectation, "mostly", 1) != 1 or getattr(expectation, "row_condition", None):
        return None, None
    kind = type(expectation).__name__
    if kind == "UnexpectedRowsExpectation":
        keys = (expectation.meta or {}).get(ACROSS_FILES)
        if keys:
            return "across", tuple(keys)
        query = kwargs["unexpected_rows_query"]
        # a branch of its own: a subquery inside an OR would be planned as a per-row subplan, not a join
        return "query", (f"SELECT 1 FROM {{batch}} WHERE {query[len(ROW_QUERY):]}" if query.startswith(ROW_QUERY)
                         else f"SELECT 1 FROM ({query}) AS unexpected")
    if kind == "ExpectCompoundColumnsToBeUnique" and expectation.ignore_row_if == "all_values_are_missing":
        return "unique", tuple(kwargs["column_list"])
    column = _braced(quoted(kwargs["column"])) if "column" in kwargs else None
    if kind == "ExpectColumnValuesToNotBeNull":
        return "row", f"{column} IS NULL"
    if kind == "ExpectColumnValuesToMatchRegex":
        return "row", f"{column} IS NOT NULL AND NOT ({column} ~ {_braced(_literal(kwargs['regex']))})"
    if kind == "ExpectColumnValuesToBeBetween":
        bounds = [(kwargs.get("min_value"), ">" if kwargs.get("strict_min") else ">="),
                  (kwargs.get("max_value"), "<" if kwargs.get("strict_max") else "<=")]
        bounds = [(v, op) for v, op in bounds if v is not None]
        if not bounds or not all(_number(v) for v, _ in bounds):
            return None, None
        inside = " AND ".join(f"{column} {op} {_number_sql(v)}" for v, op in bounds)
        return "row", f"{column} IS NOT NULL AND NOT ({inside})"
    return None, None


def _quoted(columns) -> list[str]:
    return [_braced(quoted(c)) for c in columns]


def _columns(columns) -> str:
    return ", ".join(_quoted(columns))


def _number(value) -> bool:
    import math

    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number_sql(value) -> str:
    """A whole bound as an integer: `bytes >= 0.0` would cast every bigint to numeric."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"   # standard_conforming_strings is on (PostgreSQL's default)


def _braced(text: str) -> str:
    """Text put into a GE query template, which GE fills with str.format."""
    return text.replace("{", "{{").replace("}", "}}")


def _short(expectation) -> str:
    kwargs = expectation.configuration.kwargs
    what = kwargs.get("column") or ",".join(kwargs.get("column_list") or ())
    return f"{expectation.expectation_type}({what})"


def suite_for(dataset: Dataset, table: Table, staging: dict[str, str]):
    """The table's suite: the dataset's own checks, then the standard checks its declaration
    implies; None when there is nothing to check."""
    import great_expectations as gx

    expectations = [*(dataset.checks(table, staging) if dataset.checks else ()), *standard_checks(table, staging)]
    if not expectations:
        return None
    built = gx.ExpectationSuite(name=f"{dataset.name}_{table.name}")
    for expectation in expectations:
        built.add_expectation(expectation)
    return built


def standard_checks(table: Table, staging: dict[str, str]) -> list:
    """What the declaration says, as expectations: keys and required columns not null, keys
    unique in each file (unless declared repeatable) and across the batch's files (if declared),
    ranges, references."""
    import great_expectations.expectations as gxe

    checks: list[gxe.Expectation] = [gxe.ExpectColumnValuesToNotBeNull(column=c)
              for c in (*table.keys, *(c.name for c in table.columns if c.required and c.name not in table.keys))]
    if table.keys and not table.repeats_in_file:
        checks.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=["_file_id", *table.keys]))
    if table.keys and table.unique_across_files:
        # every file involved is refused rather than one silently winning (a re-delivery comes in a
        # later batch). min <> max rather than count(DISTINCT): a hash aggregate, not a sort of the batch
        keys = ", ".join(quoted(k) for k in table.keys)
        checks.append(gxe.UnexpectedRowsExpectation(
            description=f"{table.name} key ({', '.join(table.keys)}) is in no other file of the batch",
            meta={ACROSS_FILES: list(table.keys)},   # the gate folds it into the uniqueness check
            unexpected_rows_query=(f"SELECT * FROM {{batch}} WHERE ({keys}) IN (SELECT {keys} FROM "
                                   f"{quoted(staging[table.name])} GROUP BY {keys} HAVING min(_file_id) <> max(_file_id))"),
        ))
    for column in (*table.minimum, *(c for c in table.maximum if c not in table.minimum)):
        checks.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=table.minimum.get(column),
                                                         max_value=table.maximum.get(column)))
    for column in table.greater_than_zero:
        checks.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True))
    for column, (parent, parent_column) in table.references.items():
        # the parent exists already, or arrives in this batch. GE substitutes {batch} as an aliased
        # subquery, so the outer row is referred to unqualified and the parents go in NOT IN lists
        # (NULL-free, or NOT IN would match nothing).
        parents = [f"SELECT {quoted(parent_column)} FROM {quoted(f'{table.schema}.{parent}')}"
                   f" WHERE {quoted(parent_column)} IS NOT NULL"]
        if parent in staging:
            parents.append(f"SELECT {quoted(parent_column)} FROM {quoted(staging[parent])}"
                           f" WHERE {quoted(parent_column)} IS NOT NULL")
        checks.append(gxe.UnexpectedRowsExpectation(
            description=f"{table.name}.{column} refers to an existing {parent}.{parent_column}",
            meta={"column": column},   # the refusal quotes the values that refer to nothing
            unexpected_rows_query=(f"SELECT * FROM {{batch}} WHERE {quoted(column)} IS NOT NULL AND {quoted(column)}"
                                   f" NOT IN ({' UNION ALL '.join(parents)})"),
        ))
    return checks
