"""raw_data steps against the real PostgreSQL: re-delivery upserts, later parts win, references."""
import psycopg

from tests.support.helpers import drop
from tests.support.helpers import run_batch as run_any_batch


def run_batch(run_id, conninfo, settings):
    return run_any_batch(run_id, conninfo, settings, dataset="raw_data")


def query(conninfo, sql):
    with psycopg.connect(conninfo) as conn:
        return conn.execute(sql).fetchall()


def test_a_changed_part_redelivered_upserts_instead_of_duplicating(conninfo, settings):
    landing = settings.landing / "raw_data"
    drop(landing / "genres", "genres_1.csv", "GenreId,Name\n1,Rock\n2,Jazz\n")
    run_batch("run1", conninfo, settings)
    drop(landing / "genres", "genres_1.csv", "GenreId;Name\n2;Jazz Fusion\n3;Blues\n")
    run_batch("run2", conninfo, settings)

    assert query(conninfo, "SELECT g.genre_id, g.name, f.run_id FROM raw_data.genres g"
                           " JOIN filegate.files f USING (file_id) ORDER BY 1") == [
        (1, "Rock", "run1"), (2, "Jazz Fusion", "run2"), (3, "Blues", "run2")]
    assert query(conninfo, "SELECT status FROM filegate.files ORDER BY file_id") == [("loaded",), ("loaded",)]


def test_a_key_in_two_parts_of_one_batch_refuses_both_parts(conninfo, settings):
    landing = settings.landing / "raw_data" / "genres"
    drop(landing, "genres_10.json", '[{"GenreId": 1, "Name": "from part 10"}, {"GenreId": 3, "Name": "x"}]')
    drop(landing, "genres_9.csv", "GenreId,Name\n1,from part 9\n2,y\n")
    drop(landing, "genres_11.csv", "GenreId,Name\n4,z\n")
    run_batch("run1", conninfo, settings)
    assert query(conninfo, "SELECT genre_id FROM raw_data.genres") == [(4,)]
    reasons = dict(query(conninfo, "SELECT filename, reason FROM filegate.files WHERE status = 'rejected'"))
    assert set(reasons) == {"genres/genres_10.json", "genres/genres_9.csv"}
    assert "is in no other file of the batch" in reasons["genres/genres_9.csv"]
    assert "line 2" in reasons["genres/genres_9.csv"] and "line 1" in reasons["genres/genres_10.json"]


def test_references_may_point_into_the_same_batch_or_what_is_loaded_but_not_nowhere(conninfo, settings):
    landing = settings.landing / "raw_data"
    drop(landing / "artists", "artists_1.csv", "ArtistId,Name\n1,A\n")
    run_batch("run1", conninfo, settings)
    drop(landing / "artists", "artists_2.csv", "ArtistId,Name\n2,B\n")
    drop(landing / "albums", "albums_1.csv", "AlbumId,Title,ArtistId\n10,Loaded parent,1\n11,Batch parent,2\n")
    drop(landing / "albums", "albums_2.csv", "AlbumId,Title,ArtistId\n12,Fine,1\n13,Orphan,99\n")
    run_batch("run2", conninfo, settings)

    assert query(conninfo, "SELECT album_id FROM raw_data.albums ORDER BY 1") == [(10,), (11,)]
    (reason,) = query(conninfo, "SELECT reason FROM filegate.files WHERE filename = 'albums/albums_2.csv'")[0]
    assert "albums.artist_id refers to an existing artists.artist_id" in reason and "line 3" in reason


def test_issue25_a_reference_to_a_row_of_a_file_refused_in_the_same_batch_is_refused_too(conninfo, settings):
    """The audit counts the batch's staged rows as parents; when the file holding a parent is
    refused in the same batch (here by the audit itself: a key twice in it), a row referring to it
    would load pointing at nothing. Found while looking for issue 25's class of defects."""
    landing = settings.landing / "raw_data"
    drop(landing / "artists", "artists_1.csv", "ArtistId,Name\n1,A\n")
    drop(landing / "artists", "artists_2.csv", "ArtistId,Name\n2,B\n3,C\n3,C again\n")
    drop(landing / "albums", "albums_1.csv", "AlbumId,Title,ArtistId\n10,Fine,1\n")
    drop(landing / "albums", "albums_2.csv", "AlbumId,Title,ArtistId\n11,Fine too,1\n12,By B,2\n")
    run_batch("run1", conninfo, settings)

    assert query(conninfo, "SELECT album_id, artist_id FROM raw_data.albums ORDER BY 1") == [(10, 1)]
    reasons = dict(query(conninfo, "SELECT filename, reason FROM filegate.files WHERE status = 'rejected'"))
    assert set(reasons) == {"artists/artists_2.csv", "albums/albums_2.csv"}
    assert reasons["albums/albums_2.csv"] == (
        "albums/albums_2.csv, line 3: albums.artist_id '2' refers to no artists.artist_id: the file of this batch "
        "that delivered it was refused, so this one cannot load without it")
    assert query(conninfo, "SELECT count(*) FROM filegate.files WHERE status = 'claimed'") == [(0,)]


def test_undeclared_records_are_replaced_not_duplicated_on_redelivery(conninfo, settings):
    landing = settings.landing / "raw_data" / "reviews"
    drop(landing, "reviews_1.json", '{"a": 1}\n{"a": 2}\n')
    run_batch("run1", conninfo, settings)
    drop(landing, "reviews_1.json", '{"a": 3}\n')
    run_batch("run2", conninfo, settings)
    assert query(conninfo, "SELECT doc->>'a', line FROM raw_data.undeclared_records") == [("3", 1)]


