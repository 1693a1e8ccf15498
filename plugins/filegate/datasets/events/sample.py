"""Event files, generated deterministically from one stream of events (the truth a test checks
reports against): the `make run` sample (every format, some gzip, a few bad files) and the
benchmark's volume (millions of events over files of every format, written as they are made).

Each format spells the same events its own way, as real senders do: logfmt with `time`/`lvl`/
`user`/`msg` or `ts`/`level`/`user_id`/`message`, ISO times or epoch milliseconds; access logs in
the Combined Log Format; CSV with epoch seconds; NDJSON with upper-case severities, numeric
users and a nested `context`; pretty-printed JSON arrays with an `attributes` object.
"""
from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from filegate.settings import Settings

UTC = timezone.utc
PATHS = ["/", "/home", "/search", "/cart", "/checkout", "/product/42", "/product/7", "/account", "/help page",
         "/api/v1/orders", "/api/v1/items", "/static/app.js"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
          "curl/8.5.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0 \"quoted\" build"]
APP_EVENTS = [("page_view", "info"), ("page_view", "info"), ("click", "info"), ("search", "debug"),
              ("login", "info"), ("purchase", "info"), ("cart_add", "info"), ("payment_failed", "error"),
              ("slow_query", "warn"), ("crash", "fatal")]
COUNTRIES = ["DE", "FR", "US", "BR", "JP", "ÖS"]


@dataclass
class Event:
    """One event as it must be stored (the truth)."""
    ts: datetime
    event: str
    level: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    message: str | None = None
    attributes: dict[str, str | None] = field(default_factory=dict)


def app_event(rnd: random.Random, ts: datetime, users: int) -> Event:
    name, level = rnd.choice(APP_EVENTS)
    user = rnd.randrange(1, users + 1) if rnd.random() < 0.9 else None
    attributes: dict[str, str | None] = {"path": rnd.choice(PATHS), "country": rnd.choice(COUNTRIES),
                  "request_id": f"{rnd.getrandbits(64):016x}", "host": f"web-{rnd.randrange(1, 13):02d}"}
    if rnd.random() < 0.7:
        attributes["ms"] = str(rnd.randrange(1, 3000))
    if name == "search":
        attributes["query"] = rnd.choice(["shoes", "a=b, c", 'say "hi"', "x>y", "naïve café", ""])
    return Event(ts=ts, event=name, level=level, user_id=None if user is None else str(user),
                 session_id=None if user is None else f"s{user:04x}{ts.hour // 6}",
                 message=rnd.choice([None, f"{name} done", f"{name} took a while, see trace"]), attributes=attributes)


def http_event(rnd: random.Random, ts: datetime, users: int) -> Event:
    status = rnd.choice([200] * 12 + [301, 304, 404, 403, 500, 503])
    user = str(rnd.randrange(1, users + 1)) if rnd.random() < 0.3 else None
    attributes: dict[str, str | None] = {"remote_addr": f"203.0.113.{rnd.randrange(1, 255)}", "method": rnd.choice(["GET"] * 5 + ["POST"]),
                  "path": rnd.choice(PATHS).replace(" ", "%20"), "protocol": "HTTP/1.1", "status": str(status)}
    if status != 304:
        attributes["bytes"] = str(rnd.randrange(0, 80_000))
    if rnd.random() < 0.6:
        attributes["referer"] = "https://shop.example" + rnd.choice(PATHS).replace(" ", "%20")
    attributes["user_agent"] = rnd.choice(AGENTS)
    return Event(ts=ts.replace(microsecond=0), event="http_request",
                 level="info" if status < 400 else "warn" if status < 500 else "error", user_id=user,
                 attributes=attributes)


def events(seed: int, day: date, n: int, kind: str, users: int = 500) -> list[Event]:
    """`n` events of `kind` ("app" or "http") spread over `day`, in time order."""
    rnd = random.Random(seed)
    start = datetime.combine(day, time(0), tzinfo=UTC)
    stamps = sorted(rnd.randrange(0, 86_400_000) for _ in range(n))
    make = app_event if kind == "app" else http_event
    return [make(rnd, start + timedelta(milliseconds=ms), users) for ms in stamps]


# How each format spells an event.

def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _epoch_ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000 + 0.5)


