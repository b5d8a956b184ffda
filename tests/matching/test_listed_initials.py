"""A person's listed initials: those that would fold into a title are read one by one ("M.R. Ahmadi",
Entity List, Iran, is not the title "Mr" and the surname, which "Maryam Ahmadi" or any other Ahmadi
covered but for one word), and each credits the given names it begins ("Hossein Farahani" is a
review of "H. Farahani", never a hit). Against the bundled lists: the weights of letters and
surnames are the real ones."""

from __future__ import annotations

from exportscreen.matching.index import listed_initials
from exportscreen.matching.names import listed_readings
from exportscreen.matching.words import word_lists
from exportscreen.screener import default_screener

WORDS = word_lists()


def test_readings_of_listed_initials() -> None:
    none: frozenset[str] = frozenset()
    assert listed_readings("M.R. Ahmadi", WORDS) == [("m r ahmadi", none)]  # not "mr ahmadi"
    assert listed_readings("D.R. Congo Trading", WORDS) == [("d r congo trading", none)]  # not "dr"
    assert listed_readings("S.M. Mirbagheri", WORDS) == [("sm mirbagheri", frozenset({"sm"}))]
    assert listed_readings("Acme S.A.", WORDS) == [("acme sa", frozenset({"sa"}))]
    assert listed_readings("H. Farahani", WORDS) == [("h farahani", none)]


def test_which_listed_words_are_initials() -> None:
    weak = WORDS.weak
    assert listed_initials(["h", "farahani"], frozenset(), weak) == ((0, "h"),)
    assert listed_initials(["sm", "mirbagheri"], frozenset({"sm"}), weak) == ((0, "sm"),)
    assert listed_initials(["acme", "sa"], frozenset({"sa"}), weak) == ()  # a legal form
    assert listed_initials(["smic"], frozenset({"smic"}), weak) == ()  # an acronym, not given names
    assert listed_initials(["sm", "mirbagheri"], frozenset(), weak) == ()  # a word, not initials


def test_the_initials_m_r_are_not_the_title_mr() -> None:
    # read as "Mr Ahmadi", the listed name was a review (77.3) for "Ali Ahmadi" in Iran
    for query in ("Ali Ahmadi", "Maryam Ahmadi"):
        found = default_screener().match_name(query, country="IR")
        assert all(m.entry_id != "EL-IR-M-R-AHMADI" for m in found), [(m.entry_id, m.score) for m in found]


def test_the_same_initials_still_hit() -> None:
    for query in ("M.R. Ahmadi", "M. R. Ahmadi", "MR Ahmadi"):
        found = default_screener().match_name(query)
        assert found and found[0].entry_id == "EL-IR-M-R-AHMADI" and found[0].strength == "hit", query


def _strength(query: str, entry_id: str, country: str | None = "IR") -> str | None:
    found = default_screener().match_name(query, country=country, limit=10)
    return next((m.strength for m in found if m.entry_id == entry_id), None)


def test_given_names_a_listed_initial_begins_are_a_review_never_a_hit() -> None:
    # 'H. Farahani' scored 47.7 for 'Hossein Farahani' in Iran: the lone 'h' was a word unmatched
    assert _strength("Hossein Farahani", "EL-IR-H-FARAHANI") == "review"
    assert _strength("Hossein Farahani", "EL-IR-H-FARAHANI", None) == "review"
    assert _strength("Seyed Mohammad Mirbagheri", "EL-IR-S-M-MIRBAGHERI") == "review"
    assert _strength("Mohammad Reza Ahmadi", "EL-IR-M-R-AHMADI") == "review"


def test_an_initial_alone_does_not_make_a_match() -> None:
    # the family name decides: the initial credits a given name only once another word matched
    assert _strength("Hossein Tehrani", "EL-IR-H-FARAHANI") is None
    assert _strength("Sara Mirbagheri", "EL-IR-S-M-MIRBAGHERI") is None  # one letter of two
    assert _strength("Maryam Ahmadi", "EL-IR-M-R-AHMADI") is None  # no word for the 'r'
