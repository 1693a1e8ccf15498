"""The audit's gate: the suite's checks folded into one query must fail every batch the suite
itself fails (a batch that passes the gate is published without the suite running on it)."""
import itertools
import random

import pytest

from filegate.kit.tables import Column, Table

PARENT = Table("kinds", (Column("kind_id", "bigint"),), keys=("kind_id",), schema="raw_data")
TABLE = Table("things", (Column("thing_id", "bigint"), Column("kind_id", "bigint"), Column("price", "numeric", required=True),
                         Column("grams", "bigint"), Column("code", "text")),
              keys=("thing_id",), references={"kind_id": ("kinds", "kind_id")}, minimum={"price": 0.5},
              maximum={"grams": 1000}, greater_than_zero=("grams",), unique_across_files=True, schema="raw_data")
STAGING = {"things": "staging.q_things", "kinds": "staging.q_kinds"}
CLEAN = [(1, 2, 1, 1, "1.5", 10, "ab1234567890"), (1, 3, 2, 2, "0.5", 1000, None), (2, 2, 3, 1, "9", 1, "x{1}")]
# each a way to break one row of CLEAN (file, line, thing_id, kind_id, price, grams, code)
DEFECTS = {
    "key null": lambda r: (*r[:2], None, *r[3:]),
    "required null": lambda r: (*r[:4], None, *r[5:]),
    "below the minimum": lambda r: (*r[:4], "0.49", *r[5:]),
    "above the maximum": lambda r: (*r[:5], 1001, r[6]),
    "not greater than zero": lambda r: (*r[:5], 0, r[6]),
    "refers to nothing": lambda r: (*r[:3], 99, *r[4:]),
    "code off the pattern": lambda r: (*r[:6], "ab{12}"),
}


def _suite(gx):
    import great_expectations.expectations as gxe

    from filegate.ingest.audit.suites import standard_checks

    suite = gx.ExpectationSuite(name="raw_data_things")
    for e in [*standard_checks(TABLE, STAGING),
              gxe.ExpectColumnValuesToMatchRegex(column="code", regex=r"^(ab[0-9]{10}|x\{1\})$"),
              gxe.ExpectColumnValueLengthsToBeBetween(column="code", min_value=1, max_value=12)]:   # not folded
        suite.add_expectation(e)
    return suite


@pytest.fixture
def validate(conninfo, tmp_path):
    """validate(rows) -> (the suite's verdict, the gate's verdict) on a staging table of `rows`."""
    from filegate.ingest import audit
    from filegate.warehouse.connection import connect, sqlalchemy_url

    gx = audit.load_gx()
    ctx = audit.context(tmp_path / "quality")
    source = ctx.data_sources.add_sql(name="warehouse", connection_string=sqlalchemy_url(conninfo))
    suite = ctx.suites.add(_suite(gx))
    gate = ctx.suites.add(audit.gate_suite(suite))
    with connect(conninfo) as conn:
        conn.execute("CREATE TABLE raw_data.kinds (kind_id bigint PRIMARY KEY); INSERT INTO raw_data.kinds VALUES (1)")
        conn.execute("CREATE TABLE staging.q_kinds (_file_id bigint, _line int, kind_id bigint);"
                     " INSERT INTO staging.q_kinds VALUES (1, 9, 2)")
    names = (f"v{i}" for i in itertools.count())

    def run(rows) -> tuple[bool, bool]:
        with connect(conninfo) as conn:
            conn.execute("DROP TABLE IF EXISTS staging.q_things; CREATE TABLE staging.q_things (_file_id bigint,"
                         " _line int, thing_id bigint, kind_id bigint, price numeric, grams bigint, code text)")
            with conn.cursor().copy("COPY staging.q_things FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        verdicts = []
        for checks in (suite, gate):
            name = next(names)
            asset = source.add_table_asset(name=name, table_name="q_things", schema_name="staging")
            definition = ctx.validation_definitions.add(gx.ValidationDefinition(
                name=name, data=asset.add_batch_definition_whole_table("whole"), suite=checks))
            result = definition.run(result_format="BOOLEAN_ONLY")
            audit.raise_on_errors(name, result)
            verdicts.append(result.success)
        return tuple(verdicts)

    return run


def test_the_gate_is_one_query_plus_what_it_cannot_state(tmp_path):
    from filegate.ingest import audit

    gx = audit.load_gx()
    audit.context(tmp_path)   # GE builds suites against an active context
    gate = audit.gate_suite(_suite(gx))
    kinds = [type(e).__name__ for e in gate.expectations]
    assert kinds == ["GateExpectation", "ExpectColumnValueLengthsToBeBetween"]
    query = gate.expectations[0].unexpected_rows_query
    # not null, ranges and the pattern in one scan; the two uniqueness checks in one aggregate
    assert query.count("SELECT 1 FROM {batch}") == 3
    assert 'GROUP BY "thing_id" HAVING count(*) > 1' in query
    assert "x\\{{1\\}}" in query   # braces doubled for GE's str.format


def test_a_clean_batch_passes_both(validate):
    assert validate(CLEAN) == (True, True)


@pytest.mark.parametrize("defect", DEFECTS)
def test_each_defect_fails_the_gate_as_it_fails_the_suite(validate, defect):
    assert validate([DEFECTS[defect](CLEAN[0]), *CLEAN[1:]]) == (False, False)


def test_a_key_twice_in_a_file_or_in_two_files_fails_the_gate(validate):
    one_file = [*CLEAN, (1, 4, 1, 1, "2", 5, None)]
    two_files = [*CLEAN, (2, 3, 2, 1, "2", 5, None)]
    assert validate(one_file) == (False, False)
    assert validate(two_files) == (False, False)


def test_the_gate_never_passes_a_batch_the_suite_fails(validate):
    rng = random.Random(15)
    for _ in range(12):
        rows = [(f, line, rng.randint(1, 8), rng.choice([1, 2, 99, None]), rng.choice(["0.4", "0.5", "3", None]),
                 rng.choice([-1, 0, 1, 999, 1000, 1001, None]), rng.choice(["ab1234567890", "x{1}", "ab{12}", None]))
                for f, line in zip([1, 1, 2, 2], [2, 3, 2, 3])]
        suite_passes, gate_passes = validate(rows)
        assert suite_passes or not gate_passes, rows


def test_the_gate_scans_the_batch_once(validate):
    """GE's UnexpectedRowsExpectation runs its query twice (the rows, then their count); the
    gate's scans the whole batch, so it must run once."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    gate_queries = []

    def seen(conn, cursor, statement, *args):
        if "SELECT 1 FROM" in statement:   # how the gate words its branches; the suite's queries select *
            gate_queries.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert validate(CLEAN) == (True, True)
        assert validate([DEFECTS["key null"](CLEAN[0]), *CLEAN[1:]]) == (False, False)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert len(gate_queries) == 2, gate_queries
