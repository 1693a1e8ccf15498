"""The events contenders: each loads every file under <landing> into `events.events` of the database
<conninfo> (migrated, empty), then writes its answers, the per-day event counts by type read back
from that table, to <out>/answers.json. One process each:

python bench/events_contenders.py <contender> <landing dir> <conninfo> <out dir>

  seed      the seed's approach: pandas in chunks of 100,000 (`read_csv(chunksize=)`,
            `read_json(lines=True, chunksize=)`; a JSON array read whole, as pandas cannot chunk
            one), logs read 100,000 lines at a time and parsed by regular expressions, normalised
            with pandas, loaded with `DataFrame.to_sql` (SQLAlchemy, psycopg 3, batched INSERTs)
  duckdb    DuckDB reads the CSV and JSON files and splits the log lines with its regular
            expressions, writes CSV (its postgres extension cannot be downloaded here), which is
            COPYed into a staging table and inserted with the attributes turned into hstore
  step      one step of filegate from landing to published rows (`STEPS`), each in its own process
            as Airflow runs its tasks (convert mapped on 2 processes)

Answers: {"YYYY-MM-DD|event": events}.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

CHUNK = 100_000
ALIASES = {"ts": "ts", "time": "ts", "timestamp": "ts", "level": "level", "lvl": "level", "severity": "level",
           "event": "event", "user_id": "user_id", "user": "user_id", "session_id": "session_id",
           "session": "session_id", "message": "message", "msg": "message"}
KNOWN = ("ts", "level", "event", "user_id", "session_id", "message")
ANSWERS = ("SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') || '|' || event, count(*) FROM events.events"
           " GROUP BY 1")


def files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))


def write_answers(conninfo: str, out: Path) -> None:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        answers = dict(sorted(conn.execute(ANSWERS).fetchall()))
    out.mkdir(parents=True, exist_ok=True)
    (out / "answers.json").write_text(json.dumps(answers))


# --- the seed: pandas chunks, regexes, to_sql ---------------------------------------------------

LOGFMT = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')
CLF = re.compile(r'(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)'
                 r'(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?')
ESCAPE = re.compile(r"\\(.)")


def seed(landing: Path, conninfo: str, out: Path) -> None:
    import pandas as pd
    import sqlalchemy
    from sqlalchemy.dialects.postgresql import HSTORE

    from filegate.warehouse.connection import sqlalchemy_url

    engine = sqlalchemy.create_engine(sqlalchemy_url(conninfo))
    for file_id, path in enumerate(files(landing), start=1):
        line = 0
        for frame in seed_frames(path):
            df = seed_normalise(frame)
            df["file_id"] = file_id
            df["line"] = range(line + 1, line + 1 + len(df))
            line += len(df)
            df["loaded_at"] = pd.Timestamp.now(tz="UTC")
            df.to_sql("events", engine, schema="events", if_exists="append", index=False,
                      dtype={"attributes": HSTORE()})
    engine.dispose()
    write_answers(conninfo, out)


def seed_frames(path: Path):
    import pandas as pd

    if path.suffix == ".csv":
        yield from pd.read_csv(path, chunksize=CHUNK, dtype=str, keep_default_na=False)
    elif path.suffix == ".json":
        with open(path, "rb") as f:
            first = f.read(64).lstrip()[:1]
        if first == b"{":
            yield from pd.read_json(path, lines=True, chunksize=CHUNK, dtype=False)
        else:
            whole = pd.read_json(path, dtype=False)   # pandas reads an array whole
            for start in range(0, len(whole), CHUNK):
                yield whole.iloc[start:start + CHUNK].reset_index(drop=True)
    else:
        with open(path, encoding="utf-8") as f:
            while True:
                lines = [line.rstrip("\n") for _, line in zip(range(CHUNK), f)]
                if not lines:
                    return
                yield pd.DataFrame([seed_log_record(line) for line in lines])


def seed_log_record(line: str) -> dict:
    m = CLF.fullmatch(line)
    if m is not None:
        host, _, user, when, request, status, size, referer, agent = m.groups()
        method, path, protocol = request.split(" ")
        code = int(status)
        record = {"ts": when, "event": "http_request", "user_id": None if user == "-" else user,
                  "level": "info" if code < 400 else "warn" if code < 500 else "error", "remote_addr": host,
                  "method": method, "path": path, "protocol": protocol, "status": status}
        if size != "-":
            record["bytes"] = size
        for key, value in (("referer", referer), ("user_agent", agent)):
            if value not in (None, "-"):
                record[key] = ESCAPE.sub(r"\1", value)
        return record
    return {k: ESCAPE.sub(r"\1", v[1:-1]) if v.startswith('"') else v for k, v in LOGFMT.findall(line)}


def seed_normalise(df):
    import pandas as pd

    flat = []
    for column in list(df.columns):
        if df[column].map(lambda v: isinstance(v, dict)).any():   # nested JSON: flatten with dots
            nested = pd.json_normalize(df[column].map(lambda v: v if isinstance(v, dict) else {}).tolist(), sep=".")
            if column not in ("attributes", "context"):
                nested.columns = [f"{column}.{c}" for c in nested.columns]
            flat.append(nested)
            df = df.drop(columns=[column])
    df = pd.concat([df.reset_index(drop=True), *flat], axis=1)
    known = {}
    for field in KNOWN:   # a field under several names (time in some lines, ts in others): the first given
        names = [c for c in df.columns if ALIASES.get(c.lower()) == field]
        if names:
            known[field] = df[names].bfill(axis=1).iloc[:, 0] if len(names) > 1 else df[names[0]]
    text = known["ts"].astype(str)
    epoch = text.str.fullmatch(r"-?\d+(\.\d+)?")
    ts = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")
    if epoch.any():
        numbers = pd.to_numeric(text[epoch])
        millis = numbers >= 1e11
        ts[epoch & millis] = pd.to_datetime(numbers[millis], unit="ms", utc=True)
        ts[epoch & ~millis] = pd.to_datetime(numbers[~millis], unit="s", utc=True)
    clf = ~epoch & text.str.contains("/", regex=False)
    if clf.any():
        ts[clf] = pd.to_datetime(text[clf], format="%d/%b/%Y:%H:%M:%S %z", utc=True)
    iso = ~epoch & ~clf
    if iso.any():
        ts[iso] = pd.to_datetime(text[iso], format="ISO8601", utc=True)
    out = pd.DataFrame({"ts": ts})
    for column in KNOWN[1:]:
        values = known.get(column, pd.Series(None, index=df.index, dtype=object))
        out[column] = values.map(_text)
    out["level"] = out["level"].str.lower()
    others = [c for c in df.columns if c.lower() not in ALIASES]
    out["attributes"] = [{k: _text(v) for k, v in row.items() if _text(v) not in (None, "")}
                         for row in df[others].to_dict("records")]
    return out


def _text(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))   # pandas made an integer column with nulls float
    return str(value)


# --- DuckDB: its readers and regexes, CSV, COPY -------------------------------------------------

DUCK_LOGFMT = r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)'
DUCK_CLF = (r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)'
            r'(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?$')
TS = ("CASE WHEN regexp_full_match({t}, '-?[0-9]+(\\.[0-9]+)?') THEN to_timestamp(CASE WHEN {t}::DOUBLE >= 1e11"
      " THEN {t}::DOUBLE / 1000 ELSE {t}::DOUBLE END) ELSE {t}::TIMESTAMPTZ END")
FLATTEN = """
INSERT INTO events.events (ts, level, event, user_id, session_id, message, attributes, file_id, line, loaded_at)
SELECT ts, lower(level), event, user_id, session_id, message,
       (SELECT hstore(coalesce(array_agg(k), '{}'), coalesce(array_agg(v), '{}')) FROM (
            SELECT CASE WHEN n.key IS NULL THEN e.key ELSE e.key || '.' || n.key END AS k,
                   coalesce(n.value, e.value) #>> '{}' AS v
            FROM jsonb_each(attributes) e
            LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e.value) = 'object' THEN e.value END) n ON true
            WHERE coalesce(n.value, e.value) #>> '{}' <> '') pairs),
       file_id, line, now()
