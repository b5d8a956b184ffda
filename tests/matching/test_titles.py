"""A listed name made of a title and a legal form ("MRS GmbH") is screened, never refused as empty."""

from __future__ import annotations

import pytest

from exportscreen import InputError
from exportscreen.screener import default_screener


def test_a_title_word_is_a_word_of_the_name() -> None:
    found = default_screener().match_name("MRS GmbH")
    assert found and found[0].entry_name == "MRS GmbH" and found[0].strength == "hit"


def test_a_name_of_only_legal_forms_is_still_refused() -> None:
    with pytest.raises(InputError, match="only legal forms"):
        default_screener().match_name("GmbH Ltd")
