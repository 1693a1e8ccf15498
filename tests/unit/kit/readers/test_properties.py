"""Hostile input, property-based: every reader, fed arbitrary bytes, truncations and mutations of
valid files, either yields records or raises the project's refusal (`Reject`) with a line number:
never another exception, never a hang. Valid files read back exactly as they were generated.
Memory under pathological shapes (one endless line, an endless value) is measured as peak RSS.

Issue 9, "the suite that keeps it so"; the readers are shared by every dataset.
"""
from __future__ import annotations

import csv
import io
import json
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from filegate.kit.errors import Reject
from filegate.kit.jsontext import Number
from filegate.kit.readers import DocumentRecords, read_records
from tests.support.memory import peak_rss_mib

SUFFIXES = (".csv", ".tsv", ".json", ".ndjson", ".jsonl")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HANG_SECONDS = 20


@contextmanager
def no_hang(seconds: int = HANG_SECONDS):
    """Fail, instead of waiting forever, when a reader loops (a pure-Python loop sees the alarm)."""
    def alarm(signum, frame):
        raise TimeoutError(f"a reader ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


SCRATCH = tempfile.TemporaryDirectory(prefix="fg-prop-")   # removed when the process ends


def written(data: bytes, suffix: str) -> Path:
    """`data` as the one file of its suffix in SCRATCH, overwritten by the next example (each is read
    whole before the next is written): thousands of examples leave no folders behind."""
    path = Path(SCRATCH.name) / f"t_1{suffix}"
    path.write_bytes(data)
    return path


def read_or_refuse(read, path: Path):
    """The records `read(path)` gives, or the Reject it raises; any other exception fails."""
    with no_hang():
        try:
            return list(read(path))
        except Reject as refusal:
            assert isinstance(refusal.line, int) and refusal.line >= 1, f"no line: {refusal!r}"
            assert refusal.problem and len(refusal.problem) <= 1_100
            return refusal


def document_records(path: Path):
    docs = DocumentRecords(path, "data.items")
    return [(line, record) for lines, records in docs for line, record in zip(lines, records)]


READERS = {"records": read_records, "document": document_records}


# --- valid files ---------------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
scalars = st.none() | st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1) | text | \
    st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=12)


@st.composite
def tables(draw) -> tuple[list[str], list[dict]]:
    columns = draw(st.lists(names, min_size=2, max_size=6, unique_by=str.lower))
    rows = draw(st.lists(st.fixed_dictionaries({c: text for c in columns}), max_size=40))
    return columns, rows


