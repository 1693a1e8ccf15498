"""The gate: a suite folded into one SQL query, so a batch that passes is checked in one scan."""
from __future__ import annotations

from typing import Any, Iterable

from filegate.ingest.audit.suites import ACROSS_FILES, ROW_QUERY
from filegate.warehouse.connection import quoted


def gate_suite(suite: Any) -> Any:
    """The batch's pass/fail check: the expectations of `suite` that SQL can state, as ONE
    UnexpectedRowsExpectation: the column checks (not null, between, regex) in a single scan of the
    batch, keys unique in each file and across files in one aggregate, each row query a branch of
    its own; running the suite itself scans the batch a few times per expectation. Expectations it
    cannot state (other types, `mostly`, row conditions) are kept as they are.

    The gate flags every batch the suite would fail (a test holds it to that), so a batch that
    passes it passes the suite; one that fails it is validated file by file with the suite itself,
    which names the failures, as before."""
    import great_expectations as gx

    from filegate.ingest.audit.gate_expectation import GateExpectation

    conditions: list[str] = []
    unique: list = []
    across: list = []
    queries: list[str] = []
    kept: list = []
    folded: list = []
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


def _unexpected(expectation: Any) -> tuple[str | None, object]:
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


def _quoted(columns: Iterable[str]) -> list[str]:
    return [_braced(quoted(c)) for c in columns]


def _columns(columns: Iterable[str]) -> str:
    return ", ".join(_quoted(columns))


def _number(value: Any) -> bool:
    import math

    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number_sql(value: Any) -> str:
    """A whole bound as an integer: `bytes >= 0.0` would cast every bigint to numeric."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"   # standard_conforming_strings is on (PostgreSQL's default)


def _braced(text: str) -> str:
    """Text put into a GE query template, which GE fills with str.format."""
    return text.replace("{", "{{").replace("}", "}}")


def _short(expectation: Any) -> str:
    kwargs = expectation.configuration.kwargs
    what = kwargs.get("column") or ",".join(kwargs.get("column_list") or ())
    return f"{expectation.expectation_type}({what})"
