"""A catch-all attributes column: every source field a table does not declare, kept as text.

Values are text: a string as it is, a JSON number in its JSON spelling, booleans `true`/`false`,
a list as its JSON text; a null stays null. A nested object is flattened into dotted keys
(`{"http": {"status": 500}}` gives `http.status`), and an object a dataset names as unprefixed
lends no prefix (events' `attributes` and `context`). A key given twice, after flattening, is a
fault: nothing is silently dropped.

A table declares its catch-all column with `Table(attributes=...)` (`filegate.kit.tables`) and the
typing engine fills it (`filegate.kit.coerce`); a source object of the column's own name lends no
prefix (its keys are attributes already). A reader of its own (events') uses `add` directly.
"""
from __future__ import annotations

from typing import Any, Iterable

from filegate.kit import jsontext


def add(out: dict, key: str, value: Any, unprefixed: tuple[str, ...] = ()) -> None:
    """`value` into `out` under `key`, a nested object flattened. Raises ValueError naming a key
    given twice."""
    if type(value) is dict:
        _flatten(out, "" if key in unprefixed else key + ".", value)
    else:
        _put(out, key, value)


def collect(pairs: Iterable[tuple[str, Any]], from_text: bool, unprefixed: tuple[str, ...] = ()) -> dict[str, str | None]:
    """The attributes of one record from its undeclared (key, value) pairs. A CSV field that is
    empty is absent (CSV cannot tell empty from missing)."""
    out: dict[str, str | None] = {}
    for key, value in pairs:
        if not (from_text and value == ""):
            add(out, key, value, unprefixed)
    return out


def _flatten(out: dict, prefix: str, obj: dict) -> None:
    for key, value in obj.items():
        name = prefix + key
        if type(value) is dict:
            _flatten(out, name + ".", value)
        else:
            _put(out, name, value)


def _put(out: dict, key: str, value: Any) -> None:
    if key in out:
        raise ValueError(f"attribute {key!r} is given twice")
    out[key] = value if value is None or type(value) is str else text(value)


def text(value: Any) -> str:
    """A JSON scalar's text as an attribute value; a list keeps its JSON text."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is list:
        return jsontext.dumps(value).decode()
    return str(value)   # int; a JSON number with a fraction as spelled (jsontext.Number); a float's repr
