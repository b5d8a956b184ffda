"""Strict reading of YAML and JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportscreen._errors import InputError
from exportscreen._io import load_data_file, parse_json, parse_yaml


def test_duplicate_key_is_an_error_with_line() -> None:
    with pytest.raises(InputError) as exc:
        parse_yaml("a: 1\nb: 2\na: 3\n")
    assert "duplicate key 'a'" in str(exc.value)
    assert "line 3" in str(exc.value)


def test_nested_duplicate_key() -> None:
    with pytest.raises(InputError, match="duplicate key 'name'"):
        parse_yaml("parties:\n  - name: A\n    name: B\n")


def test_aliases_and_anchors_are_refused() -> None:
    with pytest.raises(InputError, match="anchors and aliases"):
        parse_yaml("a: &x [1, 2]\nb: *x\n")


def test_billion_laughs_is_refused_quickly() -> None:
    doc = 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    with pytest.raises(InputError):
        parse_yaml(doc)


def test_python_tags_are_refused() -> None:
    with pytest.raises(InputError):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n")


@pytest.mark.parametrize("word", ["NO", "no", "yes", "on", "off", "y", "n"])
def test_yaml_11_booleans_stay_strings(word: str) -> None:
    assert parse_yaml(f"c: {word}\n") == {"c": word}


def test_true_false_are_booleans() -> None:
    assert parse_yaml("a: true\nb: False\n") == {"a": True, "b": False}


def test_json_duplicate_keys_and_nan() -> None:
    with pytest.raises(InputError, match="duplicate key"):
        parse_json('{"a": 1, "a": 2}')
    with pytest.raises(InputError, match="NaN"):
        parse_json('{"a": NaN}')


def test_utf16_and_latin1_are_refused(tmp_path: Path) -> None:
    utf16 = tmp_path / "u16.yaml"
    utf16.write_bytes("id: x\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        load_data_file(utf16)
    latin1 = tmp_path / "l1.yaml"
    latin1.write_bytes("name: Compa\xf1ia\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        load_data_file(latin1)


def test_bom_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "bom.yaml"
    f.write_bytes("\ufeffid: x\n".encode())
    assert load_data_file(f) == {"id": "x"}


def test_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.yaml"
    f.write_text("a: " + "x" * 100 + "\n")
    with pytest.raises(InputError, match="over the limit"):
        load_data_file(f, max_bytes=50)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(InputError):
        parse_yaml("[" * 10000 + "]" * 10000)
    with pytest.raises(InputError):
        parse_json("[" * 100000 + "]" * 100000)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: 010", "010"),
        ("v: 0x1F", "0x1F"),
        ("v: 0b101", "0b101"),
        ("v: 1:30", "1:30"),
        ("v: 1_000", "1_000"),
        ("v: 1E001", "1E001"),
        ("v: 3e3", "3e3"),
        ("v: 42", 42),
        ("v: -7", -7),
        ("v: 3.5", 3.5),
        ("v: .5", 0.5),
        ("v: 1.5e3", 1500.0),
    ],
)
def test_yaml_numbers_are_decimal_and_need_a_dot_to_float(text: str, value: object) -> None:
    assert parse_yaml(text) == {"v": value}


@pytest.mark.parametrize("text", ["v: .inf", "v: -.Inf", "v: .NaN", "v: 1.0e400", "v: 2025-02-30", "v: 2024-13-01"])
def test_yaml_non_finite_numbers_and_impossible_dates_are_located_errors(text: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_yaml("a: 1\n" + text)
    assert exc.value.location is not None and exc.value.location.startswith("line 2")


def test_nesting_limit_names_the_line() -> None:
    with pytest.raises(InputError, match="max_nesting_depth") as yaml_exc:
        parse_yaml("a: 1\nb: " + "[" * 100 + "]" * 100)
    assert yaml_exc.value.location is not None and yaml_exc.value.location.startswith("line 2")
    with pytest.raises(InputError, match="max_nesting_depth") as json_exc:
        parse_json('{"a":\n' + "[" * 100 + "]" * 100 + "}")
    assert json_exc.value.location == "line 2"
    assert parse_json("[" * 60 + "]" * 60) is not None


def test_json_overflow_and_duplicate_keys_are_located() -> None:
    with pytest.raises(InputError, match="not a finite number") as exc:
        parse_json('{"a": 1,\n "b": 1e400}')
    assert exc.value.location == "line 2"
    with pytest.raises(InputError, match="duplicate key 'x'") as dup:
        parse_json('{"x": {"x": 1},\n "y": 2,\n "x": 3}')
    assert dup.value.location == "line 3"


_BUNDLED_YAML = sorted((Path(__file__).parent.parent / "lists").rglob("*.yaml"))


@pytest.mark.parametrize("path", _BUNDLED_YAML, ids=[p.name for p in _BUNDLED_YAML])
def test_bundled_files_parse_the_same_on_the_fast_path(path: Path) -> None:
    """The libyaml fast path of the bundled files gives exactly what the strict parser gives."""
    from exportscreen._io import _parse_yaml_with_lines

    text = path.read_text(encoding="utf-8")
    fast = _parse_yaml_with_lines(text, path=path, error=InputError, fast=True)
    assert fast == _parse_yaml_with_lines(text, path=path, error=InputError, fast=False)


@pytest.mark.parametrize(
    "text",
    [
        "# weight * C ** exponent\na: &x [1]\nb: *x\n",  # a comment with "*" does not hide a real alias
        "a: |\n  # *not an alias\nb: &x 1\nc: *x\n",
    ],
)
def test_an_alias_outside_comments_still_takes_the_strict_path(text: str) -> None:
    from exportscreen._io import _parse_yaml_with_lines

    with pytest.raises(InputError, match="anchors and aliases"):
        _parse_yaml_with_lines(text, path=None, error=InputError, fast=True)


def test_the_commented_bundled_files_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """``matching.yaml`` writes its formula with "*" in comments; that alone keeps the fast path."""
    import exportscreen._io as io

    def strict(*_a: object, **_k: object) -> object:
        raise AssertionError("the strict parser ran")

    monkeypatch.setattr(io, "_StrictLoader", strict)
    lists = Path(__file__).parent.parent / "lists"
    for name in ("matching.yaml", "names/qualifiers.yaml"):
        text = (lists / name).read_text(encoding="utf-8")
        assert "*" in text
        io._parse_yaml_with_lines(text, path=lists / name, error=InputError, fast=True)


def test_a_bundled_file_is_parsed_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportscreen._io as io

    monkeypatch.setenv("EXPORTSCREEN_CACHE_DIR", str(tmp_path / "cache"))
    path = Path(__file__).parent.parent / "lists" / "tiers.yaml"
    first = load_data_file(path)
    blobs = list((tmp_path / "cache").glob("parsed-*.bin"))
    assert len(blobs) == 1

    def no_parse(*_a: object, **_k: object) -> object:
        raise AssertionError("parsed again")

    with monkeypatch.context() as m:
        m.setattr(io, "_parse_yaml_with_lines", no_parse)
        assert load_data_file(path) == first
    # a damaged blob is a miss: the file is parsed again, never trusted
    blobs[0].write_bytes(blobs[0].read_bytes()[:-7] + b"garbage")
    assert load_data_file(path) == first


def test_a_changed_bundled_file_is_never_served_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import exportscreen._io as io

    monkeypatch.setenv("EXPORTSCREEN_CACHE_DIR", str(tmp_path / "cache"))
    lists = tmp_path / "lists"
    lists.mkdir()
    monkeypatch.setattr(io, "_is_bundled", lambda p: p.is_relative_to(lists))
    path = lists / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert load_data_file(path) == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")
    assert load_data_file(path) == {"a": 2}
    assert len(list((tmp_path / "cache").glob("parsed-*.bin"))) == 2
