"""The three kinds of failure a step tells apart (filegate.kit.errors): the data's (the file is
refused), the machine's (the step fails and is retried, the file is not refused), and a bug
(neither: the step fails)."""
from __future__ import annotations

import errno

import psycopg
import pytest
import sqlalchemy.exc

from filegate.kit.errors import MachineError, connection_errors, is_environmental, refused_by_postgres


@pytest.mark.parametrize("error", [psycopg.errors.NumericValueOutOfRange("numeric field overflow"),
                                   psycopg.errors.UniqueViolation("duplicate key"),
                                   psycopg.errors.ProgramLimitExceeded("index row size 3016 exceeds maximum 2712")],
                         ids=["22: data exception", "23: integrity", "54: program limit"])
def test_postgresql_refusing_the_rows_is_the_datas_fault_even_as_an_operational_error(error):
    assert refused_by_postgres(error) and not is_environmental(error)


@pytest.mark.parametrize("error", [psycopg.OperationalError("server closed the connection unexpectedly"),
                                   psycopg.InterfaceError("the connection is closed"),
                                   sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("gone")),
                                   MemoryError(), MachineError("the disk holding it is full"),
                                   OSError(errno.ENOSPC, "No space left on device"),
                                   OSError(errno.EROFS, "Read-only file system"),
                                   OSError(errno.EIO, "Input/output error")],
                         ids=["lost", "closed", "sqlalchemy", "memory", "machine", "ENOSPC", "EROFS", "EIO"])
def test_the_machine_failing_is_environmental_and_refuses_nothing(error):
    assert is_environmental(error) and not refused_by_postgres(error)


@pytest.mark.parametrize("error", [ValueError("a bug"), OSError(errno.ENOENT, "No such file"), KeyError("x")],
                         ids=["ValueError", "ENOENT", "KeyError"])
def test_anything_else_is_neither(error):
    assert not is_environmental(error) and not refused_by_postgres(error)


def test_connection_errors_are_what_a_lost_database_raises_through_psycopg_and_sqlalchemy():
    assert set(connection_errors()) == {psycopg.OperationalError, psycopg.InterfaceError,
                                        sqlalchemy.exc.OperationalError}
