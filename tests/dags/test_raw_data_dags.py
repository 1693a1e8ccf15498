"""raw_data_ingest then raw_data_reports, for real with dag.test(), on generated data whose
answers are worked out independently (tests/raw_data_answers.py)."""
import csv
from datetime import datetime, timezone

import psycopg

from filegate.datasets.raw_data.sample import bad_files, write_sample
from tests.support.dagrun import run_dag
from tests.support.raw_data_answers import answers


def test_mixed_formats_load_typed_and_the_reports_answer_the_questions(conninfo, settings, airflow_db):
    rows = write_sample(settings.landing / "raw_data", tracks=600)
    state, tasks = run_dag("raw_data_ingest")
    assert state == "success" and tasks["publish"] == "success"

    with psycopg.connect(conninfo) as conn:
        status = dict(conn.execute("SELECT filename, status FROM filegate.files").fetchall())
        counts = {t: conn.execute(f"SELECT count(*) FROM raw_data.{t}").fetchone()[0] for t in rows}
        undeclared = conn.execute("SELECT count(*), min(source_table) FROM raw_data.undeclared_records").fetchone()
        lineage = conn.execute("SELECT count(*) FROM raw_data.tracks t JOIN filegate.files f USING (file_id)"
                               " WHERE f.status = 'loaded' AND t.line >= 1").fetchone()[0]
    refused = {name for name, s in status.items() if s != "loaded"}
    assert refused == set(bad_files(rows))                 # exactly the bad files, whole
    assert counts == {t: len(r) for t, r in rows.items()}   # every good row, once
    assert undeclared == (20, "reviews")
    assert lineage == len(rows["tracks"])

    day = datetime.now(timezone.utc).date().isoformat()
    state, _ = run_dag("raw_data_reports", run_conf={"date": day})
    assert state == "success"
    for report, expected in answers(rows).items():
        with open(settings.reports / "raw_data" / report / f"{day}.csv", newline="") as f:
            assert list(csv.DictReader(f)) == expected, report