def _logfmt_value(value: str) -> str:
    if value and not any(c in value for c in ' "=\\\t'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def logfmt_line(e: Event, style: int) -> str:
    """style 0: ts/level/user_id/session/message, ISO; style 1: time/lvl/user/msg, epoch ms."""
    names = ("ts", "level", "user_id", "session", "message") if style == 0 else ("time", "lvl", "user", "session_id", "msg")
    pairs = [(names[0], _iso(e.ts) if style == 0 else str(_epoch_ms(e.ts)))]
    if e.level is not None:
        pairs.append((names[1], e.level.upper() if style else e.level))
    pairs.append(("event", e.event))
    for name, value in ((names[2], e.user_id), (names[3], e.session_id), (names[4], e.message)):
        if value is not None:
            pairs.append((name, value))
    pairs += [(k, v) for k, v in e.attributes.items() if v is not None]
    return " ".join(f"{k}={_logfmt_value(v)}" for k, v in pairs)


def clf_line(e: Event) -> str:
    a = e.attributes
    when = e.ts.strftime("%d/%b/%Y:%H:%M:%S +0000")

    def quoted(v: str | None) -> str:
        return "-" if v is None else v.replace("\\", "\\\\").replace('"', '\\"')

    return (f'{a["remote_addr"]} - {e.user_id or "-"} [{when}] "{a["method"]} {a["path"]} {a["protocol"]}" '
            f'{a["status"]} {a.get("bytes", "-")} "{quoted(a.get("referer"))}" "{quoted(a.get("user_agent"))}"')


CSV_ATTRIBUTES = ("path", "ms", "country", "query", "request_id", "host")


def csv_text(evs: list[Event]) -> str:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["timestamp", "level", "event", "user_id", "session_id", "message", *CSV_ATTRIBUTES])
    for e in evs:
        w.writerow([f"{_epoch_ms(e.ts) / 1000:.3f}", e.level or "", e.event, e.user_id or "", e.session_id or "",
                    e.message or "", *(e.attributes.get(k) or "" for k in CSV_ATTRIBUTES)])
    return out.getvalue()


def json_record(e: Event, nest: str) -> dict:
    """NDJSON style (nest="context"): epoch ms, upper-case severity, a numeric user, `ms` a number,
    the country nested in geo; array style (nest="attributes"): ISO with an offset."""
    attributes: dict = {k: v for k, v in e.attributes.items() if k not in ("ms", "country")}
    if (ms := e.attributes.get("ms")) is not None:
        attributes["ms"] = int(ms)
    if "country" in e.attributes:
        attributes["geo"] = {"country": e.attributes["country"]}
    record: dict[str, object]
    if nest == "context":
        record = {"timestamp": _epoch_ms(e.ts), "severity": e.level and e.level.upper(), "event": e.event,
                  "user": None if e.user_id is None else int(e.user_id), "session": e.session_id, "msg": e.message}
    else:
        record = {"time": e.ts.astimezone(timezone(timedelta(hours=2))).isoformat(timespec="milliseconds"),
                  "level": e.level, "event": e.event, "user_id": e.user_id, "session_id": e.session_id,
                  "message": e.message}
    record[nest] = attributes
    return record


# The sample.

