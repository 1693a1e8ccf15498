"""Reports are the SQL files of a dataset's folder, read as the daily CSV and the UI run them."""
import pytest

from filegate import datasets
from filegate.outputs.reports import report_query


def test_each_report_is_its_sql_files_one_select_without_the_semicolon():
    smrt = datasets.get("smrt")
    assert smrt.reports   # the declared dataset's reports are its reports/*.sql
    for name in smrt.reports:
        query = report_query("smrt", name)
        source = (smrt.sql_folder / "reports" / f"{name}.sql").read_text()
        assert query == source.strip().rstrip(";") and not query.endswith(";")


def test_a_report_without_its_sql_file_names_the_file():
    with pytest.raises(FileNotFoundError, match=r"report 'nope' of smrt has no SQL file .*reports/nope\.sql"):
        report_query("smrt", "nope")
