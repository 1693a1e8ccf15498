"""What the steps hand each other survives XCom as Airflow 3 stores it (its serde, then JSON)."""
import json

import pytest

from filegate.ingest import contracts
from filegate.ingest.contracts import Audited, ClaimedFile, Conversion, Outcome, Published, Staged

HANDED = [
    [[ClaimedFile(1, "a.csv", "/landing/a.csv", [5, 10, 1, 2]), ClaimedFile(2, "b.csv", "/landing/b.csv")]],
    [Conversion(1, "a.csv", Outcome.CONVERTED, {"tracks": 3}), Conversion(2, "b.csv", Outcome.RELEASED)],
    Staged([1], {"tracks": "staging.raw_data__tracks__x"}, {"tracks": 3}, [2]),
    Audited([1], {"tracks": "staging.raw_data__tracks__x"}, {"tracks": 3}, [2], "quality/raw_data/index.html"),
    Published(1, 3, ["/archive/a.csv"], [1], []),
]


@pytest.mark.parametrize("value", HANDED, ids=["claim", "convert", "stage", "audit", "publish"])
def test_each_step_s_result_comes_back_from_xcom_as_it_was_handed(value):
    # imported here: at collection it would set Airflow up before the tests' metadata database
    from airflow.sdk.serde import deserialize, serialize

    contracts.allow_in_xcom()
    back = deserialize(json.loads(json.dumps(serialize(value))))
    assert back == value
    if isinstance(value, list) and isinstance(value[0], Conversion):
        assert all(type(c.outcome) is Outcome for c in back)   # an enum again, not its text


def test_an_outcome_given_as_text_is_the_outcome():
    assert Conversion(1, "a", "loaded").outcome is Outcome.LOADED
    with pytest.raises(ValueError):
        Conversion(1, "a", "half-done")
