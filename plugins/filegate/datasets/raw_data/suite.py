"""Great Expectations suites for the raw_data tables, derived from their declarations."""
from __future__ import annotations

from filegate.datasets.raw_data.tables import TABLES


def _q(name: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in name.split("."))


def table_suite(table: str, staging: dict[str, str]):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    spec = TABLES[table]
    suite = gx.ExpectationSuite(name=f"raw_data_{table}")
    for key in spec.keys:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=key))
    # unique inside each file; across files of a batch the later part wins (file order)
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=["_file_id", *spec.keys]))
    for column, low in spec.minimum.items():
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low))
    for column in spec.greater_than_zero:
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True))
    for column, (parent, parent_column) in spec.refs.items():
        # the parent exists already, or arrives in this batch
        in_batch = (f" AND NOT EXISTS (SELECT 1 FROM {_q(staging[parent])} s WHERE s.{_q(parent_column)} = b.{_q(column)})"
                    if parent in staging else "")
        suite.add_expectation(gxe.UnexpectedRowsExpectation(
            description=f"{table}.{column} refers to an existing {parent}.{parent_column}",
            unexpected_rows_query=(
                f"SELECT * FROM {{batch}} b WHERE b.{_q(column)} IS NOT NULL"
                f" AND NOT EXISTS (SELECT 1 FROM raw_data.{_q(parent)} p WHERE p.{_q(parent_column)} = b.{_q(column)})"
                + in_batch),
        ))
    return suite
