"""SMRT warehouse tables: meters and hourly readings, every reading tied to its file."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from filegate.models import Base


class Meter(Base):
    __tablename__ = "meters"
    __table_args__ = {"schema": "smrt", "comment": "Meters seen in SMRT files (canonical 11-digit numbers)"}

    meter_number: Mapped[str] = mapped_column(Text, primary_key=True)
    first_file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("filegate.files.file_id"))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reading(Base):
    __tablename__ = "readings"
    __table_args__ = {"schema": "smrt", "comment": "Hourly consumption; the latest file to report an hour wins"}

    meter_number: Mapped[str] = mapped_column(Text, ForeignKey("smrt.meters.meter_number"), primary_key=True)
    reading_start_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True,
                                                        comment="start of the hour measured")
    consumption: Mapped[Decimal] = mapped_column(Numeric)
    file_id: Mapped[int] = mapped_column(BigInteger, index=True)   # lineage: see filegate/models.py
    line: Mapped[int] = mapped_column(Integer, comment="line of the CONSU record in that file")
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
