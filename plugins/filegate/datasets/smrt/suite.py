"""SMRT's additions to the standard checks (keys and consumption not null, one reading per meter
and hour in a file, consumption >= 0 come from the declaration). Imported inside tasks only."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filegate.kit.tables import Table


def readings_checks() -> list:
    import great_expectations.expectations as gxe

    return [
        # a reading must be for a real date and a whole hour 00-23
        gxe.ExpectColumnValuesToMatchRegex(column="reading_date", regex=r"^[0-9]{8}$"),
        gxe.ExpectColumnValuesToMatchRegex(column="reading_time", regex=r"^([01][0-9]|2[0-3])00$"),
        # meter numbers are 10 or 11 digits as received (canonical form: 11, zero-padded)
        gxe.ExpectColumnValuesToMatchRegex(column="meter_number_raw", regex=r"^[0-9]{10,11}$"),
    ]


def checks(table: Table, staging: str) -> list:
    """The dataset's suite additions (`Dataset.checks`): for readings only."""
    return readings_checks() if table.name == "readings" else []
