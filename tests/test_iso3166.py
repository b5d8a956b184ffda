"""Alpha-2 codes read from pycountry's database file give what pycountry itself gives."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

from exportscreen import _iso3166, geo


def test_the_table_is_pycountrys_every_country() -> None:
    table = _iso3166.countries()
    expected = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    assert table == expected
    assert len(table) > 240


@pytest.mark.parametrize("code", sorted(c.alpha_2 for c in pycountry.countries))
def test_resolve_and_name_agree_with_pycountry(code: str) -> None:
    found = pycountry.countries.lookup(code)
    assert geo.resolve_country(code) == found.alpha_2
    assert geo.resolve_country(code.lower()) == found.alpha_2
    if code not in geo._country_table().extra_codes:
        assert geo.country_name(code) == (getattr(found, "common_name", None) or found.name)


def test_without_the_file_pycountry_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_iso3166, "_database_file", lambda: None)
    _iso3166.countries.cache_clear()
    geo.resolve_country.cache_clear()
    try:
        assert _iso3166.countries() == {}
        assert _iso3166.data_digest.__wrapped__() == "?"
        assert geo.resolve_country("DE") == "DE"
        assert geo.country_name("DE") == "Germany"
        assert geo.country_name("ZZ") == "ZZ"
        with pytest.raises(ValueError, match="unknown country"):
            geo.resolve_country("XX")
    finally:
        _iso3166.countries.cache_clear()
        geo.resolve_country.cache_clear()


def test_the_digest_follows_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "databases" / "iso3166-1.json"
    copy.parent.mkdir()
    original = _iso3166._database_file()
    assert original is not None
    copy.write_bytes(original.read_bytes())
    monkeypatch.setattr(_iso3166, "_database_file", lambda: copy)
    before = _iso3166.data_digest.__wrapped__()
    copy.write_bytes(original.read_bytes().replace(b'"Germany"', b'"Deutschland"'))
    after = _iso3166.data_digest.__wrapped__()
    assert len(before) == len(after) == 64
    assert before != after
