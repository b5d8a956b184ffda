"""Listed initials that would fold into a title are read one by one: "M.R. Ahmadi" (Entity List, Iran)
is not the title "Mr" and the surname, which "Maryam Ahmadi" or any other Ahmadi covered but for one
word. Against the bundled lists: the weights of letters and surnames are the real ones."""

from __future__ import annotations

from exportscreen.matching.names import listed_readings
from exportscreen.matching.words import word_lists
from exportscreen.screener import default_screener

WORDS = word_lists()


def test_readings_of_listed_initials() -> None:
    assert listed_readings("M.R. Ahmadi", WORDS) == ["m r ahmadi"]  # not "mr ahmadi"
    assert listed_readings("D.R. Congo Trading", WORDS) == ["d r congo trading"]  # not "dr"
    assert listed_readings("S.M. Mirbagheri", WORDS) == ["sm mirbagheri"]
    assert listed_readings("Acme S.A.", WORDS) == ["acme sa"]
    assert listed_readings("H. Farahani", WORDS) == ["h farahani"]


def test_the_initials_m_r_are_not_the_title_mr() -> None:
    # read as "Mr Ahmadi", the listed name was a review (77.3) for "Ali Ahmadi" in Iran
    for query in ("Ali Ahmadi", "Maryam Ahmadi"):
        found = default_screener().match_name(query, country="IR")
        assert all(m.entry_id != "EL-IR-M-R-AHMADI" for m in found), [(m.entry_id, m.score) for m in found]


def test_the_same_initials_still_hit() -> None:
    for query in ("M.R. Ahmadi", "M. R. Ahmadi", "MR Ahmadi"):
        found = default_screener().match_name(query)
        assert found and found[0].entry_id == "EL-IR-M-R-AHMADI" and found[0].strength == "hit", query