def test_reasons_are_bounded_audit_samples_quote_input_cut(conninfo, settings):
    """Issue 9, defect 7, at the audit: the sample values and rows a refusal keeps (registry
    details, .reason.json) quote each input in at most ~200 characters, marked as cut."""
    import json

    landing = settings.landing / "raw_data" / "media_types"
    drop(landing, "media_types_1.csv", "MediaTypeId,Name\n1,MPEG\n," + "N" * 1_000_000 + "\n")   # no key
    run_batch("run1", conninfo, settings)
    (reason, details), = query(conninfo, "SELECT reason, details FROM filegate.files")
    assert "expect_column_values_to_not_be_null(media_type_id)" in reason and len(reason) < 1000
    rows = details["failures"][0]["sample_rows"]
    assert rows and all(len(str(v)) < 300 for row in rows for v in row.values())
    assert any("(cut: 1,000,000 characters)" in str(v) for row in rows for v in row.values())
    note = next((settings.quarantine / "raw_data").rglob("*.reason.json"))
    assert note.stat().st_size < 20_000 and json.loads(note.read_text())["reason"] == reason


def test_poison_pills_in_json_are_refused_and_the_rest_of_the_batch_loads(conninfo, settings):
    """Issue 9, defect 1: a JSON file nested 10,000 levels deep crashed the reader with a
    RecursionError (format detection and the array reader), and a NUL character crashed stage."""
    landing = settings.landing / "raw_data"
    deep = "[" * 10_000 + "]" * 10_000
    drop(landing / "genres", "genres_1.csv", "GenreId,Name\n1,Rock\n")
    drop(landing / "genres", "genres_2.json", '[\n{"GenreId": 2, "Name": ' + deep + "}\n]\n")
    drop(landing / "genres", "genres_3.json", '{"GenreId": 3, "Name": ' + deep + "}\n")
    drop(landing / "genres", "genres_4.json", '{"GenreId": 4, "Name": "Jazz"}\n{"GenreId": 5, "Name": "a\\u0000b"}\n')
    drop(landing / "reviews", "reviews_1.json", '[{"a": 1},\n {"b": ' + deep + "}]")
    run_batch("run1", conninfo, settings)

    assert query(conninfo, "SELECT genre_id, name FROM raw_data.genres") == [(1, "Rock")]
    reasons = dict(query(conninfo, "SELECT filename, reason FROM filegate.files WHERE status = 'rejected'"))
    assert reasons == {
        "genres/genres_2.json": "genres/genres_2.json, line 2: JSON nested too deeply to read "
                                "(about 1,000 levels: Python's recursion limit)",
        "genres/genres_3.json": "genres/genres_3.json, line 1: JSON that is neither one object per line nor an "
                                "array of objects (JSON nested too deeply to read (about 1,000 levels))",
        "genres/genres_4.json": "genres/genres_4.json, line 2: a NUL character (\\x00) in name: "
                                "PostgreSQL text cannot hold it",
        "reviews/reviews_1.json": "reviews/reviews_1.json, line 2: JSON nested too deeply to read "
                                  "(about 1,000 levels: Python's recursion limit)",
    }
    assert query(conninfo, "SELECT count(*) FROM filegate.files WHERE status = 'claimed'") == [(0,)]


def test_a_file_postgresql_refuses_at_stage_is_refused_and_the_rest_of_the_batch_stages(conninfo, settings):
    """Issue 9, defect 1, at stage: what the converter lets through and PostgreSQL refuses takes
    down only its own file (named with its line), not the batch."""
    from isal import igzip

    from filegate.ingest import pipeline
    from filegate.ingest.convert import part_path

    landing = settings.landing / "raw_data" / "genres"
    drop(landing, "genres_1.csv", "GenreId,Name\n1,Rock\n")
    drop(landing, "genres_2.csv", "GenreId,Name\n2,Jazz\n3,Blues\n")
    claimed = pipeline.claim("raw_data", "run1", conninfo, settings)
    converted = [pipeline.convert("raw_data", "run1", f, conninfo, settings) for f in claimed]
    bad = part_path(pipeline.run_dir(settings, "raw_data", "run1"), "genres", claimed[1].file_id)
    with igzip.open(bad, "wb") as f:   # as if the converter had let a NUL through, in the 2nd row
        f.write(b'{"genre_id": 2, "name": "Jazz", "_line": 2, "_file_id": %d}\n' % claimed[1].file_id)
        f.write(b'{"genre_id": 3, "name": "B\\u0000lues", "_line": 3, "_file_id": %d}\n' % claimed[1].file_id)
    staged = pipeline.stage("raw_data", "run1", converted, conninfo, settings)

    assert staged.file_ids == [claimed[0].file_id] and staged.rejected == [claimed[1].file_id]
    assert staged.rows["genres"] == 1
    (reason,), = query(conninfo, "SELECT reason FROM filegate.files WHERE status = 'rejected'")
    assert reason == ("genres/genres_2.csv, line 3: could not be staged into genres: "
                      "PostgreSQL text fields cannot contain NUL (0x00) bytes")
    pipeline.publish("raw_data", "run1", pipeline.audit("raw_data", "run1", staged, conninfo, settings),
                     conninfo, settings)
    assert query(conninfo, "SELECT genre_id FROM raw_data.genres") == [(1,)]
