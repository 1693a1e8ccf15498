"""API numbers: every spelling deliveries use is one canonical 14-digit number; anything else is refused."""
import pytest

from filegate.datasets.wells.api_number import canonical


@pytest.mark.parametrize("spelling", ["05-123-45678", "0512345678", "05-123-45678-00", "051234567800",
                                      "05-123-45678-00-00", "05123456780000", " 05-123-45678-00 "])
def test_every_spelling_of_one_well_is_one_number(spelling):
    assert canonical(spelling) == "05123456780000"


def test_sidetrack_and_event_codes_are_kept():
    assert canonical("05-123-45678-01") == "05123456780100"
    assert canonical("05-123-45678-01-02") == "05123456780102"


@pytest.mark.parametrize("bad", ["5123456780000", "05-123-4567", "05-123-45678-0", "05 123 45678",
                                 "05-123-45678-00-00-00", "AB-123-45678", "", "05-123-45678x"])
def test_anything_else_is_refused_saying_what_was_expected(bad):
    with pytest.raises(ValueError, match="is not an API number"):
        canonical(bad)


def test_a_json_number_is_refused_it_lost_the_leading_zero():
    with pytest.raises(ValueError, match="must be text"):
        canonical(5123456780000)
