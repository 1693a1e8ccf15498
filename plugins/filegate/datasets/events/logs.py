"""The two log grammars a `.log` file may hold, told apart by its first non-blank line.

- **logfmt** (Go's slog, Heroku, ...): `key=value` pairs separated by blanks; a value is bare
  (`ms=123`, empty as in `k=`) or double-quoted with `\\"` and `\\\\` escapes (and `\\n`, `\\t`,
  `\\r`; any other escape is kept as written). A key alone (`debug`) has no value (null).
- **the Combined Log Format** of Apache and nginx (the Common Log Format, without referer and
  user agent, is read too): `host ident user [time] "request" status bytes "referer" "agent"`,
  `-` for an absent field, `\\"` and `\\\\` escaped inside the quotes.

Each parser takes one line (text, no newline) and returns its pairs, or raises ValueError saying
what is wrong where; the reader turns that into a refusal naming the file and the line.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

# "unrolled" (a run of plain characters, then escape and run): Python's re keeps a backtracking
# frame per repetition of a group, so `(?:[^"\\]|\\.)*` took ~200 bytes per character of a long
# value (1.5 GiB for 8 MB); this form takes one per escape.
_INSIDE = r'[^"\\]*(?:\\.[^"\\]*)*'
_QUOTED = '"' + _INSIDE + '"'
_LOGFMT_PAIR = re.compile(r'([^\s="]+)(?:(=)(' + _QUOTED + r'|[^\s"]*))?')
# One pass over a line: each item a pair ending at a blank or the line's end, or else (4th group)
# the run of text that is not one, which makes the line not logfmt.
_LOGFMT_ITEMS = re.compile(r'\s*(?:([^\s="]+)(?:(=)(' + _QUOTED + r'|[^\s"]*))?(?=\s|$)|(\S+))')
_ESCAPE = re.compile(r"\\(.)")
_ESCAPED = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def _unescape(match: re.Match) -> str:
    return _ESCAPED.get(match[1], match[0])


def logfmt(line: str) -> list[tuple[str, str | None]]:
    """The (key, value) pairs of a logfmt line, in order; a key alone gives None."""
    pairs: list[tuple[str, str | None]] = []
    for key, eq, value, stray in _LOGFMT_ITEMS.findall(line):
        if stray:
            raise ValueError(f"not logfmt: {_logfmt_fault(line)}")
        if not eq:
            pairs.append((key, None))
        elif value[:1] == '"':
            value = value[1:-1]
            pairs.append((key, _ESCAPE.sub(_unescape, value) if "\\" in value else value))
        else:
            pairs.append((key, value))
    return pairs


def is_logfmt(line: str) -> bool:
    """A logfmt line: it parses, and holds at least one key=value."""
    items = _LOGFMT_ITEMS.findall(line)
    return not any(stray for *_, stray in items) and any(eq for _, eq, _, _ in items)


def _logfmt_fault(line: str) -> str:
    """Where a line stops being logfmt, said for a person (the slow path: only for a bad line)."""
    at = 0
    while True:
        while at < len(line) and line[at].isspace():
            at += 1
        if at == len(line):
            return "no fault found"   # not reached: the line would have matched
        m = _LOGFMT_PAIR.match(line, at)
        if m is None:
            what = "a quote where a key should start" if line[at] == '"' else f"{line[at]!r} where a key should start"
            return f"{what} (column {at + 1})"
        end = m.end()
        if end < len(line) and not line[end].isspace():
            if line[end] == '"' and m[2] and not m[3]:
                return f"the quoted value of {m[1]!r} is not closed (column {end + 1})"
            if line[end] == '"':
                return f"a quote inside the {'value' if m[2] else 'key'} {m[3] or m[1]!r} (column {end + 1})"
            return f"{line[end]!r} right after the value of {m[1]!r} (column {end + 1})"
        at = end


_CLF = re.compile(
    r'(\S+) (\S+) (\S+) \[([^\]]+)\] "(' + _INSIDE + r')" ([0-9]{3}|-) ([0-9]+|-)'
    r'(?: "(' + _INSIDE + r')" "(' + _INSIDE + r')")?\s*')
_CLF_ESCAPE = re.compile(r'\\(["\\])')
MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"), start=1)}


def is_clf(line: str) -> bool:
    return _CLF.fullmatch(line) is not None


def clf(line: str) -> dict:
    """An access-log line as an `http_request` event, typed as `normalize.finish` types one: user_id
    is the remote user, level follows the status (info below 400, warn for 4xx, error from 500),
    everything else is an attribute."""
    m = _CLF.fullmatch(line)
    if m is None:
        raise ValueError("not a Combined Log Format line (host ident user [time] \"request\" status bytes "
                         "\"referer\" \"user agent\")")
    host, ident, user, when, request, status, size, referer, agent = m.groups()
    if status == "-":
        raise ValueError("no status code")
    code = int(status)
    if not 100 <= code <= 599:
        raise ValueError(f"status {status} is not an HTTP status code (100 to 599)")
    event: dict = {"ts": clf_time(when), "level": "info" if code < 400 else "warn" if code < 500 else "error",
                   "event": "http_request", "user_id": None if user == "-" else user, "session_id": None,
                   "message": None}
    attributes = {} if host == "-" else {"remote_addr": host}   # `-`: absent, as for every other field
    if ident != "-":
        attributes["ident"] = ident
    request = _CLF_ESCAPE.sub(r"\1", request) if "\\" in request else request
    parts = request.split(" ")
    if len(parts) == 3:
        attributes["method"], attributes["path"], attributes["protocol"] = parts
    elif request != "-":
        attributes["request"] = request   # not "METHOD path protocol" (a scanner's garbage): kept as sent
    attributes["status"] = status
    if size != "-":
        attributes["bytes"] = size
    for key, value in (("referer", referer), ("user_agent", agent)):
        if value is not None and value != "-":
            attributes[key] = _CLF_ESCAPE.sub(r"\1", value) if "\\" in value else value
    event["attributes"] = attributes
    return event


@lru_cache(maxsize=1 << 12)   # an access log repeats each second many times
def clf_time(text: str) -> str:
    """`01/Mar/2024:12:00:03 +0000` -> the canonical UTC ISO text."""
    try:
        day, month, rest = text.split("/", 2)
        year, hour, minute, rest = rest.split(":", 3)
        second, offset = rest.split(" ")
        if len(offset) != 5 or offset[0] not in "+-":
            raise ValueError
        shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        zone = timezone(shift if offset[0] == "+" else -shift)
        t = datetime(int(year), MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except (ValueError, KeyError):
        raise ValueError(f"time [{text}] is not dd/Mon/yyyy:HH:MM:SS +hhmm") from None
    return t.astimezone(timezone.utc).isoformat()
