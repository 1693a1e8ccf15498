"""Convert: NDJSON gzip with lineage, nothing written for a rejected file, bounded memory."""
import gzip
import json

import pytest

from filegate import datasets
from filegate.ingest.convert import combine_parts, convert_file, part_path
from filegate.kit.errors import Reject
from tests.support.memory import peak_rss_mib

SMRT = datasets.get("smrt")


def smrt_file(path, readings: int, trailer=True, generation="PN000001"):
    with open(path, "w") as f:
        f.write(f'"HEADR","SMRT","GAZ","20260101","000000","{generation}"\n')
        for i in range(readings):
            f.write(f'"CONSU","{1000000000 + i % 5000:010d}","20260101","{i % 24:02d}00",{i % 97}.5\n')
        if trailer:
            f.write('"TRAIL"\n')
    return path


def lines(path):
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


def test_records_carry_lineage_and_typed_fields(tmp_path, settings):
    raw = smrt_file(tmp_path / "PN000001.SMRT", 3)
    converted = convert_file(SMRT, raw, 42, tmp_path / "batch", settings)
    assert converted.rows == {"readings": 3}
    assert converted.header["generation_number"] == "PN000001"
    records = lines(part_path(tmp_path / "batch", "readings", 42))
    assert [(r["_file_id"], r["_line"]) for r in records] == [(42, 2), (42, 3), (42, 4)]
    assert records[1]["meter_number"] == "01000000001"
    assert records[1]["reading_start_utc"] == "2026-01-01T01:00:00+00:00"


def test_a_rejected_file_leaves_no_output(tmp_path, settings):
    raw = smrt_file(tmp_path / "PN000002.SMRT", 50, trailer=False, generation="PN000002")
    with pytest.raises(Reject, match="no TRAIL"):
        convert_file(SMRT, raw, 7, tmp_path / "batch", settings)
    assert not any(p.is_file() for p in (tmp_path / "batch").rglob("*"))


def test_combining_parts_copies_gzip_members_in_file_order(tmp_path, settings):
    batch = tmp_path / "batch"
    for file_id, n in ((3, 2), (1, 4), (2, 1)):
        convert_file(SMRT, smrt_file(tmp_path / f"{file_id}.SMRT", n), file_id, batch, settings)
    combined = combine_parts(batch, "readings", [1, 3])
    records = lines(combined)
    assert combined.name == "readings.json.gz"
    assert [r["_file_id"] for r in records] == [1, 1, 1, 1, 3, 3]   # file 2 left out, order kept


def peak_memory_converting(tmp_path, readings: int) -> float:
    raw = smrt_file(tmp_path / f"{readings}.SMRT", readings)
    return peak_rss_mib(
        "from pathlib import Path\nfrom filegate import datasets, settings\nfrom filegate.ingest.convert import convert_file\n"
        f"convert_file(datasets.get('smrt'), Path({str(raw)!r}), 1, Path({str(tmp_path / f'b{readings}')!r}),"
        " settings.load())\n")


def test_memory_does_not_grow_with_file_size(tmp_path):
    small = peak_memory_converting(tmp_path, 50_000)
    large = peak_memory_converting(tmp_path, 400_000)   # 8x the rows, ISA-L and msgspec buffers included
    assert large < small + 8, (small, large)


def test_records_of_a_table_the_dataset_does_not_load_are_a_bug_not_dropped(tmp_path, settings):
    from dataclasses import replace

    from filegate.kit.parsed import ParsedFile

    def reader(path, settings):
        return ParsedFile.from_records({}, "k", iter([("readings", 1, {"meter_number": "1"}), ("meters", 2, {})]))

    with pytest.raises(RuntimeError, match="records of 'meters', which is not a loaded table of the dataset"):
        convert_file(replace(SMRT, reader=reader), tmp_path / "x.SMRT", 1, tmp_path / "run", settings)
    assert not any(p.is_file() for p in (tmp_path / "run").rglob("*"))


def test_a_gzip_file_cut_short_is_refused_for_any_dataset(tmp_path, settings):
    """Readers read gzip transparently; one that ends mid-stream refuses the file, never fails the task."""
    raw_data = datasets.get("raw_data")
    folder = tmp_path / "tracks"
    folder.mkdir()
    whole = gzip.compress(("TrackId,Name\n" + "".join(f"{i},t{i}\n" for i in range(50_000))).encode())
    raw = folder / "tracks.csv"
    raw.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(Reject, match="gzip data is corrupt or truncated"):
        convert_file(raw_data, raw, 3, tmp_path / "batch", settings)
    assert not list((tmp_path / "batch").rglob("*.json.gz"))
