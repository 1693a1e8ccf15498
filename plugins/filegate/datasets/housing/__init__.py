"""
### housing: property-sales API responses

Loads the responses of a property-sales API (ATTOM style: at most 10,000 records a call, so a pull
is hundreds of files, and more arrive later), dropped as `landing/housing/*.json`, into
`housing.sales`: one row per sale, (attom_id, sale_date), flattened from the nested records.

wait → claim → convert (groups of `FILEGATE_HOUSING_FILES_PER_TASK` files per mapped task, default
25) → stage → audit (Great Expectations: key present and unique, amounts and sizes not negative) →
publish (upsert: a sale delivered again is stored once, the delivery latest in file order wins) →
archive. A response whose `status.total` disagrees with the records it holds, that is not a
response, or that holds a record without attom_id or sale date is quarantined whole; an empty
result loads as zero rows. The DAG runs continuously by default (`FILEGATE_HOUSING_SCHEDULE`,
`@continuous`): a dropped file is loaded within about a poke interval. Reports
(`reports/housing/<report>/<YYYY-MM-DD>.csv`): sales_by_type, sales_by_postal_month, summary.
See docs/datasets/housing.md.
"""
from __future__ import annotations

from filegate.datasets.housing.tables import SALES
from filegate.kit.declaration import Dataset

DATASET = Dataset(
    name="housing",
    description="Property-sales API responses (nested JSON) flattened into one row per sale",
    pattern="*.json",
    reader="filegate.datasets.housing.reader:read_housing",
    tables=(SALES,),
    summary_reports=("summary", "sales_by_type"),
    sample="filegate.datasets.housing.sample:write_for_first_run",
    tags=("housing", "api"),
    schedule="@continuous",
    files_per_task=25,
)
