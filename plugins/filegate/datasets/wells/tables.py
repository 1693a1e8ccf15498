"""The wells tables: the master (`wells`), monthly production (`production`), and two tables the
publish SQL derives from them in the same transaction (`well_production`, `operators`).

API numbers are stored in their canonical 14-digit form (`api_number.canonical`). A well is
its api: a re-delivered master upserts it, so the operator is the latest delivered. A month of
a well's production is (api, year, month): delivered again, the delivery latest in file order wins.
"""
from __future__ import annotations

from filegate.kit.tables import Column, Table

WELLS = Table(
    name="wells",
    columns=(
        Column("api", "text", comment="API well number, canonical 14 digits (state, county, well, sidetrack, event)"),
        Column("wellName", "text"),
        Column("operator", "text", required=True, comment="the operator as of the latest master delivered"),
        Column("county", "text"),
        Column("field", "text"),
        Column("status", "text"),
        Column("wellType", "text"),
        Column("spudDate", "date"),
        Column("latitude", "double"),
        Column("longitude", "double"),
    ),
    keys=("api",),
    minimum={"latitude": -90, "longitude": -180},
    maximum={"latitude": 90, "longitude": 180},
    comment="The well master: one row per well, as of the latest master file delivered",
)

PRODUCTION = Table(
    name="production",
    columns=(
        Column("api", "text", comment="API well number, canonical 14 digits"),
        Column("year", "integer"),
        Column("month", "integer"),
        Column("oil", "numeric", comment="barrels"),
        Column("gas", "numeric", comment="thousand cubic feet (mcf)"),
        Column("water", "numeric", comment="barrels"),
        Column("days", "integer", comment="days produced in the month"),
    ),
    keys=("api", "year", "month"),
    repeats_in_file=True,   # a month delivered twice in one file: the later line wins
    references={"api": ("wells", "api")},
    minimum={"year": 1800, "month": 1, "oil": 0, "gas": 0, "water": 0, "days": 0},
    maximum={"year": 9999, "month": 12, "days": 31},   # a year of four digits: every month is a date
    comment="Monthly production per well; a month delivered again overwrites",
)

WELL_PRODUCTION = Table(   # kept by include/sql/wells/publish/010_well_production.sql
    name="well_production",
    columns=(
        Column("api", "text"),
        Column("months", "integer", required=True, comment="months reported"),
        Column("producing_months", "integer", required=True, comment="months with oil or gas above zero"),
        Column("first_month", "date", required=True, comment="first month reported (its first day)"),
        Column("last_month", "date", required=True, comment="last month reported (its first day)"),
        Column("oil", "numeric"),
        Column("gas", "numeric"),
        Column("water", "numeric"),
    ),
    keys=("api",),
    derived=True,
    comment="Cumulative production per well, from wells.production",
)

OPERATORS = Table(   # kept by include/sql/wells/publish/020_operators.sql
    name="operators",
    columns=(
        Column("operator", "text"),
        Column("wells", "integer", required=True, comment="wells the operator holds in the master"),
        Column("producing_wells", "integer", required=True, comment="of which with a month of oil or gas above zero"),
        Column("first_month", "date", comment="first month any of its wells reported"),
        Column("last_month", "date", comment="last month any of its wells reported"),
        Column("oil", "numeric", comment="cumulative, barrels"),
        Column("gas", "numeric", comment="cumulative, mcf"),
        Column("water", "numeric", comment="cumulative, barrels"),
    ),
    keys=("operator",),
    derived=True,
    comment="Per operator (its wells' current operator): wells, producing wells, months, cumulative volumes",
)

TABLES = (WELLS, PRODUCTION, WELL_PRODUCTION, OPERATORS)
