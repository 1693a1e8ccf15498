"""raw_data warehouse tables, generated from the declarations in tables.py (one source of truth).

Every row carries the file it came from and its line. No foreign keys between the tables:
referential integrity is checked by the audit (against loaded rows and the same batch), so a
late-arriving parent never blocks a load.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column

from filegate.datasets.raw_data.tables import TABLES, UNDECLARED, TableSpec
from filegate.models import Base

SCHEMA = "raw_data"
SA_TYPES = {"integer": BigInteger, "numeric": Numeric, "text": Text, "timestamp": DateTime}


def _lineage() -> dict:
    return {
        "file_id": mapped_column(BigInteger, nullable=False, index=True),   # lineage: see filegate/models.py
        "line": mapped_column(Integer, nullable=False),
        "loaded_at": mapped_column(DateTime(timezone=True), nullable=False),
    }


def _model(spec: TableSpec):
    attrs = {"__tablename__": spec.name, "__table_args__": {"schema": SCHEMA}}
    for c in spec.columns:
        key = c.name in spec.keys
        attrs[c.name] = mapped_column(SA_TYPES[c.type](), primary_key=key, nullable=not key)
    attrs.update(_lineage())
    return type("".join(p.title() for p in spec.name.split("_")), (Base,), attrs)


MODELS = {name: _model(spec) for name, spec in TABLES.items()}


UndeclaredRecord = type("UndeclaredRecord", (Base,), {
    "__tablename__": UNDECLARED,
    "__table_args__": {"schema": SCHEMA, "comment": "Records of landing subfolders with no declared schema"},
    "record_id": mapped_column(BigInteger, primary_key=True, autoincrement=True),
    "source_table": mapped_column(Text, nullable=False, comment="the landing subfolder"),
    "doc": mapped_column(JSONB, nullable=False),
    **_lineage(),
})
