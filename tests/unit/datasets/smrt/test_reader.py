"""SMRT reader: every structural edge rejects the whole file with the line and the problem."""
from pathlib import Path

import pytest

from filegate.datasets.smrt.reader import canonical_meter, read_smrt
from filegate.kit.errors import Reject
from filegate.kit.parsed import CHUNK

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "smrt"
HEADER = '"HEADR","SMRT","GAZ","20191007","134500","PN007505"'
CONSU = '"CONSU","1234567890","20191007","0100",1.5'


def write(tmp_path, *lines, name="PN007505.SMRT", raw: bytes | None = None) -> Path:
    path = tmp_path / name
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text("\n".join(lines) + "\n")
    return path


def read_all(path, **kwargs):
    parsed = read_smrt(path, **kwargs)
    return parsed, list(parsed.records)


def rejection(path, **kwargs) -> Reject:
    with pytest.raises(Reject) as info:
        read_all(path, **kwargs)
    return info.value


def test_the_specification_example_loads_with_blank_lines_spaces_and_an_11_digit_meter():
    parsed, records = read_all(FIXTURES / "PN007505.SMRT")
    assert parsed.header == {"file_type": "SMRT", "company_id": "GAZ", "created_at_utc": "2019-10-07T12:42:00+00:00",
                             "generation_number": "PN007505", "environment": "production"}
    assert [line for _, line, _ in records] == [3, 4, 6, 7]
    meters = [r["meter_number"] for _, _, r in records]
    assert meters == ["00000000001", "00000000001", "00000000002", "00000000002"]
    first = records[0][2]
    assert first["reading_start_utc"] == "2019-10-07T00:00:00+00:00"
    assert first["consumption"] == "010.000"


def test_sort_key_orders_by_creation_time_then_generation_number(tmp_path):
    a = read_smrt(write(tmp_path, '"HEADR","SMRT","GAZ","20191007","134500","PN000009"', '"TRAIL"', name="a"))
    b = read_smrt(write(tmp_path, '"HEADR","SMRT","GAZ","20191007","134500","PN000010"', '"TRAIL"', name="b"))
    c = read_smrt(write(tmp_path, '"HEADR","SMRT","GAZ","20191007","134501","PN000001"', '"TRAIL"', name="c"))
    assert a.sort_key < b.sort_key < c.sort_key


@pytest.mark.parametrize("lines, line, words", [
    ([], 1, "empty"),
    ([CONSU, '"TRAIL"'], 1, "first record must be HEADR"),
    (['"HEADR","SMRT","GAZ","20191007","134500"', '"TRAIL"'], 1, "HEADR has 5 fields, expected 6"),
    (['"HEADR","SMRX","GAZ","20191007","134500","PN007505"', '"TRAIL"'], 1, "file type is 'SMRX'"),
    (['"HEADR","SMRT","GAZ","20191007","134500","PX007505"', '"TRAIL"'], 1, "generation number 'PX007505'"),
    (['"HEADR","SMRT","GAZ","20191007","134500","PN07505"', '"TRAIL"'], 1, "generation number"),
    (['"HEADR","SMRT","GAZ","20191307","134500","PN007505"', '"TRAIL"'], 1, "creation date/time"),
    (['"HEADR","SMRT","","20191007","134500","PN007505"', '"TRAIL"'], 1, "company id is empty"),
    ([HEADER, CONSU, CONSU], 3, "no TRAIL record"),
    ([HEADER, CONSU, '"TRAIL"', CONSU], 4, "after TRAIL"),
    ([HEADER, '"TRAIL","x"'], 2, "TRAIL has 2 fields"),
    ([HEADER, '"CONSU","1234567890","20191007","0100"', '"TRAIL"'], 2, "CONSU has 4 fields, expected 5"),
    ([HEADER, '"READG","1"', '"TRAIL"'], 2, "unknown record type 'READG'"),
    ([HEADER, HEADER, '"TRAIL"'], 2, "second HEADR"),
])
def test_structural_faults_reject_the_file_with_line_and_problem(tmp_path, lines, line, words):
    error = rejection(write(tmp_path, *lines))
    assert error.line == line
    assert words in error.problem
    assert error.describe("PN007505.SMRT").startswith(f"PN007505.SMRT, line {line}: ")


