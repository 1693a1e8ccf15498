"""Format detection and parsing edge cases of the generic streaming readers."""
import json

import pytest

from filegate.kit import readers
from filegate.kit.errors import Reject
from filegate.kit.readers import detect_format, limits, read_records, sniff_delimiter
from tests.support.memory import peak_rss_mib


def write(tmp_path, name, text, bom=False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def records(path):
    return list(read_records(path))


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_detected_from_the_header(tmp_path, delimiter):
    text = delimiter.join(["Id", "Name", "Price"]) + "\n" + delimiter.join(["1", "x", "0.99"]) + "\n"
    assert records(write(tmp_path, "t_1.csv", text)) == [(2, {"Id": "1", "Name": "x", "Price": "0.99"})]


def test_delimiters_inside_quotes_do_not_count():
    assert sniff_delimiter('"a;b;c";"d,e";f\n') == ";"


def test_an_ambiguous_header_is_refused_not_guessed(tmp_path):
    with pytest.raises(Reject, match="cannot tell the delimiter"):
        records(write(tmp_path, "t_1.csv", "a,b;c\n1,2;3\n"))


def test_quoted_fields_keep_delimiters_quotes_newlines_and_non_ascii(tmp_path):
    text = 'Id,Name\n1,"Earth, Wind & Fire"\n2,"The ""Quoted"" Band"\n3,"Line\nBreak"\n4,Сплин 坂本\n'
    got = records(write(tmp_path, "t_1.csv", text, bom=True))
    assert [r["Name"] for _, r in got] == ["Earth, Wind & Fire", 'The "Quoted" Band', "Line\nBreak", "Сплин 坂本"]
    assert [line for line, _ in got] == [2, 3, 4, 6]   # the record after the embedded newline starts on line 6
    assert "Id" in got[0][1]                            # the BOM is not part of the first column name


def test_a_row_with_the_wrong_number_of_fields_names_its_line(tmp_path):
    with pytest.raises(Reject) as info:
        records(write(tmp_path, "t_1.csv", "a,b\n1,2\n3,4,5\n"))
    assert info.value.line == 3 and "3 fields, the header has 2" in info.value.problem


def test_a_file_of_whitespace_only_is_refused(tmp_path):
    with pytest.raises(Reject, match="no records: only whitespace"):
        records(write(tmp_path, "t_1.csv", "  \n"))


def test_ndjson_and_json_arrays_are_told_apart_by_content(tmp_path):
    assert detect_format(write(tmp_path, "a.json", '{"a": 1}\n{"a": 2}\n')) == "ndjson"
    assert detect_format(write(tmp_path, "b.json", '\n [ {"a": 1} ]')) == "json-array"
    assert detect_format(write(tmp_path, "c.txt", "a|b\n1|2\n")) == "csv"


def test_json_that_is_neither_lines_nor_an_array_is_refused(tmp_path):
    with pytest.raises(Reject, match="neither one object per line nor an array"):
        records(write(tmp_path, "t_1.json", '{\n  "a": 1\n}\n'))
    with pytest.raises(Reject, match="must hold JSON objects or an array"):
        records(write(tmp_path, "t_2.json", "a,b\n1,2\n"))


def test_a_bad_ndjson_line_is_named(tmp_path):
    with pytest.raises(Reject) as info:
        records(write(tmp_path, "t_1.json", '{"a": 1}\n\n{"a": \n'))
    assert info.value.line == 3


def test_json_arrays_stream_element_by_element_across_buffer_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CHUNK", 7)   # every element straddles reads
    text = '[\n {"id": 1, "name": "a, \\"b\\""},\n {"id": 2, "name": "Сплин"}\n,{"id": 3, "name": null}]\n'
    got = records(write(tmp_path, "t_1.json", text))
    assert got == [(2, {"id": 1, "name": 'a, "b"'}), (3, {"id": 2, "name": "Сплин"}), (4, {"id": 3, "name": None})]


@pytest.mark.parametrize("text, words", [
    ('[{"a": 1}, {"a": 2}', "not closed"),
    ('[{"a": 1} {"a": 2}]', "expected ','"),
    ('[{"a": 1}, 2]', "must be objects"),
    ('[{"a": 1}] trailing', "after the end"),
    ('[{"a": tru}]', "malformed JSON"),
])
def test_broken_json_arrays_are_refused(tmp_path, text, words):
    with pytest.raises(Reject, match=words):
        records(write(tmp_path, "t_1.json", text))


def test_readers_are_lazy(tmp_path):
    """A generator per file: the first records come before the fault near the end is read (one
    run of limits.CHUNK records at a time)."""
    path = write(tmp_path, "t_1.csv", "a,b\n" + "1,2\n" * (limits.CHUNK * 2) + "1,2,3\n")
    rows = read_records(path)
    assert next(rows) == (2, {"a": "1", "b": "2"})
    with pytest.raises(Reject):
        list(rows)


def peak_reading(path) -> float:
    return peak_rss_mib(f"from filegate.kit.readers import read_records\nfor _ in read_records(__import__('pathlib').Path({str(path)!r})): pass\n")


@pytest.mark.parametrize("fmt", ["json-array", "ndjson", "csv"])
def test_reading_memory_does_not_grow_with_file_size(tmp_path, fmt):

    def make(name, n):
        name = name if fmt != "csv" else name.replace(".json", ".csv")
        rows = [f'{{"id": {i}, "name": "row {i}, with a comma", "value": {i * 0.5}}}' for i in range(n)]
        if fmt == "json-array":
            text = "[\n" + ",\n".join(rows) + "\n]\n"
        elif fmt == "ndjson":
            text = "\n".join(rows) + "\n"
        else:
            text = "id,name,value\n" + "".join(f'{i},"row {i}, with a comma",{i * 0.5}\n' for i in range(n))
        return write(tmp_path, name, text)

    small, large = peak_reading(make("s.json", 50_000)), peak_reading(make("l.json", 400_000))   # 8x, 30 MB
    assert large < small + 8, (small, large)


# Runs of records: whatever the run length, the records and their lines are those of reading the
# file one row at a time (`one_at_a_time`, written independently here).
def one_at_a_time(path):
    import csv

    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        header = next(reader)
        line = 1
        for row in reader:
            start, line = line + 1, reader.line_num
            if row and row != [""]:
                out.append((start, dict(zip(header, row))))
    return out


AWKWARD_CSV = 'Id,Name\r\n' + '1,"multi\nline\nname"\r\n\r\n2,plain\r\n3,"a, b"\r\n\r\n\r\n4,"x\n""y"""\r\n5,z\r\n' * 3


@pytest.mark.parametrize("batch", [1, 2, 3, 4, 7, 5000])
def test_csv_runs_give_the_records_and_lines_of_reading_one_row_at_a_time(tmp_path, monkeypatch, batch):
    monkeypatch.setattr(limits, "CHUNK", batch)
    path = write(tmp_path, "t_1.csv", AWKWARD_CSV, bom=True)
    assert records(path) == one_at_a_time(path)
    assert len(records(path)) == 15


@pytest.mark.parametrize("batch", [1, 3, 5000])
@pytest.mark.parametrize("tail, line, words", [
    ("9,too,many\n", 13, "3 fields, the header has 2"),
    ('9,"unclosed\n', 13, "malformed CSV"),
    ('9,"a"b\n', 13, "malformed CSV"),
])
def test_csv_faults_after_the_first_run_name_their_line(tmp_path, monkeypatch, batch, tail, line, words):
    monkeypatch.setattr(limits, "CHUNK", batch)
    text = "Id,Name\n" + "".join(f"{i},n{i}\n" for i in range(1, 9)) + '1,"two\nlines"\n\n' + tail
    with pytest.raises(Reject) as info:
        records(write(tmp_path, "t_1.csv", text))
    assert (info.value.line, words in info.value.problem) == (line, True)


def test_bytes_that_are_not_utf8_are_named_by_their_line(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CHUNK", 2)
    path = tmp_path / "t_1.csv"
    path.write_bytes(b"Id,Name\n" + b"".join(b"%d,n\n" % i for i in range(1, 7)) + b"7,caf\xe9\n8,n\n")
    with pytest.raises(Reject) as info:
        records(path)
    assert info.value.line == 8 and "not valid UTF-8" in info.value.problem


def test_issue31_a_bad_byte_in_an_endless_line_is_named_in_flat_memory(tmp_path):
    """The line of a bad byte used to be found by reading the file line by line, whole lines: one
    200 MB line with a bad byte was read whole to say "line 2"."""
    path = tmp_path / "t_1.csv"
    with open(path, "wb") as f:
        f.write(b"Id,Name\n1,\xe9")
        for _ in range(200):
            f.write(b"x" * 1_000_000)
    with pytest.raises(Reject) as info:
        records(path)
    assert info.value.line == 2 and "not valid UTF-8" in info.value.problem
    code = ("from pathlib import Path\nfrom filegate.kit.readers import not_utf8\n"
            f"print(not_utf8(Path({str(path)!r}), UnicodeDecodeError('utf-8', b'', 0, 1, 'x')))")
    assert peak_rss_mib(code) < 100


@pytest.mark.parametrize("batch", [1, 2, 5000])
def test_ndjson_runs_skip_blank_lines_and_keep_line_numbers(tmp_path, monkeypatch, batch):
    monkeypatch.setattr(limits, "CHUNK", batch)
    path = write(tmp_path, "t_1.json", '{"a": 1}\n\n{"a": 2}\n  \n{"a": 3}\n', bom=True)
    assert records(path) == [(1, {"a": 1}), (3, {"a": 2}), (5, {"a": 3})]
    bad = write(tmp_path, "t_2.json", '{"a": 1}\n{"a": 2}\n{"a": 3}\n[1]\n')
    with pytest.raises(Reject, match="expected a JSON object") as info:
        records(bad)
    assert info.value.line == 4


@pytest.mark.parametrize("name, body, line", [
    ("t_1.json", b'[\n{"a": 1},\n{"a": "caf\xe9"}\n]\n', 3),
    ("t_2.json", b'{"a": 1}\n{"a": "caf\xe9"}\n', 2),
])
def test_json_that_is_not_utf8_is_refused_with_its_line(tmp_path, name, body, line):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(Reject) as info:
        records(path)
    assert info.value.line == line and "UTF-8" in info.value.problem


ARRAY_LAYOUTS = {
    "one per line": '[\n  {"a": 1},\n  {"a": 2, "b": "x, y"},\n  {"a": 3}\n]\n',
    "crlf and blank lines": '[\r\n{"a": 1},\r\n\r\n{"a": 2},\r\n{"a": 3}\r\n]\r\n\r\n',
    "an element over several lines": '[\n{"a": 1},\n{"a":\n 2},\n{"a": 3},\n{"a": 4}]',
    "two on a line": '[\n{"a": 1},\n{"a": 2}, {"a": 3},\n{"a": 4}\n]',
    "brace inside a string": '[\n{"a": "},"},\n{"a": "x}"},\n{"a": 3}\n]',
    "not the layout": '[{"a": 1},\n{"a": 2},\n{"a": 3}]',
    "long lines": '[\n' + ",\n".join('{"a": %d, "pad": "%s"}' % (i, "z" * 40) for i in range(9)) + "\n]",
}


@pytest.mark.parametrize("batch", [1, 2, 5000])
@pytest.mark.parametrize("layout", sorted(ARRAY_LAYOUTS))
def test_json_array_runs_equal_the_general_reader_whatever_the_layout(tmp_path, monkeypatch, layout, batch):
    monkeypatch.setattr(limits, "CHUNK", batch)
    monkeypatch.setattr(limits, "LINE_LIMIT", 48)   # "long lines" has lines longer than this
    path = write(tmp_path, "t_1.json", ARRAY_LAYOUTS[layout], bom=True)
    assert records(path) == list(readers.read_json_array(path))
    assert len(records(path)) >= 3


FLAT = [{"api": f"05-123-{i:05d}", "year": 2019, "month": i % 12 + 1, "oil": i * 1.5, "note": None} for i in range(40)]
BLOCK_LAYOUTS = {
    "one line": json.dumps(FLAT),
    "pretty-printed": json.dumps(FLAT, indent=2),
    "pretty-printed, crlf, tabs": json.dumps(FLAT, indent="\t").replace("\n", "\r\n") + "\r\n",
    "compact": json.dumps(FLAT, separators=(",", ":")),
    "braces and brackets in strings": json.dumps([{"a": "}, {", "b": "]"}, {"a": "{\"x\": 1}"}, {"a": "\\"}] * 9),
    "nested elements": json.dumps([{"a": 1, "b": {"c": [1, {"d": 2}]}}] * 9, indent=1),
    "lists in elements": json.dumps([{"a": [1, "}"], "b": []}, {"a": [[2]], "b": None}] * 9, indent=2),
    "nested after flat": json.dumps(FLAT[:20] + [{"a": {"b": 1}}] + FLAT[20:]),
    "empty": "[ ]",
    "white space after": json.dumps(FLAT) + "\n\n   \n",
    "line 3 start": "\n\n" + json.dumps(FLAT[:5], indent=2),
}


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
@pytest.mark.parametrize("layout", sorted(BLOCK_LAYOUTS))
def test_json_array_blocks_equal_the_general_reader_wherever_a_block_ends(tmp_path, monkeypatch, layout, block):
    monkeypatch.setattr(limits, "CHUNK_BYTES", block)   # blocks cut inside strings, numbers, elements
    monkeypatch.setattr(limits, "CHUNK", 7)
    path = write(tmp_path, "t_1.json", BLOCK_LAYOUTS[layout], bom=layout == "compact")
    assert records(path) == list(readers.read_json_array(path))


@pytest.mark.parametrize("block", [8, 1 << 20])
@pytest.mark.parametrize("text, words", [
    ('[{"a": 1}, {"a": 2},]', "a comma before the ']'"),
    ('[\n  {"a": 1},\n  {"a": 2},\n\n]', "a comma before the ']'"),
    ('[{"a": 1}, {"a": 2}] [{"a": 3}]', "data after the end"),
    ('[{"a": 1}, {"a": 2}]\n\n{', "data after the end"),
    ('[{"a": 1} {"a": 2}]', "expected ',' or ']'"),
    ('[{"a": 1}, {"a": 2}, 3]', "must be objects"),
    ('[\n  {"a": 1},\n  {"a": 2},\n  {"a": \n', "malformed JSON"),
    ('[,{"a": 1}]', "malformed JSON"),
    ('[{"a": 1}, {"a": 2}', "not closed"),
])
def test_json_array_faults_after_fast_blocks_are_named_as_the_general_reader_names_them(
        tmp_path, monkeypatch, text, words, block):
    path = write(tmp_path, "t_1.json", text)
    with pytest.raises(Reject, match=words) as reference:
        list(readers.read_json_array(path))
    monkeypatch.setattr(limits, "CHUNK_BYTES", block)
    with pytest.raises(Reject) as fast:
        records(path)
    assert (fast.value.line, fast.value.problem) == (reference.value.line, reference.value.problem)


@pytest.mark.parametrize("text, line, words", [
    ('[\n{"a": 1},\n{"a": 2},\n{"a": 3}\n{"a": 4}\n]', 5, "expected ',' or ']'"),
    ('[\n{"a": 1},\n{"a": 2},\n[3],\n{"a": 4}\n]', 4, "must be objects"),
    ('[\n{"a": 1},\n{"a": 2},\n{"a": 3},\n', 5, "not closed"),
    ('[\n{"a": 1},\n{"a": 2},\n{"a": 3}\n]\n{"b": 1}', 5, "data after the end"),
])
def test_json_array_faults_after_fast_runs_name_their_line(tmp_path, monkeypatch, text, line, words):
    monkeypatch.setattr(limits, "CHUNK", 2)
    with pytest.raises(Reject, match=words) as info:
        records(write(tmp_path, "t_1.json", text))
    assert info.value.line == line


def test_reasons_are_bounded_a_5_mb_value_is_quoted_cut(tmp_path):
    """Issue 9, defect 7: a 5 MB line was copied whole into the reason (registry, .reason.json,
    terminal). Any input is quoted in at most ~200 characters, marked as cut."""
    from filegate.datasets.smrt.reader import read_smrt
    from filegate.kit.coerce import typed_csv
    from filegate.kit.tables import Column, Table

    huge = "9" * 5_000_000 + "x"
    path = write(tmp_path, "t_1.csv", f"Id\n{huge}\n")
    with pytest.raises(Reject) as info:
        list(typed_csv(Table("t", (Column("Id", "bigint"),)), readers.read_csv_chunks(path)))
    assert info.value.line == 2 and len(info.value.problem) < 400
    assert info.value.problem.startswith("column Id: '9999") and "(cut: 5,000,003 characters)" in info.value.problem
    smrt = write(tmp_path, "PN000001.SMRT", '"HEADR","SMRT","GAZ","20260101","000000","PN000001"\n' + "Z" * 5_000_000 + "\n")
    with pytest.raises(Reject) as info:
        list(read_smrt(smrt).records)
    assert len(info.value.describe("PN000001.SMRT")) < 400 and "cut:" in info.value.problem
    columns = write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(100_000)) + ",c1\n1\n")
    with pytest.raises(Reject, match="header must name every column once") as info:
        next(readers.read_csv_chunks(columns))
    assert len(info.value.problem) < 400


