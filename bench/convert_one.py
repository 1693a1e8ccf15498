"""Contender: filegate's converter on one raw_data file, exactly as the convert task runs it.
Usage: convert_one.py <raw file under .../raw_data/<table>/> <output run dir>"""
import sys
from pathlib import Path

from filegate import datasets, settings  # noqa: E402
from filegate.ingest.convert import convert_file  # noqa: E402

converted = convert_file(datasets.get("raw_data"), Path(sys.argv[1]), 1, Path(sys.argv[2]), settings.load())
print(sum(converted.rows.values()))