def test_undecodable_bytes_name_the_line(tmp_path):
    raw = (HEADER + "\n" + CONSU + "\n").encode() + b'"CONSU","12\xff4567890","20191007","0200",1\n"TRAIL"\n'
    error = rejection(write(tmp_path, raw=raw))
    assert error.line == 3 and "not valid UTF-8" in error.problem


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path):
    raw = b"\xef\xbb\xbf" + (HEADER + "\r\n" + CONSU + "\r\n" + '"TRAIL"' + "\r\n").encode()
    _, records = read_all(write(tmp_path, raw=raw))
    assert len(records) == 1


def test_development_files_are_refused_unless_accepted(tmp_path):
    path = write(tmp_path, '"HEADR","SMRT","GAZ","20191007","134500","DV000001"', CONSU, '"TRAIL"',
                 name="DV000001.SMRT")
    assert "development file" in rejection(path).problem
    parsed, records = read_all(path, accept_dev=True)
    assert parsed.header["environment"] == "development" and len(records) == 1



def test_the_dataset_hands_its_reader_its_own_settings(tmp_path, monkeypatch):
    """`Dataset.read` hands the reader SMRT's settings, read from FILEGATE_SMRT_* at that moment."""
    from filegate.datasets.smrt import DATASET

    path = write(tmp_path, '"HEADR","SMRT","GAZ","20191007","134500","DV000001"', CONSU, '"TRAIL"',
                 name="DV000001.SMRT")
    with pytest.raises(Reject, match="development file"):
        list(DATASET.read(path).records)
    monkeypatch.setenv("FILEGATE_SMRT_ACCEPT_DEV", "true")
    assert DATASET.read(path).header["environment"] == "development"

def test_row_values_are_passed_raw_for_the_suite_to_judge(tmp_path):
    path = write(tmp_path, HEADER, '"CONSU","12345","20190230","2400",abc', '"TRAIL"')
    _, [(table, line, record)] = read_all(path)
    assert (table, line) == ("readings", 2)
    assert record["meter_number_raw"] == "12345" and record["meter_number"] == "00000012345"
    assert record["reading_start_utc"] is None          # no 30 February, no hour 24
    assert record["consumption_raw"] == "abc" and record["consumption"] is None


def test_records_stream_before_the_end_of_the_file_is_read(tmp_path):
    """Records come out as they are read, a batch at a time: a truncated file yields its first
    records before the missing trailer is noticed, so nothing holds the whole file in memory."""
    path = write(tmp_path, HEADER, *([CONSU] * (CHUNK * 2 + 1)))
    records = read_smrt(path).records
    assert next(records)[1] == 2
    with pytest.raises(Reject, match="no TRAIL"):
        list(records)


@pytest.mark.parametrize("raw, canonical", [
    ("0000000002", "00000000002"), ("00000000002", "00000000002"), ("1234567890", "01234567890"),
    ("123456789012", None), ("12a4", None), ("", None),
])
def test_canonical_meter_numbers_are_zero_padded_to_11_digits(raw, canonical):
    assert canonical_meter(raw) == canonical


def test_a_header_generation_that_disagrees_with_the_file_name_refuses_it(tmp_path):
    """Issue 9, defect 5: PN007510.SMRT holding PN007610 loaded, and its readings overwrote good ones."""
    path = write(tmp_path, '"HEADR","SMRT","GAZ","20191007","134500","PN007610"', CONSU, '"TRAIL"',
                 name="PN007510.SMRT")
    error = rejection(path)
    assert error.line == 1
    assert "named PN007510.SMRT but its HEADR holds generation number PN007610" in error.problem
    # a name that is not a generation number says nothing either way
    assert len(read_all(write(tmp_path, HEADER, CONSU, '"TRAIL"', name="delivery-7.SMRT"))[1]) == 1


def test_a_nul_byte_is_refused_with_its_line_and_column(tmp_path):
    """Issue 9, defect 1: a NUL byte in a field crashed stage, or convert when in the header."""
    assert str(rejection(write(tmp_path, HEADER, '"CONSU","12\x0034567890","20191007","0100",1.5', '"TRAIL"'))) \
        == "a NUL byte (\\x00) at column 12: a SMRT file is text"
    assert rejection(write(tmp_path, HEADER.replace("GAZ", "G\x00Z"), CONSU, '"TRAIL"')).line == 1
