"""Samples for a fresh environment: every dataset that ships a sample writes it into its landing
folder, so the first `make run` has something real (and some deliberately bad files) to load."""
from __future__ import annotations

from filegate import datasets
from filegate.ingest import registry
from filegate.ops.processes import say
from filegate.settings import Settings
from filegate.warehouse.connection import connect


def write_if_fresh(s: Settings, conninfo: str) -> None:
    """Only when no landing folder holds a file and nothing was ever received, so real files are
    processed as they are and a second run finds nothing new."""
    if s.landing.exists() and any(p.is_file() for p in s.landing.rglob("*")):
        return
    with connect(conninfo) as conn:
        if registry.count(conn):
            return
    for ds in datasets.discovered():
        if ds.sample is not None:
            folder = s.landing / ds.name
            what = ds.write_sample(folder, s)
            say(f"• fresh environment: wrote {what} to {folder}")
