"""What the ingest steps hand each other: claim -> convert -> stage -> audit -> publish.

Each is a dataclass, so a step's input says what it holds, and Airflow 3 carries it as XCom
(its serde writes a dataclass's fields beside its class name, and builds it again on the other
side; `allow_class` admits these classes in every process that parses the DAGs, as dags.py does
by importing this module). What convert did with a file is an `Outcome`, never a bare string.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Outcome(str, Enum):
    """What convert did with a claimed file."""
    CONVERTED = "converted"   # parts written: stage takes it
    RELEASED = "released"     # it changed or went away: its claim was dropped, nothing of it loads
    REJECTED = "rejected"     # refused (quarantined) by this attempt or an earlier one
    LOADED = "loaded"         # an earlier attempt loaded it already
    DUPLICATE = "duplicate"   # refused as a duplicate already

    def __str__(self) -> str:
        return self.value


@dataclass
class ClaimedFile:
    """A file claim registered for this run, with its identity when it was hashed."""
    file_id: int
    filename: str
    path: str
    identity: list[int] | None = None   # landing.identity at claim: a change since means other bytes


@dataclass
class Conversion:
    """Convert's result for one file: its outcome and, converted, the rows of each table."""
    file_id: int
    filename: str
    outcome: Outcome
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.outcome)   # XCom brings the value back as its text


@dataclass
class Staged:
    """The batch in its staging tables: the files staged, each table's staging name and rows."""
    file_ids: list[int]
    staging: dict[str, str]
    rows: dict[str, int]
    rejected: list[int] = field(default_factory=list)   # refused by PostgreSQL while staging


@dataclass
class Audited(Staged):
    """The staged batch after the audit: `file_ids` are the files that passed."""
    quality_docs: str | None = None


@dataclass
class Published:
    """What publish stored: the files loaded (this attempt's or an earlier one's) and archived."""
    files_loaded: int
    rows: int
    archived: list[str]
    file_ids: list[int]
    rejected: list[int] = field(default_factory=list)


def allow_in_xcom() -> None:
    """Admit these classes to Airflow's XCom deserialisation in this process."""
    from airflow.sdk.serde import allow_class

    for cls in (ClaimedFile, Conversion, Staged, Audited, Published):
        allow_class(cls)