def sample_files(day: date) -> dict[str, tuple[str, bytes, list[Event]]]:
    """{name: (kind, bytes, events as stored)}; kind is "good" or "bad" (refused; events: [])."""
    app = events(1, day, 900, "app")
    http = events(2, day, 600, "http")
    files: dict[str, tuple[str, bytes, list[Event]]] = {}

    def good(name: str, data: str | bytes, evs: list[Event]) -> None:
        files[name] = ("good", data.encode() if isinstance(data, str) else data, evs)

    good("app/api.log", "\n".join(logfmt_line(e, 0) for e in app[:300]) + "\n", app[:300])
    good("app/worker.log.gz", gzip.compress(("\n".join(logfmt_line(e, 1) for e in app[300:450]) + "\n").encode(),
                                            mtime=0), app[300:450])
    good("web/access.log", "\n".join(clf_line(e) for e in http[:450]) + "\n", http[:450])
    good("web/access-edge.log.gz", gzip.compress(("\n".join(clf_line(e) for e in http[450:]) + "\n").encode(),
                                                 mtime=0), http[450:])
    good("exports/events.csv", csv_text(app[450:600]), [_csv_stored(e) for e in app[450:600]])
    good("mobile/events.json", "".join(json.dumps(json_record(e, "context"), ensure_ascii=False) + "\n"
                                       for e in app[600:750]), [_json_stored(e) for e in app[600:750]])
    good("mobile/batch.json.gz", gzip.compress(json.dumps([json_record(e, "attributes") for e in app[750:]],
                                                          indent=2, ensure_ascii=False).encode(), mtime=0),
         [_json_stored(e) for e in app[750:]])
    broken = [logfmt_line(e, 0) for e in app[:12]]
    broken[6] = broken[6] + ' note="never closed'
    files["app/api-broken.log"] = ("bad", ("\n".join(broken) + "\n").encode(), [])
    rows = csv_text(app[:10]).splitlines()
    rows[4] = "," + rows[4].split(",", 1)[1]   # line 5: no timestamp
    files["exports/no-time.csv"] = ("bad", ("\n".join(rows) + "\n").encode(), [])
    lines = [json.dumps(json_record(e, "context")) for e in app[:5]]
    lines[2] = lines[2][:-9]   # line 3 cut short
    files["mobile/cut.json"] = ("bad", ("\n".join(lines) + "\n").encode(), [])
    whole = gzip.compress(("\n".join(clf_line(e) for e in http[:200]) + "\n").encode(), mtime=0)
    files["web/access-old.log.gz"] = ("bad", whole[: len(whole) // 2], [])   # a transfer cut short
    return files


def _csv_stored(e: Event) -> Event:
    return Event(e.ts, e.event, e.level, e.user_id, e.session_id, e.message,
                 {k: v for k, v in e.attributes.items() if v})   # an empty CSV field is no attribute


def _json_stored(e: Event) -> Event:
    attributes = {k: v for k, v in e.attributes.items() if k != "country"}
    if "country" in e.attributes:
        attributes["geo.country"] = e.attributes["country"]
    return Event(e.ts, e.event, e.level, e.user_id, e.session_id, e.message, attributes)


def write_sample(landing_dir: Path, created: datetime | None = None) -> dict[str, tuple[str, bytes]]:
    """The sample, dated the UTC day of `created` (default now), written in delivery order."""
    from filegate.kit.delivery import write_in_delivery_order

    created = created or datetime.now(UTC)
    files = {name: (kind, data) for name, (kind, data, _) in sample_files(created.astimezone(UTC).date()).items()}
    write_in_delivery_order(landing_dir, files, created=created)
    return files


# The benchmark's volume.

FORMATS = ("logfmt", "clf", "csv", "ndjson", "json-array")


def volume_plan(total: int, files: int) -> list[tuple[str, str, int]]:
    """[(name, format, events)]: `files` files cycling through the formats, `total` events in all."""
    per = total // files
    plan = []
    for i in range(files):
        form = FORMATS[i % len(FORMATS)]
        suffix = {"logfmt": ".log", "clf": ".log", "csv": ".csv", "ndjson": ".json", "json-array": ".json"}[form]
        plan.append((f"{form}/part-{i:03d}{suffix}", form, per + (1 if i < total % files else 0)))
    return plan


def write_volume(folder: Path, total: int, files: int, day: date = date(2024, 3, 1)) -> list[Path]:
    """Write the benchmark's files into `folder` (streamed: a block of events at a time)."""
    written = []
    for i, (name, form, n) in enumerate(volume_plan(total, files)):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            for j, block in enumerate(_file_blocks(i, form, n, day)):
                f.write(_render(form, block, first=j == 0))
            if form == "json-array":
                f.write("\n]\n")
        written.append(path)
    return written


def volume_events(total: int, files: int, day: date = date(2024, 3, 1)) -> Iterator[Event]:
    """The events `write_volume` writes, in the same order (the truth the benchmark checks against)."""
    for i, (_, form, n) in enumerate(volume_plan(total, files)):
        for block in _file_blocks(i, form, n, day):
            yield from block


def _file_blocks(i: int, form: str, n: int, day: date) -> Iterator[list[Event]]:
    """File i's events, a block at a time: on one of three days, access logs holding http requests."""
    return _blocks(seed=1000 + i, day=day + timedelta(days=i % 3), n=n, kind="http" if form == "clf" else "app")


def _blocks(seed: int, day: date, n: int, kind: str, block: int = 50_000) -> Iterator[list[Event]]:
    for start in range(0, n, block):
        yield events(seed * 1000 + start // block, day, min(block, n - start), kind, users=50_000)


def _render(form: str, evs: list[Event], first: bool) -> str:
    if form == "logfmt":
        return "".join(logfmt_line(e, i % 2) + "\n" for i, e in enumerate(evs))
    if form == "clf":
        return "".join(clf_line(e) + "\n" for e in evs)
    if form == "csv":
        text = csv_text(evs)
        return text if first else text.split("\n", 1)[1]
    if form == "ndjson":
        return "".join(json.dumps(json_record(e, "context"), ensure_ascii=False) + "\n" for e in evs)
    body = ",\n".join(json.dumps(json_record(e, "attributes"), ensure_ascii=False) for e in evs)
    return ("[\n" if first else ",\n") + body


def write_for_first_run(landing_dir: Path, settings: Settings) -> str:
    """The dataset's sample (`Dataset.sample`): written as delivered a while ago, said in a line."""
    from filegate.kit.delivery import settled_time

    files = write_sample(landing_dir, created=settled_time(settings))
    bad = sum(kind == "bad" for kind, _ in files.values())
    return f"{len(files)} event files (logfmt, access log, CSV, JSON; gzip too; {bad} bad ones)"
