"""Errors that name the file, the line and the problem, and quote the input only in excerpts:
a 5 MB line must not be copied into a reason, the registry, a `.reason.json` and the terminal."""
from __future__ import annotations

import errno
from typing import Any

QUOTE_LIMIT = 200       # characters of any one input value a message quotes
PROBLEM_LIMIT = 1_000   # characters of a whole problem, whatever it quotes


def excerpt(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """`repr(value)`, cut to `limit` characters and marked as cut when longer."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (cut: {len(text):,} characters)"


def bounded(text: str, limit: int = PROBLEM_LIMIT) -> str:
    """A message of at most about `limit` characters, marked as cut when longer."""
    return text if len(text) <= limit else f"{text[:limit]}… (cut: {len(text):,} characters)"


class MachineError(RuntimeError):
    """The machine's fault, not the file's: a folder that cannot be written, a full disk, a
    database that does not answer. The step fails (Airflow retries it) with a message saying what
    to fix; nothing is half-done, and the same command finishes the work once it is fixed."""


# what an OSError of the machine means for whoever must fix it
OS_HINTS = {errno.EACCES: "the folder cannot be written (its permissions)",
            errno.EPERM: "the folder cannot be written (its permissions, or it is immutable: `lsattr`, `chattr -i`)",
            errno.EROFS: "the disk holding it is mounted read-only",
            errno.ENOSPC: "the disk holding it is full",
            errno.EDQUOT: "the disk quota is used up",
            errno.EIO: "the disk holding it fails to read or write",
            errno.EXDEV: "it is on another disk than landing: keep the data root on one filesystem"}


def machine_error(error: OSError, doing: str, then: str) -> MachineError | None:
    """The MachineError for an OSError of the machine while `doing` (what failed, what it means,
    and `then`: what happens once it is fixed), or None when the error is not the machine's."""
    hint = OS_HINTS.get(getattr(error, "errno", None) or 0)
    if hint is None:
        return None
    return MachineError(f"{doing}: {error.strerror}; {hint}. {then}")


class Reject(Exception):
    """Raised by a reader: the file is structurally bad and must not be loaded at all."""

    def __init__(self, line: int | None, problem: str):
        problem = bounded(problem)
        super().__init__(problem)
        self.line = line
        self.problem = problem

    def describe(self, filename: str) -> str:
        where = f"line {self.line}" if self.line else "whole file"
        return f"{filename}, {where}: {self.problem}"


# SQLSTATE classes of a statement PostgreSQL refuses for the rows it was given: 22, a data exception
# (a numeric overflow, a date out of range); 23, an integrity constraint; 54, a program limit (an
# index entry over its ~2.7 kB maximum). Anything else is the machine's (retry) or a bug (fail).
REFUSING_SQLSTATE_CLASSES = ("22", "23", "54")


def refused_by_postgres(error: BaseException) -> bool:
    """Whether PostgreSQL refused a statement because of the rows it was given: the file that
    brought them is at fault, not the machine."""
    sqlstate = getattr(error, "sqlstate", None) or ""
    return sqlstate[:2] in REFUSING_SQLSTATE_CLASSES


def connection_errors() -> tuple[type[Exception], ...]:
    """A lost or refused database connection, as psycopg and SQLAlchemy (Alembic, Airflow) raise it."""
    import psycopg
    import sqlalchemy.exc

    return psycopg.OperationalError, psycopg.InterfaceError, sqlalchemy.exc.OperationalError


def is_environmental(error: BaseException) -> bool:
    """The machine's fault, not the data's: out of memory or disk space, a read-only or failing
    disk, a lost database connection. The step fails and is retried; the file is not refused.
    The third kind, neither this nor `refused_by_postgres`, is a bug: it fails the step too."""
    if refused_by_postgres(error):   # e.g. an index entry too long: psycopg calls it an OperationalError
        return False
    return (isinstance(error, (MemoryError, MachineError, *connection_errors()))
            or isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO))
