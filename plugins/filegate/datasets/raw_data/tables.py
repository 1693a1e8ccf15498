"""The Chinook-style music-store tables, declared once.

Everything about a table is derived from this declaration: the ORM model (and so the migration),
the staging columns, the upsert, the Great Expectations suite, how source columns are matched.

Source column names map to warehouse names by snake_case: `TrackId` -> `track_id`,
`MediaTypeId` -> `media_type_id`. A source column matches whatever its spelling of case and
separators (`TrackId`, `track_id`, `TRACKID`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

PG_TYPES = {"integer": "bigint", "numeric": "numeric", "text": "text", "timestamp": "timestamp"}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def match_key(name: str) -> str:
    """How source names are compared: case and separators do not matter."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Column:
    source: str
    type: str

    @cached_property   # read for every value of every row: compute the regex once
    def name(self) -> str:
        return snake(self.source)


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)    # column -> (table, column)
    minimum: dict[str, float] = field(default_factory=dict)           # column -> smallest allowed value
    greater_than_zero: tuple[str, ...] = ()

    @cached_property
    def by_match_key(self) -> dict[str, Column]:
        return {match_key(c.source): c for c in self.columns}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _cols(*pairs: str) -> tuple[Column, ...]:
    return tuple(Column(*p.split(":")) for p in pairs)


_ADDRESS = ("Address:text", "City:text", "State:text", "Country:text", "PostalCode:text", "Phone:text",
            "Fax:text", "Email:text")

TABLES: dict[str, TableSpec] = {t.name: t for t in (
    TableSpec("artists", _cols("ArtistId:integer", "Name:text"), ("artist_id",)),
    TableSpec("genres", _cols("GenreId:integer", "Name:text"), ("genre_id",)),
    TableSpec("media_types", _cols("MediaTypeId:integer", "Name:text"), ("media_type_id",)),
    TableSpec("albums", _cols("AlbumId:integer", "Title:text", "ArtistId:integer"), ("album_id",),
              refs={"artist_id": ("artists", "artist_id")}),
    TableSpec("tracks", _cols("TrackId:integer", "Name:text", "AlbumId:integer", "MediaTypeId:integer",
                              "GenreId:integer", "Composer:text", "Milliseconds:integer", "Bytes:integer",
                              "UnitPrice:numeric"), ("track_id",),
              refs={"album_id": ("albums", "album_id"), "genre_id": ("genres", "genre_id"),
                    "media_type_id": ("media_types", "media_type_id")},
              minimum={"bytes": 0, "unit_price": 0}, greater_than_zero=("milliseconds",)),
    TableSpec("playlists", _cols("PlaylistId:integer", "Name:text"), ("playlist_id",)),
    TableSpec("playlist_track", _cols("PlaylistId:integer", "TrackId:integer"), ("playlist_id", "track_id"),
              refs={"playlist_id": ("playlists", "playlist_id"), "track_id": ("tracks", "track_id")}),
    TableSpec("employees", _cols("EmployeeId:integer", "LastName:text", "FirstName:text", "Title:text",
                                 "ReportsTo:integer", "BirthDate:timestamp", "HireDate:timestamp", *_ADDRESS),
              ("employee_id",), refs={"reports_to": ("employees", "employee_id")}),
    TableSpec("customers", _cols("CustomerId:integer", "FirstName:text", "LastName:text", "Company:text",
                                 *_ADDRESS, "SupportRepId:integer"), ("customer_id",),
              refs={"support_rep_id": ("employees", "employee_id")}),
    TableSpec("invoices", _cols("InvoiceId:integer", "CustomerId:integer", "InvoiceDate:timestamp",
                                "BillingAddress:text", "BillingCity:text", "BillingState:text",
                                "BillingCountry:text", "BillingPostalCode:text", "Total:numeric"),
              ("invoice_id",), refs={"customer_id": ("customers", "customer_id")}, minimum={"total": 0}),
    TableSpec("invoice_items", _cols("InvoiceLineId:integer", "InvoiceId:integer", "TrackId:integer",
                                     "UnitPrice:numeric", "Quantity:integer"), ("invoice_line_id",),
              refs={"invoice_id": ("invoices", "invoice_id"), "track_id": ("tracks", "track_id")},
              minimum={"unit_price": 0}, greater_than_zero=("quantity",)),
)}

UNDECLARED = "undeclared_records"   # rows of subfolders with no declared schema, kept as JSONB