@pytest.mark.parametrize("text, line", [
    ("[\n" + "[" * 10_000 + "]" * 10_000 + "\n]", 2),                       # the array reader
    ('{"a": 1}\n{"a": ' + "[" * 10_000 + "]" * 10_000 + "}\n", 2),         # one object per line
    ('{"a": ' + "[" * 10_000 + "]" * 10_000 + "}\n", 1),                   # format detection
])
def test_json_nested_ten_thousand_deep_is_refused_at_its_line_not_a_recursion_error(tmp_path, text, line):
    """Issue 9, defect 1: a JSON file nested 10,000 levels deep crashed the reader with
    RecursionError (in detect_format and the array reader)."""
    with pytest.raises(Reject) as info:
        records(write(tmp_path, "t_1.json", text))
    assert info.value.line == line
    assert "depth limit exceeded" in info.value.problem or "nested too deeply" in info.value.problem


def test_a_gzip_compressed_file_is_read_as_its_content(tmp_path):
    """Every reader reads through `open_bytes`: gzip is known by its first bytes, whatever the name."""
    import gzip

    texts = {"a.csv.gz": "id;name\n1;Ünal\n2;b\n", "b.ndjson.gz": '{"id": 1}\n{"id": 2}\n',
             "c.json.gz": '[\n{"id": 1},\n{"id": 2}\n]\n', "d.json": '[{"id": 1, "x": {"y": 2}}, {"id": 2}]'}
    for name, text in texts.items():
        (tmp_path / name).write_bytes(gzip.compress(text.encode()))
    assert [detect_format(tmp_path / n) for n in texts] == ["csv", "ndjson", "json-array", "json-array"]
    assert [r for _, r in read_records(tmp_path / "a.csv.gz")] == [{"id": "1", "name": "Ünal"}, {"id": "2", "name": "b"}]
    assert list(read_records(tmp_path / "b.ndjson.gz")) == [(1, {"id": 1}), (2, {"id": 2})]
    assert list(read_records(tmp_path / "c.json.gz")) == [(2, {"id": 1}), (3, {"id": 2})]
    assert [r for _, r in read_records(tmp_path / "d.json")] == [{"id": 1, "x": {"y": 2}}, {"id": 2}]
    (tmp_path / "e.json.gz").write_bytes(gzip.compress(b"not json"))
    with pytest.raises(Reject, match=r"a \.json file must hold JSON objects"):
        detect_format(tmp_path / "e.json.gz")


