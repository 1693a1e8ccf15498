"""The ingest steps, in the order a file meets them: `landing` finds complete files, `registry`
records them (the ledger: never the same file twice), `pipeline` claims them for a run and runs
the steps; `convert` reads a file into NDJSON gzip, `stage` loads it into a staging table, `audit`
gates it with a Great Expectations suite, `publish` moves it into the dataset's tables (`upsert`),
and `moves` files the raw bytes into archive or quarantine; `contracts` are what the steps hand
each other. `faults` are the injection points the crash tests use."""
