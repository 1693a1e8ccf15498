"""The suite of a table: the dataset's own checks, then the checks its declaration implies."""
from __future__ import annotations

from typing import Any

from filegate.kit.declaration import Dataset
from filegate.kit.tables import Table
from filegate.warehouse.connection import quoted

ROW_QUERY = "SELECT * FROM {batch} WHERE "   # how standard_checks words a row query
ACROSS_FILES = "unique_across_files"            # the meta naming the keys of the cross-file check


def suite_for(dataset: Dataset, table: Table, staging: dict[str, str]) -> Any:
    """The table's suite: the dataset's own checks, then the standard checks its declaration
    implies; None when there is nothing to check."""
    import great_expectations as gx

    expectations = [*dataset.checks_for(table, staging), *standard_checks(table, staging)]
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
