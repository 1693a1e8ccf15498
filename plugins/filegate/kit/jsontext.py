"""What a JSON text may hold, the same for every reader (issue 31): values as the sender wrote them.

- A number with a fraction or an exponent is a `Number`: a `str` holding its spelling, so a numeric
  column keeps every digit and a text column the number as written (`1E5`, not `100000.0`);
  integers are Python ints, exact. A number whose exponent takes it past what a double holds
  (`1e400`: meant as infinity), one over MAX_NUMBER characters and an integer over MAX_DIGITS
  digits are refused.
- `NaN`, `Infinity` and `-Infinity` are not JSON and are refused.
- An object that gives a key twice is refused (no silent "last one wins").
- A lone UTF-16 surrogate (`"\\ud800"`) is not a character and is refused.

The fast path is msgspec, which decodes a chunk of lines in C and keeps numbers' spellings; it
takes the last of two equal keys, so `unique_keys` proves each chunk has none by counting (see
there). Whatever the fast path cannot prove or decode is decoded again by `exact`, the standard
library's decoder with hooks for each rule, which names the problem.
"""
from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import msgspec

MAX_NUMBER = 1_000   # characters of a number with a fraction or exponent: no data needs more
MAX_DIGITS = 4_300   # digits of an integer: Python's own limit for int() of text, and msgspec's


class Number(str):
    """A JSON number with a fraction or an exponent, as spelled in the file."""

    __slots__ = ()

    def __repr__(self) -> str:   # as in the file: a refusal shows 1.5, not the string '1.5'
        return str.__str__(self)


class Problem(ValueError):
    """A JSON text that breaks one of the rules above; the message says which."""


def _number(text: str) -> Number:
    if len(text) > MAX_NUMBER:
        raise Problem(f"a number of {len(text):,} characters (at most {MAX_NUMBER:,})")
    if ("e" in text or "E" in text) and not math.isfinite(float(text)):   # digits alone are exact
        raise Problem(f"the number {text[:40]}{'…' if len(text) > 40 else ''} is beyond what JSON numbers "
                      "hold (a double, about 1.8e308)")
    return Number(text)


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise Problem(f"an integer of {len(text.lstrip('-')):,} digits (at most {MAX_DIGITS:,})")
    return int(text)


def _constant(name: str) -> NoReturn:
    raise Problem(f"{name} is not a JSON value (JSON has no NaN or infinities)")


def _pairs(pairs: list) -> dict:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise Problem(f"the key {key[:200]!r} is given twice in one object")
            seen.add(key)
    return record


STANDARD = json.JSONDecoder(object_pairs_hook=_pairs, parse_float=_number, parse_int=_integer,
                             parse_constant=_constant)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _decoder() -> msgspec.json.Decoder:
    import msgspec

    return msgspec.json.Decoder(float_hook=_number)


_FAST = None


def encoder() -> msgspec.json.Encoder:
    """A msgspec encoder writing a Number as the number it spells (not as a string)."""
    import msgspec

    return msgspec.json.Encoder(enc_hook=_spelled)


_ENCODER = None


def dumps(value: Any) -> bytes:
    """`value` as JSON text, Numbers as the numbers they spell."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = encoder()
    return _ENCODER.encode(value)


def _spelled(value: Any) -> msgspec.Raw:
    if type(value) is Number:
        import msgspec

        return msgspec.Raw(value.encode())
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def fast() -> msgspec.json.Decoder:
    """The msgspec decoder (made on first use: importing msgspec is not free)."""
    global _FAST
    if _FAST is None:
        _FAST = _decoder()
    return _FAST


def exact(text: str | bytes) -> Any:
    """One JSON text decoded by the rules, or Problem (or json.JSONDecodeError) saying what is wrong."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        value = STANDARD.decode(text)
    except RecursionError:
        raise Problem("JSON nested too deeply to read (about 1,000 levels)") from None
    except ValueError as e:   # int() past Python's 4,300 digits, a float() of a malformed spelling
        if isinstance(e, (Problem, json.JSONDecodeError)):
            raise
        raise Problem(str(e)) from None
    refuse_surrogates(value)
    return value


def refuse_surrogates(value: Any) -> None:
    """Problem when a string (or key) of `value` holds a lone surrogate (only the standard
    library's decoder lets one through: `"\\ud800"`)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is str:
            if found := _SURROGATE.search(v):
                raise Problem(f"a lone UTF-16 surrogate ({found.group().encode('unicode_escape').decode()}) "
                              "in a string: not a Unicode character")
        elif type(v) is dict:
            stack.extend(v)
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)


def members(value: Any) -> int:
    """How many members the objects of `value` hold, nested ones included."""
    count, stack = 0, [value]
    while stack:
        v = stack.pop()
        if type(v) is dict:
            count += len(v)
            stack.extend(x for x in v.values() if type(x) in (dict, list))
        elif type(v) is list:
            stack.extend(x for x in v if type(x) in (dict, list))
    return count


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def may_hold_surrogates(raw: bytes | str, start: int = 0, end: int | None = None) -> bool:
    """Whether `raw[start:end]` spells a UTF-16 surrogate escape (a pair, or a lone one the
    standard library would let through)."""
    end = len(raw) if end is None else end
    if isinstance(raw, bytes):
        return _SURROGATE_ESCAPE.search(raw, start, end) is not None
    return _SURROGATE_ESCAPE_TEXT.search(raw, start, end) is not None


_SURROGATE_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")


def decode_lines(chunk: list[bytes]) -> list | None:
    """The values of `chunk` (lines, one JSON text each, no blank ones), decoded in C, or None when
    the fast path cannot vouch for them (a fault, a blank line, a key that may be given twice):
    then `exact` on each line says which line breaks which rule."""
    import msgspec

    raw = b"".join(chunk)
    try:
        values = fast().decode_lines(raw)
    except (msgspec.DecodeError, ValueError, RecursionError):   # RecursionError: nested past its limit
        return None
    if len(values) != len(chunk) or not unique_keys(raw, values):
        return None
    return values


_QUOTE_THEN_SPACE = (b'" ', b'"\t', b'"\n', b'"\r')
_MEMBER = re.compile(rb'"[ \t\r\n]*:')


def unique_keys(raw: bytes, records: list) -> bool:
    """True only if no object in `records` (decoded from `raw`) was given a key twice; False when
    that cannot be told this way (then `exact` decides).

    Every member written in JSON is `"key"`, white space, `:`: so `raw` holds at least one match of
    `"` white space `:` per member written (more when a string holds such text). A key given twice
    is one member written that the decoded object does not hold. So when the matches number exactly
    the members decoded, no key was given twice. Counting `":` is a C scan; the white-space-aware
    count runs only when a quote is followed by white space somewhere in `raw`."""
    written = raw.count(b'":')
    if any(q in raw for q in _QUOTE_THEN_SPACE):
        written = len(_MEMBER.findall(raw))
    if raw.count(b"{") == len(records) and all(type(r) is dict for r in records):
        held = sum(map(len, records))   # one object per record, none nested (nor a `{` in a string)
    else:
        held = sum(map(members, records))
    return written == held
