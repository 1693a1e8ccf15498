"""The Chinook-style music-store tables, declared once with filegate's table kit.

Everything about a table derives from this declaration (filegate.kit.tables): the ORM model (and so
the migration), the staging columns, the typing, the upsert, the Great Expectations checks. Source
column names map to warehouse names by snake_case (`TrackId` -> `track_id`, `MediaTypeId` ->
`media_type_id`) and match whatever their spelling of case and separators (`TrackId`, `track_id`,
`TRACKID`). No foreign keys between the tables: the audit checks references (against loaded rows
and the same batch), so a late-arriving parent never blocks a load.
"""
from __future__ import annotations

from typing import Any

from filegate.kit.tables import Column, Table


def _cols(*pairs: str) -> tuple[Column, ...]:
    return tuple(Column(source, type_) for source, type_ in (p.split(":") for p in pairs))


def _table(name: str, columns: tuple[Column, ...], keys: tuple[str, ...], **checks: Any) -> Table:
    # two parts of one export carrying a key is a broken export: both files are refused
    return Table(name, columns, keys, unique_across_files=True, **checks)


_ADDRESS = ("Address:text", "City:text", "State:text", "Country:text", "PostalCode:text", "Phone:text",
            "Fax:text", "Email:text")

TABLES: dict[str, Table] = {t.name: t for t in (
    _table("artists", _cols("ArtistId:bigint", "Name:text"), ("artist_id",)),
    _table("genres", _cols("GenreId:bigint", "Name:text"), ("genre_id",)),
    _table("media_types", _cols("MediaTypeId:bigint", "Name:text"), ("media_type_id",)),
    _table("albums", _cols("AlbumId:bigint", "Title:text", "ArtistId:bigint"), ("album_id",),
           references={"artist_id": ("artists", "artist_id")}),
    _table("tracks", _cols("TrackId:bigint", "Name:text", "AlbumId:bigint", "MediaTypeId:bigint",
                           "GenreId:bigint", "Composer:text", "Milliseconds:bigint", "Bytes:bigint",
                           "UnitPrice:numeric"), ("track_id",),
           references={"album_id": ("albums", "album_id"), "genre_id": ("genres", "genre_id"),
                       "media_type_id": ("media_types", "media_type_id")},
           minimum={"bytes": 0, "unit_price": 0}, greater_than_zero=("milliseconds",)),
    _table("playlists", _cols("PlaylistId:bigint", "Name:text"), ("playlist_id",)),
    _table("playlist_track", _cols("PlaylistId:bigint", "TrackId:bigint"), ("playlist_id", "track_id"),
           references={"playlist_id": ("playlists", "playlist_id"), "track_id": ("tracks", "track_id")}),
    _table("employees", _cols("EmployeeId:bigint", "LastName:text", "FirstName:text", "Title:text",
                              "ReportsTo:bigint", "BirthDate:timestamp", "HireDate:timestamp", *_ADDRESS),
           ("employee_id",), references={"reports_to": ("employees", "employee_id")}),
    _table("customers", _cols("CustomerId:bigint", "FirstName:text", "LastName:text", "Company:text",
                              *_ADDRESS, "SupportRepId:bigint"), ("customer_id",),
           references={"support_rep_id": ("employees", "employee_id")}),
    _table("invoices", _cols("InvoiceId:bigint", "CustomerId:bigint", "InvoiceDate:timestamp",
                             "BillingAddress:text", "BillingCity:text", "BillingState:text",
                             "BillingCountry:text", "BillingPostalCode:text", "Total:numeric"),
           ("invoice_id",), references={"customer_id": ("customers", "customer_id")}, minimum={"total": 0}),
    _table("invoice_items", _cols("InvoiceLineId:bigint", "InvoiceId:bigint", "TrackId:bigint",
                                  "UnitPrice:numeric", "Quantity:bigint"), ("invoice_line_id",),
           references={"invoice_id": ("invoices", "invoice_id"), "track_id": ("tracks", "track_id")},
           minimum={"unit_price": 0}, greater_than_zero=("quantity",)),
)}

UNDECLARED = Table(   # rows of subfolders with no declared schema, kept as documents: nothing is lost
    "undeclared_records",
    (Column("source_table", "text", required=True, comment="the landing subfolder"),
     Column("doc", "jsonb", required=True)),
    surrogate_key="record_id",
    comment="Records of landing subfolders with no declared schema",
)