def as_csv(columns: list[str], rows: list[dict], delimiter: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")   # so a lone \r is quoted too
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    return out.getvalue().encode()


objects = st.lists(st.dictionaries(text, values, max_size=5), max_size=30)


def spelled(value):
    """`value` as the readers give it back: a float as the Number spelled in the file (issue 31)."""
    if type(value) is float:
        return Number(json.dumps(value))
    if type(value) is dict:
        return {k: spelled(v) for k, v in value.items()}
    if type(value) is list:
        return [spelled(v) for v in value]
    return value


@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t", "|"]))
@FUZZ
def test_a_generated_csv_reads_back_as_generated(table, delimiter):
    columns, rows = table
    assume(not any(all(v == "" for v in row.values()) for row in rows))   # an all-empty row is a blank line
    got = read_or_refuse(read_records, written(as_csv(columns, rows, delimiter), ".csv"))
    assert not isinstance(got, Reject), got
    assert [record for _, record in got] == rows


@given(records=objects, layout=st.sampled_from(["ndjson", "array-lines", "array-compact", "array-indented"]))
@FUZZ
def test_generated_json_reads_back_as_generated(records, layout):
    assume(records or layout != "ndjson")   # an empty file is refused, rightly
    if layout == "ndjson":
        data = "".join(json.dumps(r) + "\n" for r in records)
    elif layout == "array-lines":
        data = "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n"
    else:
        data = json.dumps(records, indent=2 if layout == "array-indented" else None)
    got = read_or_refuse(read_records, written(data.encode(), ".json"))
    assert not isinstance(got, Reject), got
    assert [record for _, record in got] == spelled(records)
    assert all(type(v) is Number for v in _floats_of([r for _, r in got]))


@given(records=objects, envelope=st.dictionaries(names, values, max_size=3))
@FUZZ
def test_a_generated_document_reads_back_as_generated(records, envelope):
    envelope.pop("data", None)
    path = written(json.dumps({**envelope, "data": {"items": records, "total": len(records)}}, indent=1).encode(),
                   ".json")
    docs = DocumentRecords(path, "data.items")
    assert [r for _, chunk in docs for r in chunk] == spelled(records)
    assert docs.envelope == spelled({**envelope, "data": {"total": len(records)}}) and docs.count == len(records)


def _floats_of(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [f for v in value for f in _floats_of(v)]
    return [value] if isinstance(value, (float, Number)) else []


# --- issue 31: what a JSON text may not hold, in every JSON reader and every layout --------------

JSON_LAYOUTS = ("ndjson", "array-lines", "array-compact", "array-indented", "document")


def laid_out(texts: list[str], layout: str) -> bytes:
    """Objects, already JSON text, in one of the layouts the readers take."""
    if layout == "ndjson":
        return "".join(t + "\n" for t in texts).encode()
    if layout == "array-lines":
        return ("[\n" + ",\n".join(texts) + "\n]\n").encode()
    if layout == "array-compact":
        return ("[" + ",".join(texts) + "]").encode()
    if layout == "array-indented":
        return ("[\n  " + ",\n  ".join(t.replace("{", "{\n    ", 1) for t in texts) + "\n]\n").encode()
    return ('{"data": {"items": [\n' + ",\n".join(texts) + '\n]}}').encode()


def read_laid_out(data: bytes, layout: str):
    return read_or_refuse(document_records if layout == "document" else read_records, written(data, ".json"))


hostile_members = st.sampled_from([
    '"k": 1, "k": 2',                     # a key given twice
    '"k": {"a": 1, "a": 1}',              # twice, nested, same value
    '"k": NaN', '"k": Infinity', '"k": -Infinity',
    '"k": 1e400', '"k": -1e999', '"k": "\\ud800"', '"k": "\\udc00x"',
    '"k": 1' + "0" * 5_000,              # an integer past MAX_DIGITS
    '"k": 1.' + "5" * 1_500,             # a number literal past MAX_NUMBER
])


@given(good=st.lists(st.dictionaries(names, scalars, min_size=1, max_size=4), min_size=0, max_size=8),
       bad=hostile_members, at=st.integers(0, 8), layout=st.sampled_from(JSON_LAYOUTS))
@FUZZ
def test_issue31_a_record_breaking_a_json_rule_is_refused_at_its_line_in_every_reader(good, bad, at, layout):
    """Duplicate keys, NaN and infinities, numbers a double cannot hold, over-long number literals
    and lone surrogates: the file is refused naming the record's line, whatever the reader."""
    texts = [json.dumps(r) for r in good]
    at = min(at, len(texts))
    texts.insert(at, '{"first": 0, ' + bad + "}")
    data = laid_out(texts, layout)
    got = read_laid_out(data, layout)
    assert isinstance(got, Reject), f"{bad} was read: {got!r}"
    text = data.decode()
    start = text.rindex("{", 0, text.index('"first": 0'))   # where the hostile record opens
    assert got.line == text.count("\n", 0, start) + 1, (got, layout)


long_numbers = st.integers(10 ** 20, 10 ** 400) | st.decimals(allow_nan=False, allow_infinity=False, places=25)


@given(numbers=st.lists(long_numbers, min_size=1, max_size=6), layout=st.sampled_from(JSON_LAYOUTS))
@FUZZ
def test_issue31_long_exact_numbers_keep_every_digit_in_every_reader(numbers, layout):
    texts = [f'{{"n": {n}}}' for n in numbers]
    got = read_laid_out(laid_out(texts, layout), layout)
    assert not isinstance(got, Reject), got
    assert [str(r["n"]) for _, r in got] == [str(n) for n in numbers]


# --- hostile files -------------------------------------------------------------------------------

@given(data=st.binary(max_size=3_000), suffix=st.sampled_from(SUFFIXES), reader=st.sampled_from(sorted(READERS)))
@FUZZ
def test_arbitrary_bytes_give_records_or_a_refusal_with_a_line(data, suffix, reader):
    read_or_refuse(READERS[reader], written(data, suffix))


@st.composite
def valid_files(draw) -> tuple[bytes, str]:
    if draw(st.booleans()):
        columns, rows = draw(tables())
        return as_csv(columns, rows, draw(st.sampled_from([",", ";", "\t", "|"]))), ".csv"
    records = draw(objects)
    if draw(st.booleans()):
        return "".join(json.dumps(r) + "\n" for r in records).encode(), ".ndjson"
    return ("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n").encode(), ".json"


@st.composite
def mutated(draw) -> tuple[bytes, str]:
    """A valid file, then cut short, with bytes inserted, deleted, overwritten or repeated."""
    data, suffix = draw(valid_files())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "insert", "delete", "overwrite", "repeat"]))
        junk = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
            [b"\x00", b"\xff", b'"', b"\n", b"\r", b"{", b"[", b"]", b",", b"\xef\xbb\xbf", b"\\u0000"]))
        end = min(len(data), at + draw(st.integers(1, 40)))
        data = {"truncate": data[:at], "insert": data[:at] + junk + data[at:], "delete": data[:at] + data[end:],
                "overwrite": data[:at] + junk + data[at + len(junk):], "repeat": data[:end] + data[at:]}[kind]
    return data, suffix


