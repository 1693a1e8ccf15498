"""The kit's line checks, one wording for every reader that takes raw lines (smrt, events, NDJSON)."""
import pytest

from filegate.kit.errors import Reject
from filegate.kit.readers.lines import refuse_nul, text_line


def test_a_line_that_is_not_utf8_is_refused_at_its_line_naming_the_column_and_the_bytes():
    assert text_line(3, "café".encode()) == "café"
    with pytest.raises(Reject) as info:
        text_line(3, b"ab\xffcd")
    assert info.value.line == 3
    assert info.value.problem == "bytes are not valid UTF-8 at column 3 (invalid start byte: b'\\xffcd')"


def test_a_nul_byte_is_refused_at_its_column_saying_what_the_file_should_be():
    refuse_nul(1, b"no nul here", "a SMRT file")
    with pytest.raises(Reject) as info:
        refuse_nul(7, b"abc\x00", "a SMRT file")
    assert (info.value.line, info.value.problem) == (7, "a NUL byte (\\x00) at column 4: a SMRT file is text")
