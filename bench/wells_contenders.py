"""The wells contenders: each computes the per-operator monthly totals of <landing> (wellData.json
and ProductionData*.json) into <out>/answers.json, one process each:
python bench/wells_contenders.py <contender> <landing dir> <out dir>

  seed      the seed's approach: json.load each file, build the nested dict
            {operator: {api: {well fields..., "productionData": [...]}}} in Python, then total it
  duckdb    read_json over the master and the production files, joined, GROUP BY in SQL
  polars    the master, then each production file read and totalled by the streaming engine
            (Polars has no lazy scan of JSON arrays, only of NDJSON: read_json per file, then
            lazy joins and group_by), the partial totals summed
  step      one step of filegate from landing to published rows, `operator_monthly` and the
            nested export (`STEPS`), each in its own process as Airflow runs its tasks

Answers: {"operator|YYYY-MM": [wells producing, oil, gas, water]}, volumes as decimal text
rounded to 2 places (the inputs have at most 2: a float sum rounds back to the exact one).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def production_files(landing: Path) -> list[Path]:
    return sorted(landing.glob("ProductionData*.json"), key=lambda p: int(p.stem[len("ProductionData"):]))


def canonical(api: str) -> str:
    digits = api.replace("-", "")
    return digits + "0" * (14 - len(digits))


def answer(totals: dict) -> dict:
    return {key: [int(w), *(f"{float(v):.2f}" for v in volumes)] for key, (w, *volumes) in sorted(totals.items())}


def seed(landing: Path, out: Path) -> None:
    with open(landing / "wellData.json") as f:
        master = json.load(f)
    nested: dict = {}
    index = {}
    for well in master:
        api = canonical(well["api"])
        index[api] = nested.setdefault(well["operator"], {})[api] = {**well, "productionData": []}
    for path in production_files(landing):
        with open(path) as f:
            for record in json.load(f):   # the whole file, then every record kept in the nested dict
                index[canonical(record["api"])]["productionData"].append(record)
    totals: dict = {}
    for operator, wells in nested.items():
        for well in wells.values():
            for m in well["productionData"]:
                row = totals.setdefault(f"{operator}|{m['year']:04d}-{m['month']:02d}", [0, 0.0, 0.0, 0.0])
                row[0] += m["oil"] > 0 or m["gas"] > 0
                row[1] += m["oil"]
                row[2] += m["gas"]
                row[3] += m["water"]
    (out / "answers.json").write_text(json.dumps(answer(totals)))


API = "rpad(replace(api, '-', ''), 14, '0')"


def duckdb_sql(landing: Path, out: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    rows = con.execute(f"""
        WITH wells AS (SELECT {API} AS api, operator FROM read_json('{landing}/wellData.json', format='array')),
             production AS (SELECT {API} AS api, year, month, oil, gas, water
                            FROM read_json('{landing}/ProductionData*.json', format='array',
                                           columns={{api: 'VARCHAR', year: 'INTEGER', month: 'INTEGER',
                                                     oil: 'DOUBLE', gas: 'DOUBLE', water: 'DOUBLE', days: 'INTEGER'}}))
        SELECT w.operator || '|' || lpad(p.year::VARCHAR, 4, '0') || '-' || lpad(p.month::VARCHAR, 2, '0'),
               count(*) FILTER (WHERE p.oil > 0 OR p.gas > 0), sum(p.oil), sum(p.gas), sum(p.water)
        FROM production p JOIN wells w USING (api)
        GROUP BY ALL""").fetchall()
    (out / "answers.json").write_text(json.dumps(answer({k: v for k, *v in rows})))


def polars_lazy(landing: Path, out: Path) -> None:
    import polars as pl

    def canonical_api():
        return pl.col("api").str.replace_all("-", "").str.pad_end(14, "0")

    schema = {"api": pl.String, "year": pl.Int32, "month": pl.Int32, "oil": pl.Float64, "gas": pl.Float64,
              "water": pl.Float64, "days": pl.Int32}
    wells = pl.read_json(landing / "wellData.json").lazy().select(canonical_api(), "operator")
    partials = []
    for path in production_files(landing):
        months = pl.read_json(path, schema=schema).lazy().with_columns(canonical_api())
        partials.append(months.join(wells, on="api").group_by("operator", "year", "month").agg(
            ((pl.col("oil") > 0) | (pl.col("gas") > 0)).sum().alias("producing"),
            pl.col("oil").sum(), pl.col("gas").sum(), pl.col("water").sum()).collect(engine="streaming"))
    totals = pl.concat(partials).group_by("operator", "year", "month").agg(
        pl.col("producing").sum(), pl.col("oil").sum(), pl.col("gas").sum(), pl.col("water").sum())
    rows = {f"{op}|{y:04d}-{m:02d}": (p, o, g, w) for op, y, m, p, o, g, w in totals.iter_rows()}
    (out / "answers.json").write_text(json.dumps(answer(rows)))


STEPS = ("claim", "convert", "stage", "audit", "publish", "operator_monthly", "operator_wells")


def step(name: str, landing: Path, conninfo: str, data_root: Path, state_file: Path) -> None:
    """One step of filegate from landing to published rows (harness.step) and the day's report
    and export, each in its own process as an Airflow task runs. Data root and settings come from
    the environment."""
    from datetime import date

    from harness import step as filegate_step

    from filegate import settings
    from filegate.outputs.reports import write

    if name in ("claim", "convert", "stage", "audit", "publish"):
        filegate_step("wells", name, landing.glob("*.json"), landing, conninfo, data_root, state_file,
                      counted="production")
        return
    state = json.loads(state_file.read_text())
    state[name] = str(write(conninfo, "wells", name, date.today(), settings.load().reports))
    state_file.write_text(json.dumps(state))


def filegate_answers(report: Path, out: Path) -> None:
    """The totals of filegate's operator_monthly report, as every contender gives its answers."""
    import csv

    with open(report, newline="") as f:
        totals = {f"{r['operator']}|{r['month']}": (r["wells_producing"], r["oil"], r["gas"], r["water"])
                  for r in csv.DictReader(f)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "answers.json").write_text(json.dumps(answer(totals)))


def copy_floor(csv_rows: Path, conninfo: str) -> None:
    import psycopg

    with psycopg.connect(conninfo) as conn, open(csv_rows, "rb") as f:
        with conn.cursor().copy("COPY bench.production_floor FROM STDIN (FORMAT csv)") as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)


CONTENDERS = {"seed": seed, "duckdb": duckdb_sql, "polars": polars_lazy}

if __name__ == "__main__":
    if sys.argv[1] == "step":
        step(sys.argv[2], Path(sys.argv[3]), sys.argv[4], Path(sys.argv[5]), Path(sys.argv[6]))
    elif sys.argv[1] == "copy-floor":
        copy_floor(Path(sys.argv[2]), sys.argv[3])
    else:
        name, landing, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
        out.mkdir(parents=True, exist_ok=True)
        CONTENDERS[name](landing, out)
