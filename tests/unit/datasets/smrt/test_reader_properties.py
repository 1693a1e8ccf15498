"""The SMRT reader under hostile input, property-based (issue 9): arbitrary bytes and mutations of
valid files give readings or a refusal with a line, never another exception; a generated valid
file reads back exactly as generated."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filegate.datasets.smrt.reader import read_smrt
from filegate.kit.errors import Reject

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = '"HEADR","SMRT","GAZ","20191007","134500","PN007505"\n'

readings = st.lists(st.tuples(
    st.from_regex(r"[0-9]{1,11}", fullmatch=True),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.integers(0, 23).map(lambda h: f"{h:02d}00"),
    st.decimals(min_value=0, max_value=10 ** 6, places=3, allow_nan=False, allow_infinity=False).map(str),
), max_size=50)


def smrt(rows) -> bytes:
    return (HEADER + "".join(f'"CONSU","{m}","{d}","{t}",{c}\n' for m, d, t, c in rows) + '"TRAIL"\n').encode()


SCRATCH = tempfile.TemporaryDirectory(prefix="fg-prop-")   # removed when the process ends


def read(data: bytes):
    path = Path(SCRATCH.name) / "PN007505.SMRT"   # overwritten by each example: none are left behind
    path.write_bytes(data)
    try:
        return list(read_smrt(path).records)
    except Reject as refusal:
        assert isinstance(refusal.line, int) and refusal.line >= 1, repr(refusal)
        return refusal


@given(rows=readings)
@FUZZ
def test_a_generated_file_reads_back_as_generated(rows):
    got = read(smrt(rows))
    assert not isinstance(got, Reject), got
    assert [(r["meter_number_raw"], r["reading_date"], r["reading_time"], r["consumption_raw"]) for _, _, r in got] \
        == rows
    assert [line for _, line, _ in got] == list(range(2, 2 + len(rows)))


@given(data=st.binary(max_size=2_000))
@FUZZ
def test_arbitrary_bytes_give_readings_or_a_refusal_with_a_line(data):
    read(data)


@given(rows=readings, cuts=st.lists(st.tuples(st.integers(0, 5_000), st.binary(max_size=6)), min_size=1, max_size=3),
       truncate=st.booleans())
@FUZZ
def test_mutated_files_give_readings_or_a_refusal_with_a_line(rows, cuts, truncate):
    data = smrt(rows)
    for at, junk in cuts:
        at = min(at, len(data))
        data = data[:at] if truncate else data[:at] + junk + data[at + len(junk):]
    read(data)
