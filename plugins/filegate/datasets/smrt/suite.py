"""The Great Expectations suite that gates SMRT readings (imported inside tasks only)."""
from __future__ import annotations


def readings_suite():
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name="smrt_readings")
    for expectation in (
        # a reading must be for a real date and a whole hour 00-23
        gxe.ExpectColumnValuesToMatchRegex(column="reading_date", regex=r"^[0-9]{8}$"),
        gxe.ExpectColumnValuesToMatchRegex(column="reading_time", regex=r"^([01][0-9]|2[0-3])00$"),
        gxe.ExpectColumnValuesToNotBeNull(column="reading_start_utc"),
        # numeric and non-negative consumption
        gxe.ExpectColumnValuesToNotBeNull(column="consumption"),
        gxe.ExpectColumnValuesToBeBetween(column="consumption", min_value=0),
        # meter numbers are 10 or 11 digits as received (canonical form: 11, zero-padded)
        gxe.ExpectColumnValuesToMatchRegex(column="meter_number_raw", regex=r"^[0-9]{10,11}$"),
        gxe.ExpectColumnValuesToNotBeNull(column="meter_number"),
        # one reading per meter and hour inside one file
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_file_id", "meter_number", "reading_start_utc"]),
    ):
        suite.add_expectation(expectation)
    return suite