@given(file=mutated(), reader=st.sampled_from(sorted(READERS)))
@FUZZ
def test_mutated_valid_files_give_records_or_a_refusal_with_a_line(file, reader):
    read_or_refuse(READERS[reader], written(*file))


# --- gzip: every reader reads a compressed file as its content -----------------------------------

@given(data=st.binary(max_size=3_000), suffix=st.sampled_from(SUFFIXES), reader=st.sampled_from(sorted(READERS)))
@FUZZ
def test_arbitrary_bytes_behind_a_gzip_header_give_records_or_a_refusal_with_a_line(data, suffix, reader):
    read_or_refuse(READERS[reader], written(b"\x1f\x8b" + data, suffix))


@given(file=valid_files(), cut=st.floats(0, 1))
@FUZZ
def test_a_gzipped_valid_file_reads_as_the_plain_one_or_cut_short_is_refused_at_a_line(file, cut):
    import gzip

    data, suffix = file
    packed = gzip.compress(data)
    def outcome(result):
        return ("refused", result.line, result.problem) if isinstance(result, Reject) else result

    assert outcome(read_or_refuse(read_records, written(packed, suffix))) == \
        outcome(read_or_refuse(read_records, written(data, suffix)))
    read_or_refuse(read_records, written(packed[: int(len(packed) * cut)], suffix))


# --- memory under pathological shapes ------------------------------------------------------------

ENDLESS = 320 << 20   # bytes: well past every bound the readers keep (64 MiB a line or a value)


@pytest.mark.parametrize("shape, head, suffix, reader", [
    ("one endless CSV header", b"a,", ".csv", "read_records"),
    ("one endless CSV line", b"a,b\n1,", ".csv", "read_records"),
    ("one endless NDJSON line", b'{"a": 1}\n{"a": "', ".ndjson", "read_records"),
    ("one endless JSON array element", b'[\n{"a": 1},\n{"a": "', ".json", "read_records"),
    ("one endless value beside a document's records", b'{"data": {"note": "', ".json", "document"),
    ("an endless SMRT line", b'"HEADR","SMRT","GAZ","20191007","134500","PN007505"\n"CONSU","', ".SMRT", "smrt"),
])
def test_pathological_shapes_are_refused_in_bounded_memory(tmp_path, shape, head, suffix, reader):
    path = tmp_path / f"t_1{suffix}"
    with open(path, "wb") as f:
        f.write(head)
        block = b"x" * (1 << 20)
        for _ in range(ENDLESS >> 20):
            f.write(block)
    read = {"read_records": "from filegate.kit.readers import read_records as read\n",
            "document": "from filegate.kit.readers import DocumentRecords\n"
                        "read = lambda p: (r for _, c in DocumentRecords(p, 'data.items') for r in c)\n",
            "smrt": "from filegate.datasets.smrt.reader import read_smrt\nread = lambda p: read_smrt(p).records\n"}[reader]
    code = (read + "from filegate.kit.errors import Reject\n"
            f"try:\n    list(read(__import__('pathlib').Path({str(path)!r})))\n"
            "    raise SystemExit('not refused')\n"
            "except Reject as e:\n    assert e.line, e\n")
    peak = peak_rss_mib(code)
    assert peak < 300, f"{shape}: peak RSS {peak:.0f} MiB reading a {ENDLESS >> 20} MiB file"
