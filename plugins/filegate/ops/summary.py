"""What `make run` prints per dataset: the files of this run and what became of them, the rows
the tables now hold, the answers of the dataset's summary reports, and where to look next."""
from __future__ import annotations

import csv
from datetime import date, datetime

from filegate import datasets
from filegate.ingest import registry
from filegate.ingest.registry import FileStatus
from filegate.ops.processes import say
from filegate.settings import Settings
from filegate.warehouse.connection import compose, connect, value


def show(s: Settings, conninfo: str, name: str, since: datetime, day: date) -> None:
    ds = datasets.get(name)
    with connect(conninfo) as conn:
        handled = registry.handled_since(conn, name, since)
        stale = registry.stale_claims(conn, name, s.claim_timeout)
        stored = [(t.target, value(conn, compose("SELECT count(*) FROM {t}", t=t.target)))
                  for t in ds.tables]
    loaded = [f for f in handled if f.status is FileStatus.LOADED]
    refused = [f for f in handled if f.status.refused]
    say()
    say(f"{name}: {len(handled)} file(s) this run: {len(loaded)} loaded, {len(refused)} refused")
    for f in handled:
        detail = f"{f.rows_loaded} row(s) stored" if f.status is FileStatus.LOADED else (f.reason or "")
        say(f"  {f.status.value:<9} {f.filename:<36} {detail}")
    say(f"  rows upserted this run: {sum(f.rows_loaded or 0 for f in loaded)}")
    if stale:
        say(f"  stale claims: {len(stale)} file(s) claimed by a run that did not finish, untouched for more than "
            f"{s.claim_timeout:.0f} s; the next run re-claims them: " + ", ".join(f.filename for f in stale[:10]))
    say("  tables now hold: " + ", ".join(f"{target} {n}" for target, n in stored))
    for report in ds.summary_reports:
        path = s.reports / name / report / f"{day}.csv"
        if path.exists():
            with open(path, newline="") as report_file:
                answer = list(csv.DictReader(report_file))
            say(f"  {report}: " + "; ".join(", ".join(f"{k}={v!r}" if "\n" in v else f"{k}={v}" for k, v in row.items())
                                            for row in answer[:3]))
    say(f"  reports:    {s.reports / name}/<report>/{day}.csv")
    docs = s.quality / name / "data_docs" / "index.html"
    say(f"  quality:    {docs if docs.exists() else '(no audit has run yet)'}")
    say(f"  quarantine: {s.quarantine / name}  (each file with a .reason.json)")
    if not handled:
        say("  nothing new was found")
    say()
