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