@pytest.mark.parametrize("name", ["blank.csv.gz", "blank.json.gz", "blank.ndjson.gz"])
def test_issue31_a_gzip_bomb_of_blank_data_is_refused_quickly_at_its_line(tmp_path, name):
    import time

    from isal import igzip

    from filegate.kit.readers.limits import BOMB_FLOOR

    path = tmp_path / name
    with igzip.open(path, "wb") as f:
        for _ in range(64):
            f.write(b"\n" * (1 << 20))   # 64 MiB of blank lines in ~64 KB
    started = time.monotonic()
    with pytest.raises(Reject) as refused:
        list(read_records(path))
    assert "the gzip data expands over 200 times its size" in refused.value.problem
    assert "refused as a decompression bomb" in refused.value.problem
    assert BOMB_FLOOR < refused.value.line <= BOMB_FLOOR + (1 << 20) + 1   # where the budget ran out
    assert time.monotonic() - started < 30   # not the minutes per-line loops would take over 64 MiB


def test_issue31_a_gzip_file_that_compresses_well_but_is_small_still_loads(tmp_path):
    from isal import igzip

    path = tmp_path / "zeros.csv.gz"
    with igzip.open(path, "wb") as f:
        f.write(b"a,b\n" + b"0,0\n" * 1_000_000)   # ~4 MB at ~1000x: under the 16 MiB floor
    assert sum(1 for _ in read_records(path)) == 1_000_000


@pytest.mark.parametrize("data, problem", [
    (b"", "file is empty"),
    (b" \n\t\n" * (1 << 19), "file holds no records: only whitespace (2,097,152 bytes, 1,048,576 line breaks)"),
])
def test_issue31_a_file_of_whitespace_is_not_called_empty(tmp_path, data, problem):
    path = tmp_path / "blank.csv"
    path.write_bytes(data)
    with pytest.raises(Reject) as refused:
        list(read_records(path))
    assert refused.value.problem == problem and refused.value.line == 1
