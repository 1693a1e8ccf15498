"""A declaration's `"module:function"`: imported on first call, named when it does not resolve."""
import pickle
import sys

import pytest

from filegate.kit.references import Reference, referenced


def test_the_module_is_imported_at_the_first_call_not_at_declaration(tmp_path, monkeypatch):
    (tmp_path / "lazy_reader_mod.py").write_text("def read(path, settings):\n    return ('read', path)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reader = Reference("lazy_reader_mod:read")
    assert "lazy_reader_mod" not in sys.modules
    assert reader("p", None) == ("read", "p")
    assert "lazy_reader_mod" in sys.modules


def test_a_reference_that_does_not_resolve_names_itself():
    with pytest.raises(ImportError, match="filegate.no_such_module:read cannot be imported"):
        Reference("filegate.no_such_module:read")(1)
    with pytest.raises(ImportError, match="filegate.kit.errors:no_such cannot be imported"):
        Reference("filegate.kit.errors:no_such")()
    with pytest.raises(TypeError, match="filegate.kit.parsed:CHUNK is not a function but a int"):
        Reference("filegate.kit.parsed:CHUNK")()


@pytest.mark.parametrize("target", ["filegate.kit.errors", ":read", "a.b:not-a-name", "a.b:"])
def test_a_string_that_is_not_a_reference_is_refused_when_declared(target):
    with pytest.raises(ValueError, match="is not a reference"):
        Reference(target)


def test_a_reference_pickles_as_its_name_and_works_on_the_other_side():
    reference = Reference("filegate.kit.tables:snake")
    reference("WarmUp")   # resolved: the function itself must not be what is sent
    copy = pickle.loads(pickle.dumps(reference))
    assert copy == reference and copy._function is None
    assert copy("TrackId") == "track_id"


def test_functions_and_none_are_kept_as_they_are():
    assert referenced(None) is None
    assert referenced(len) is len
    assert referenced("filegate.kit.tables:snake") == Reference("filegate.kit.tables:snake")
