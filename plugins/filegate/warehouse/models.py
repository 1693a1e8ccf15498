"""The audit schema, defined once as SQLAlchemy ORM models; Alembic migrations create it.

Dataset tables are generated from their declarations onto the same `Base` (`filegate.warehouse.migrate`).

Lineage: every loaded row carries `file_id` (its file here) and `line`. `file_id` is indexed but
is not a foreign key: publish takes its rows from staging JOINed to this registry, so each one
exists by construction, and a foreign key's row-by-row check doubled publish time at 2,000,000
rows (bench/README.md). Registry rows are never deleted.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Iterable, cast

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

if TYPE_CHECKING:
    from filegate.kit.declaration import Dataset


class FileStatus(str, Enum):
    """Where a file stands in the registry (the column `filegate.files.status`)."""
    CLAIMED = "claimed"
    LOADED = "loaded"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    def __str__(self) -> str:
        return self.value

    @property
    def refused(self) -> bool:
        return self in (FileStatus.REJECTED, FileStatus.DUPLICATE)


FILE_STATUSES = tuple(s.value for s in FileStatus)


NAMING = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class FileRecord(Base):
    """The file registry: one row per file seen in a landing folder, whatever became of it."""

    __tablename__ = "files"
    __table_args__ = (
        CheckConstraint(f"status IN {FILE_STATUSES}", name="status"),
        Index("ix_files_dataset_filename", "dataset", "filename"),
        Index("ix_files_dataset_sha256", "dataset", "sha256"),   # the same content under another name
        # the UI's registry pages: newest first, of one status or all, without a sort of millions
        Index("ix_files_dataset_status_id", "dataset", "status", "file_id"),
        Index("ix_files_dataset_id", "dataset", "file_id"),
        # at most one loaded file per dataset and name: "never load the same file twice"
        Index("uq_files_loaded_name", "dataset", "filename", unique=True,
              postgresql_where="status = 'loaded' AND NOT reloadable"),
        {"schema": "filegate", "comment": "Every file seen in a landing folder and what became of it"},
    )

    file_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text, comment="path relative to landing/<dataset>/")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  comment="when the file landed (its mtime when claimed)")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    header: Mapped[dict | None] = mapped_column(JSONB, comment="dataset-specific header fields")
    details: Mapped[dict | None] = mapped_column(JSONB, comment="why it was refused: failed checks, sample rows")
    sort_key: Mapped[str | None] = mapped_column(Text, comment="publish order within a batch")
    rows_read: Mapped[int | None] = mapped_column(BigInteger)
    rows_loaded: Mapped[int | None] = mapped_column(BigInteger)
    run_id: Mapped[str] = mapped_column(Text, comment="the Airflow run that handled the file")
    stored_path: Mapped[str | None] = mapped_column(Text, comment="where the raw file is now")
    reloadable: Mapped[bool] = mapped_column(server_default="false",
                                             comment="re-delivery under the same name upserts")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 comment="the last time a run claimed, refused or loaded it")


def with_datasets(datasets: Iterable[Dataset]) -> MetaData:
    """The registry plus the models of `datasets`' declared tables, on a declarative base of their
    own (so the schema follows whatever datasets are discovered now)."""
    from filegate.kit.tables import model

    class DatasetBase(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)

    cast(Table, FileRecord.__table__).to_metadata(DatasetBase.metadata)
    for dataset in datasets:
        for table in dataset.tables:
            model(table, DatasetBase)
    return DatasetBase.metadata
