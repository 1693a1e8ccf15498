"""housing.sales: one row per sale, flattened from the API's nested property records.

Every column is a source path into a record of the response's `property` array (docs/datasets/
housing.md lists each mapping). A missing object or a null leaf is a null. A sale is
(attom_id, sale_date): delivered again, in another file or the same one, it is stored once, and
the delivery latest in file order wins.
"""
from __future__ import annotations

from filegate.kit.tables import Column, Table

SALES = Table(
    name="sales",
    columns=(
        Column("identifier.attomId", "bigint", name="attom_id", required=True, comment="ATTOM property id"),
        Column("sale.saleTransDate", "date", name="sale_date", required=True, comment="sale.saleTransDate"),
        Column("sale.amount.saleamt", "numeric", name="sale_amount", comment="sale.amount.saleamt"),
        Column("sale.amount.salerecdate", "date", name="sale_recorded_date", comment="sale.amount.salerecdate"),
        Column("sale.amount.saletranstype", "text", name="sale_transaction_type",
               comment="sale.amount.saletranstype"),
        Column("sale.calculation.pricepersizeunit", "numeric", name="price_per_sqft",
               comment="sale.calculation.pricepersizeunit"),
        Column("address.postal1", "text", name="postal_code", comment="address.postal1"),
        Column("address.locality", "text", name="locality", comment="address.locality"),
        Column("location.latitude", "numeric", name="latitude", comment="location.latitude (a string in the API)"),
        Column("location.longitude", "numeric", name="longitude", comment="location.longitude (a string in the API)"),
        Column("summary.proptype", "text", name="property_type", comment="summary.proptype"),
        Column("summary.propsubtype", "text", name="property_subtype", comment="summary.propsubtype"),
        Column("summary.propclass", "text", name="property_class", comment="summary.propclass"),
        Column("summary.yearbuilt", "integer", name="year_built", comment="summary.yearbuilt"),
        Column("lot.lotSize1", "numeric", name="lot_size_acres", comment="lot.lotSize1 (acres)"),
        Column("building.size.universalsize", "numeric", name="building_size_sqft",
               comment="building.size.universalsize (square feet)"),
        Column("building.rooms.beds", "integer", name="beds", comment="building.rooms.beds"),
        Column("building.rooms.bathstotal", "numeric", name="baths", comment="building.rooms.bathstotal"),
    ),
    keys=("attom_id", "sale_date"),
    repeats_in_file=True,   # a response may carry a sale twice: stored once, the later line wins
    minimum={"sale_amount": 0, "price_per_sqft": 0, "lot_size_acres": 0, "building_size_sqft": 0, "beds": 0,
             "baths": 0},
    extra="ignore",   # the API sends far more than analysts use
    comment="Property sales, one per (attom_id, sale_date), flattened from the sales API's responses",
)
