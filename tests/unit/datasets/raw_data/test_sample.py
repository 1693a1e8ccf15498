"""The raw_data generators: deterministic, every format, and volume that reads back whole."""
import hashlib

from filegate.datasets.raw_data import DATASET
from filegate.datasets.raw_data.sample import write_sample, write_volume


def read_raw(path):
    """raw_data has no reader of its own: the kit's default reader, by its declaration."""
    return DATASET.read(path)


def digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_sample_is_deterministic_and_uses_every_format(tmp_path):
    write_sample(tmp_path / "a", tracks=300)
    write_sample(tmp_path / "b", tracks=300)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    formats = {read_raw(p).header["format"] for p in (tmp_path / "a").rglob("*_1.*")} | \
              {read_raw(p).header["format"] for p in (tmp_path / "a").rglob("*_2.*")}
    assert formats == {"csv", "ndjson", "json-array"}
    delimiters = {p.read_text(encoding="utf-8-sig").split("\n", 1)[0][len("TrackId")]
                  for p in (tmp_path / "a" / "tracks").glob("tracks_[123].*") if p.suffix != ".json"}
    assert delimiters and delimiters <= {",", ";", "\t", "|"}


def test_volume_reads_back_every_row_once(tmp_path):
    paths = write_volume(tmp_path, tracks=3000, parts=6)
    ids = [record["track_id"] for path in paths for _, _, record in read_raw(path).records]
    assert sorted(ids) == list(range(1, 3001))
    assert {read_raw(p).header["format"] for p in paths} == {"csv", "ndjson", "json-array"}
