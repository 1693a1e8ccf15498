"""What a failed validation found, said as a refusal: the failing expectations, their lines and
values (found in SQL where GE gives only a count), and the staged rows at those lines."""
from __future__ import annotations

from typing import Any

from filegate.kit.errors import QUOTE_LIMIT, bounded, excerpt
from filegate.warehouse.connection import quoted

SAMPLE_ROWS = 10


def raise_on_errors(name: str, validation: Any) -> None:
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


def add_query_lines(conninfo: str, staging: str, file_id: int, validation: Any) -> None:
    """Row-query expectations report a count only: find their sample lines (and the values of the
    column their `meta` names) by running the query on this file's rows."""
    from filegate.warehouse.connection import connect

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


def _add_duplicate_lines(conninfo: str, staging: str, file_id: int, result: Any) -> None:
    """GE counts the rows of a key given twice in a file, no more: find their lines and keys (a
    reason must say which key, where), in line order."""
    from filegate.warehouse.connection import connect

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


def files_in(conninfo: str, staging: str, file_ids: list[int]) -> list[int]:
    """The files of the batch that have rows in this staging table."""
    from filegate.warehouse.connection import compose, connect

    with connect(conninfo) as conn:
        present = {r[0] for r in conn.execute(compose("SELECT DISTINCT _file_id FROM {t}", t=staging))}
    return [i for i in file_ids if i in present]


def describe(suite_name: str, validation: Any) -> dict:
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


def sample_rows(conninfo: str, staging: str, file_id: int, failed: list[dict]) -> list[dict]:
    """The staged rows (raw values included) at the sample lines GE reported, in line order."""
    from psycopg.rows import dict_row

    from filegate.warehouse.connection import compose, connect

    lines = sorted({n for f in failed for n in (f["sample_lines"] or [])})[:SAMPLE_ROWS]
    if not lines:
        return []
    with connect(conninfo, row_factory=dict_row) as conn:
        q = compose("SELECT * FROM {t} WHERE _file_id = %s AND _line = ANY(%s) ORDER BY _line", t=staging)
        return [{k: _cut(v) for k, v in row.items()} for row in conn.execute(q, (file_id, lines))]


def _cut(value: Any) -> Any:
    """Input quoted in a refusal's details, each text at most QUOTE_LIMIT characters, marked as cut."""
    if isinstance(value, list):
        return [_cut(v) for v in value]
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return bounded(value, QUOTE_LIMIT)
    return value
