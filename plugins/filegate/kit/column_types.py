"""The column types a declared table may use, in one registry that staging, models, typing and
suites all read.

Each type knows its PostgreSQL and SQLAlchemy types, how the staging COPY decodes and writes its
JSON value, and how a source value becomes that JSON value: `coerce` for JSON values, `coerce_text`
for CSV text (the same function where the two agree). A coercer returns the one canonical
spelling of a value (so `0.990` from CSV and `0.99` from JSON are one value) or raises
ValueError/TypeError, which the typing engine turns into a refusal naming file, line and column.

`fast` and `fast_text` are Python expressions over `{v}` that the engine inlines into one
generated function per file layout; each returns exactly what the coercer returns, or raises,
and then the coercer decides. The common cases (CSV strings, JSON ints) need no call.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import MAX_PREC, Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable

from filegate.kit.jsontext import Number

INT4 = (-(1 << 31), (1 << 31) - 1)
INT8 = (-(1 << 63), (1 << 63) - 1)
NUMERIC_DIGITS = 1_000   # a numeric's digits either side of the point (PostgreSQL takes more; no data needs it)
COERCION_ERRORS = (ValueError, TypeError, InvalidOperation, OverflowError)
_EXACT = Context(prec=MAX_PREC)


@dataclass(frozen=True)
class ColumnType:
    name: str
    pg: str                               # PostgreSQL type of staging and target columns
    sqlalchemy: Callable[[], Any]         # the model's column type
    staged_as: Any                        # what msgspec decodes the NDJSON value into for COPY
    coerce: Callable[[Any], Any]          # reference: a JSON value -> canonical JSON value
    coerce_text: Callable[[str], Any]     # reference: CSV text -> canonical JSON value
    fast: str = "_coerce_{name}({v})"
    fast_text: str = "_coerce_text_{name}({v})"
    to_copy: Callable[[Any], Any] | None = None   # staged value -> what COPY writes (None: as decoded)
    ordered: bool = False                 # ranges (minimum, maximum, greater than zero) apply
    noun: str = ""                        # what a refusal says a value is not; default: the name

    def __post_init__(self) -> None:
        if not self.noun:
            object.__setattr__(self, "noun", self.name)


def _blank(v: Any) -> bool:
    return v is None or (type(v) is str and (not v or v.isspace()))


def _integer_in(bounds: tuple[int, int]) -> Callable[[Any], Any]:
    low, high = bounds

    def coerce(v: Any) -> Any:
        if type(v) is str:
            if not v or v.isspace():
                return None
            n = int(v)   # as int() reads text: surrounding spaces allowed, "1.0" refused
        elif v is None:
            return None
        elif isinstance(v, bool):
            raise TypeError
        elif isinstance(v, int):
            n = v
        elif isinstance(v, float) and v.is_integer():
            n = int(v)
        elif type(v) is Number:   # a JSON number with a fraction or exponent: 1.0 and 1e3 are integers
            d = Decimal(v)
            if d != d.to_integral_value():
                raise ValueError
            n = int(d)
        else:
            raise ValueError
        if not low <= n <= high:
            raise OverflowError
        return n

    return coerce


_integer = _integer_in(INT4)
_bigint = _integer_in(INT8)


def _numeric(v: Any) -> Any:
    if _blank(v):
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise TypeError
    d = Decimal(v.strip() if type(v) is str else str(v))
    if not d.is_finite():
        raise ValueError
    if not -NUMERIC_DIGITS <= d.adjusted() <= NUMERIC_DIGITS:   # 1e-999999 would be a million digits
        raise OverflowError
    # one spelling per value: 0.990, 0.99 and 9.9E-1 all become "0.99" (every digit kept: the
    # default context would round to 28)
    return format(d.normalize(_EXACT), "f")


def _double(v: Any) -> Any:
    if _blank(v):
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise TypeError
    f = float(v)
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError   # JSON cannot carry NaN or infinities
    return f


TRUE = {"true", "t", "yes", "y", "1", "on"}
FALSE = {"false", "f", "no", "n", "0", "off"}


def _boolean(v: Any) -> Any:
    if _blank(v):
        return None
    if isinstance(v, bool):
        return v
    if type(v) is int and v in (0, 1):
        return bool(v)
    if type(v) is str:
        word = v.strip().lower()
        if word in TRUE:
            return True
        if word in FALSE:
            return False
    raise ValueError


_DATE = re.compile(r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*")   # ASCII digits: \d matches any script's digits


@lru_cache(maxsize=1 << 14)   # dates repeat: parse each spelling once
def _date_text(v: str) -> Any:
    m = _DATE.fullmatch(v)
    if m is None:
        raise ValueError
    return date(int(m[1]), int(m[2]), int(m[3])).isoformat()   # 2021-1-4 -> 2021-01-04


def _date(v: Any) -> Any:
    if _blank(v):
        return None
    if type(v) is not str:
        raise TypeError
    return _date_text(v)


def _timestamp(v: Any) -> Any:
    if v is None or v == "":
        return None
    if type(v) is not str:
        raise TypeError
    return datetime.fromisoformat(v.strip().replace("Z", "+00:00")).isoformat()


def _timestamptz(v: Any) -> Any:
    """ISO 8601; a time without an offset is taken as UTC (documented in docs/architecture.md)."""
    if _blank(v):
        return None
    if type(v) is not str:
        raise TypeError
    t = datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).isoformat()


def _text(v: Any) -> Any:
    if type(v) is str:
        return v or None
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        raise TypeError
    return str(v)


def _jsonb(v: Any) -> Any:
    return v   # any JSON value is a document


def _jsonb_text(v: str) -> Any:
    return None if _blank(v) else json.loads(v)


def _hstore(v: Any) -> Any:
    """A flat object of text values (null allowed); numbers and booleans are kept as text."""
    if v is None:
        return None
    if not isinstance(v, dict):
        raise TypeError
    return {str(k): (None if x is None else _hstore_value(x)) for k, x in v.items()}


def _hstore_value(x: Any) -> str:
    if isinstance(x, (dict, list)):
        raise TypeError
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)


def _hstore_text(v: str) -> Any:
    return None if _blank(v) else _hstore(json.loads(v))


def hstore_literal(pairs: dict | None) -> str | None:
    """The text form PostgreSQL reads for an hstore: "k"=>"v", "k2"=>NULL."""
    if pairs is None:
        return None
    out = []
    for k, x in pairs.items():   # escaping only where needed: this runs for every staged row
        if '"' in k or "\\" in k:
            k = k.replace("\\", "\\\\").replace('"', '\\"')
        if x is None:
            out.append(f'"{k}"=>NULL')
            continue
        if '"' in x or "\\" in x:
            x = x.replace("\\", "\\\\").replace('"', '\\"')
        out.append(f'"{k}"=>"{x}"')
    return ", ".join(out)


def _document_text(raw: Any) -> str | None:
    text = bytes(raw).decode() if raw is not None else "null"
    return None if text == "null" else text


def _sa(name: str) -> Callable[[], Any]:
    def make() -> Any:
        import sqlalchemy
        from sqlalchemy.dialects import postgresql

        kinds: dict[str, Callable[[], Any]] = {"integer": sqlalchemy.Integer, "bigint": sqlalchemy.BigInteger, "numeric": sqlalchemy.Numeric,
                "double": sqlalchemy.Double, "boolean": sqlalchemy.Boolean, "date": sqlalchemy.Date,
                "timestamp": sqlalchemy.DateTime, "timestamptz": lambda: sqlalchemy.DateTime(timezone=True),
                "text": sqlalchemy.Text, "jsonb": postgresql.JSONB, "hstore": postgresql.HSTORE}
        return kinds[name]()
    return make


def _raw() -> Any:
    import msgspec

    return msgspec.Raw


TYPES: dict[str, ColumnType] = {t.name: t for t in (
    ColumnType("text", "text", _sa("text"), str, _text, _text,
               fast="({v} if {v}.__class__ is str and {v} else _coerce_text({v}))", fast_text="({v} or None)"),
    # text under 10 (19) characters that int() reads is always in range: no call needed
    ColumnType("integer", "integer", _sa("integer"), int, _integer, _integer, ordered=True, noun="integer (32-bit)",
               fast="({v} if {v}.__class__ is int and -2147483648 <= {v} <= 2147483647 else _coerce_integer({v}))",
               fast_text="(int({v}) if {v} and len({v}) < 10 else _coerce_text_integer({v}))"),
    ColumnType("bigint", "bigint", _sa("bigint"), int, _bigint, _bigint, ordered=True, noun="integer",
               fast="({v} if {v}.__class__ is int and -9223372036854775808 <= {v} <= 9223372036854775807"
                    " else _coerce_bigint({v}))",
               fast_text="(int({v}) if {v} and len({v}) < 19 else _coerce_text_bigint({v}))"),
    ColumnType("numeric", "numeric", _sa("numeric"), int | float | str, _numeric, _numeric, ordered=True,
               fast="_numeric_fast({v})", fast_text="(_NUMERIC_TEXT_SEEN.get({v}) or _numeric_fast({v}))"),
    ColumnType("double", "double precision", _sa("double"), float, _double, _double, ordered=True),
    ColumnType("boolean", "boolean", _sa("boolean"), bool, _boolean, _boolean,
               fast="({v} if {v}.__class__ is bool else _coerce_boolean({v}))"),
    ColumnType("date", "date", _sa("date"), str, _date, _date, ordered=True, noun="a date (YYYY-M-D)"),
    ColumnType("timestamp", "timestamp", _sa("timestamp"), str, _timestamp, _timestamp, ordered=True),
    ColumnType("timestamptz", "timestamptz", _sa("timestamptz"), str, _timestamptz, _timestamptz, ordered=True),
    ColumnType("jsonb", "jsonb", _sa("jsonb"), None, _jsonb, _jsonb_text, fast="{v}", to_copy=_document_text),
    ColumnType("hstore", "hstore", _sa("hstore"), dict[str, str | None] | None, _hstore, _hstore_text,
               to_copy=hstore_literal),
)}


def get(name: str) -> ColumnType:
    try:
        return TYPES[name]
    except KeyError:
        raise KeyError(f"unknown column type {name!r}; known: {', '.join(TYPES)}") from None


def staged_as(column_type: ColumnType) -> Any:
    """msgspec's decode type for a staged value of this type (jsonb stays raw JSON text)."""
    return _raw() if column_type.name == "jsonb" else column_type.staged_as | None


