"""Great Expectations suites for the raw_data tables, derived from their declarations."""
from __future__ import annotations

from filegate.datasets.raw_data.tables import TABLES
from filegate.warehouse import quoted


def table_suite(table: str, staging: dict[str, str]):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    spec = TABLES[table]
    suite = gx.ExpectationSuite(name=f"raw_data_{table}")
    for key in spec.keys:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=key))
    # unique inside each file...
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=["_file_id", *spec.keys]))
    # ...and across the files of the batch: two parts carrying one key is a broken export, and every
    # file involved is refused rather than one silently winning (a re-delivery comes in a later batch).
    # min <> max rather than count(DISTINCT): a hash aggregate instead of a sort of the whole batch
    keys = ", ".join(quoted(k) for k in spec.keys)
    suite.add_expectation(gxe.UnexpectedRowsExpectation(
        description=f"{table} key ({', '.join(spec.keys)}) is in no other file of the batch",
        unexpected_rows_query=(f"SELECT * FROM {{batch}} WHERE ({keys}) IN (SELECT {keys} FROM {quoted(staging[table])}"
                               f" GROUP BY {keys} HAVING min(_file_id) <> max(_file_id))"),
    ))
    for column, low in spec.minimum.items():
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low))
    for column in spec.greater_than_zero:
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True))
    for column, (parent, parent_column) in spec.refs.items():
        # the parent exists already, or arrives in this batch. GE substitutes {batch} as an aliased
        # subquery, so the outer row is referred to unqualified and the parents go in NOT IN lists
        # (NULL-free, or NOT IN would match nothing).
        parents = [f"SELECT {quoted(parent_column)} FROM raw_data.{quoted(parent)} WHERE {quoted(parent_column)} IS NOT NULL"]
        if parent in staging:
            parents.append(f"SELECT {quoted(parent_column)} FROM {quoted(staging[parent])}"
                           f" WHERE {quoted(parent_column)} IS NOT NULL")
        suite.add_expectation(gxe.UnexpectedRowsExpectation(
            description=f"{table}.{column} refers to an existing {parent}.{parent_column}",
            unexpected_rows_query=(f"SELECT * FROM {{batch}} WHERE {quoted(column)} IS NOT NULL AND {quoted(column)}"
                                   f" NOT IN ({' UNION ALL '.join(parents)})"),
        ))
    return suite
