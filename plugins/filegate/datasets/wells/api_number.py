"""API well numbers in one canonical form: 14 digits, no separators.

An API number is state (2 digits) - county (3) - unique well (5) - sidetrack (2) - event (2).
Deliveries spell it `05-123-45678-00`, `05123456780000` or as the 10-digit `05-123-45678`; a
missing sidetrack or event code is `00`. So all of these are `05123456780000`:

    05-123-45678        0512345678
    05-123-45678-00     051234567800
    05-123-45678-00-00  05123456780000

Dashes are allowed only between the parts; anything else (letters, spaces inside, 11 or 13
digits, a JSON number, which has lost the state's leading zero) is not an API number.
"""
from __future__ import annotations

import re
from functools import lru_cache

_SPELLINGS = re.compile(r"([0-9]{2})-?([0-9]{3})-?([0-9]{5})(?:-?([0-9]{2}))?(?:-?([0-9]{2}))?")   # ASCII only


@lru_cache(maxsize=1 << 18)   # a well's number repeats in every month of its production
def canonical(text: str) -> str:
    """The 14-digit form of an API number; ValueError (saying what was expected) when `text` is not one."""
    if type(text) is not str:
        raise ValueError(f"an API number must be text (a JSON number loses the leading zero), found {text!r}")
    m = _SPELLINGS.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not an API number (expected 05-123-45678, 05-123-45678-00 or 14 digits)")
    state, county, well, sidetrack, event = m.groups()
    return f"{state}{county}{well}{sidetrack or '00'}{event or '00'}"
