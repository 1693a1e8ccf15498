"""The gate's one expectation: UnexpectedRowsExpectation that only counts the unexpected rows.

GE's UnexpectedRowsExpectation runs its query twice, once for a sample of the rows and once for
their count; the gate's query scans the whole batch, and pass or fail needs only the count.
GE is slow to import: `audit.gate` imports this module inside tasks only.
"""
from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.expectations import UnexpectedRowsExpectation


class GateExpectation(UnexpectedRowsExpectation):
    """No row of the batch is returned by `unexpected_rows_query`; its result is their count."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None) -> dict:
        count = metrics["unexpected_rows_query.row_count"]
        return {"success": count == 0, "result": {"observed_value": count}}
