"""Which databases an environment uses: the embedded server's, or the user's own."""
import pytest

from filegate.ops import embedded

META, WAREHOUSE = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_WAREHOUSE"


@pytest.mark.parametrize("env, own", [
    ({}, False),                                                  # nothing set: embedded
    ({META: "postgresql+psycopg://db/airflow"}, False),           # one alone: embedded
    ({META: "postgresql+psycopg://db/airflow", WAREHOUSE: "postgres://db/wh"}, True),
    # what `eval "$(make -s env)"` exported for the embedded server is not the user's own
    ({META: "m", WAREHOUSE: "w", "FILEGATE_EMBEDDED_METADATA_DB": "m", "FILEGATE_EMBEDDED_WAREHOUSE": "w"}, False),
    # ... unless the user changed one since
    ({META: "m", WAREHOUSE: "mine", "FILEGATE_EMBEDDED_METADATA_DB": "m", "FILEGATE_EMBEDDED_WAREHOUSE": "w"}, True),
])
def test_own_databases_only_when_the_user_set_both(monkeypatch, env, own):
    for name in (META, WAREHOUSE, "FILEGATE_EMBEDDED_METADATA_DB", "FILEGATE_EMBEDDED_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert embedded.own_databases() is own