FROM bench.events_in
"""


def duckdb_load(landing: Path, conninfo: str, out: Path) -> None:
    import duckdb
    import psycopg

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    scratch = out / "csv"
    scratch.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(conninfo) as conn:
        conn.execute("CREATE UNLOGGED TABLE bench.events_in (ts timestamptz, level text, event text, user_id text,"
                     " session_id text, message text, attributes jsonb, file_id bigint, line integer)")
        for file_id, path in enumerate(files(landing), start=1):
            target = scratch / f"{file_id}.csv"
            con.execute(f"COPY ({duckdb_select(con, path, file_id)}) TO '{target}' (FORMAT csv, HEADER false)")
            with conn.cursor().copy("COPY bench.events_in FROM STDIN (FORMAT csv)") as copy, open(target, "rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            target.unlink()
        conn.execute(FLATTEN)
        conn.execute("DROP TABLE bench.events_in")
    write_answers(conninfo, out)


def duckdb_select(con, path: Path, file_id: int) -> str:
    """A SELECT of (ts, level, event, user_id, session_id, message, attributes as JSON, file_id, line)."""
    lines = (f"SELECT line AS text, row_number() OVER () AS n FROM read_csv('{path}', columns={{'line': 'VARCHAR'}},"
             " delim='\x1f', quote='', escape='', header=false, auto_detect=false)")
    if path.suffix == ".log":
        first = con.execute(f"SELECT text FROM ({lines}) LIMIT 1").fetchone()[0]
        if re.match(DUCK_CLF, first):
            parts = ("host", "ident", "remote_user", "when", "request", "status", "size", "referer", "agent")
            return (f"WITH l AS ({lines}), p AS (SELECT n, regexp_extract(text, '{_sql(DUCK_CLF)}', {list(parts)}) AS r"
                    " FROM l) SELECT strptime(r.when, '%d/%b/%Y:%H:%M:%S %z') AS ts, CASE WHEN r.status::INT < 400"
                    " THEN 'info' WHEN r.status::INT < 500 THEN 'warn' ELSE 'error' END, 'http_request',"
                    " nullif(r.remote_user, '-'), NULL, NULL, json_object('remote_addr', r.host, 'method',"
                    " split_part(r.request, ' ', 1), 'path', split_part(r.request, ' ', 2), 'protocol',"
                    " split_part(r.request, ' ', 3), 'status', r.status, 'bytes', nullif(r.size, '-'), 'referer',"
                    " nullif(r.referer, '-'), 'user_agent', regexp_replace(nullif(r.agent, '-'), '\\\\(.)', '\\1', 'g'))"
                    f", {file_id}, n FROM p")
        pairs = (f"WITH l AS ({lines}), p AS (SELECT n, map_from_entries(list_transform("
                 f"regexp_extract_all(text, '{_sql(DUCK_LOGFMT)}', 0), lambda x: {{'k': split_part(x, '=', 1), "
                 "'v': regexp_replace(regexp_replace(substr(x, strpos(x, '=') + 1), '^\"(.*)\"$', '\\1'),"
                 " '\\\\(.)', '\\1', 'g')})) AS m FROM l)")
        known = {field: " ".join(f"coalesce(m['{name}'], " for name in names) + "NULL" + ")" * len(names)
                 for field, names in _names().items()}
        return (f"{pairs} SELECT {TS.format(t=known['ts'])}, {known['level']}, {known['event']}, {known['user_id']},"
                f" {known['session_id']}, {known['message']}, to_json(map_from_entries(list_filter(map_entries(m),"
                f" lambda e: lower(e.key) NOT IN {tuple(ALIASES)}))), {file_id}, n FROM p")
    if path.suffix == ".csv":
        source = f"read_csv('{path}', all_varchar=true, header=true)"
        columns = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE SELECT * FROM {source})").fetchall()]
    else:
        source = f"read_json('{path}', format='auto', maximum_object_size=67108864)"
        columns = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE SELECT * FROM {source})").fetchall()]
    field = {ALIASES[c.lower()]: f'"{c}"::VARCHAR' for c in columns if c.lower() in ALIASES}
    others = [c for c in columns if c.lower() not in ALIASES and c not in ("attributes", "context")]
    attributes = "json_object(" + ", ".join(f"'{c}', \"{c}\"" for c in others) + ")"
    for nested in ("attributes", "context"):   # their keys are attributes as they are
        if nested in columns:
            attributes = f"json_merge_patch({attributes}, to_json(\"{nested}\"))"
    missing = "NULL"
    return (f"SELECT {TS.format(t=field['ts'])}, {field.get('level', missing)}, {field['event']},"
            f" {field.get('user_id', missing)}, {field.get('session_id', missing)}, {field.get('message', missing)},"
            f" {attributes}, {file_id}, row_number() OVER () FROM {source}")


def _names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for name, field in ALIASES.items():
        names.setdefault(field, []).append(name)
    return names


def _sql(text: str) -> str:
    return text.replace("'", "''")


# --- filegate, a step at a time -----------------------------------------------------------------

STEPS = ("claim", "convert", "stage", "audit", "publish")


def step(name: str, landing: Path, conninfo: str, data_root: Path, state_file: Path) -> None:
    """One step of filegate from landing to published rows (harness.step)."""
    from harness import step as filegate_step

    filegate_step("events", name, files(landing), landing, conninfo, data_root, state_file, counted="events")


CONTENDERS = {"seed": seed, "duckdb": duckdb_load}

if __name__ == "__main__":
    if sys.argv[1] == "step":
        step(sys.argv[2], Path(sys.argv[3]), sys.argv[4], Path(sys.argv[5]), Path(sys.argv[6]))
    elif sys.argv[1] == "answers":
        write_answers(sys.argv[2], Path(sys.argv[3]))
    else:
        CONTENDERS[sys.argv[1]](Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
