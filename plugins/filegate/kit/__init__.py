"""The dataset kit: everything a dataset package uses, and all it may import from filegate.

A dataset is declared (`declaration`: `Dataset`, `ParsedFile`) over tables (`tables`: `Table`,
`Column`) whose values have types (`column_types`) that raw text is coerced into (`coerce`);
fields a table does not declare may be kept in a catch-all column (`attributes`).
Its files are read by the `readers` (CSV/TSV, NDJSON, JSON arrays and documents, gzip), with the
strict JSON rules of `jsontext`; a file that cannot be read raises `errors.Reject` with its line.
`delivery` writes a dataset's sample files as a sender would.
"""