# Fast-path support. Decimal is slow: a JSON number's canonical text is its own spelling (floats:
# the shortest repr, without a trailing ".0"), and text spellings repeat (prices), so remember them.
_NUMERIC_TEXT_SEEN: dict = {}   # text spelling -> canonical text
_NUMERIC_SEEN_MAX = 1 << 16


def _numeric_fast(v: Any) -> Any:
    kind = v.__class__
    if kind is float:
        text = repr(v)   # the shortest spelling that reads back as v: canonical, unless in exponent form
        if "e" not in text and "n" not in text:   # not 1e-05, inf or nan
            return text[:-2] if text[-2:] == ".0" else text
        return _numeric(v)
    if kind is int:
        return str(v)
    if kind is not str and kind is not Number:
        return _numeric(v)
    try:
        return _NUMERIC_TEXT_SEEN[v]
    except KeyError:
        canonical = _numeric(v)
        if len(_NUMERIC_TEXT_SEEN) < _NUMERIC_SEEN_MAX:
            _NUMERIC_TEXT_SEEN[v] = canonical
        return canonical


FAST_SCOPE: dict[str, Any] = {"_numeric_fast": _numeric_fast, "_NUMERIC_TEXT_SEEN": _NUMERIC_TEXT_SEEN,
                              "_coerce_text": _text}
for _t in TYPES.values():
    FAST_SCOPE[f"_coerce_{_t.name}"] = _t.coerce
    FAST_SCOPE[f"_coerce_text_{_t.name}"] = _t.coerce_text


def fast_expression(column_type: ColumnType, value: str, from_text: bool) -> str:
    template = column_type.fast_text if from_text else column_type.fast
    return template.format(v=value, name=column_type.name)
