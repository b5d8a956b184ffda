"""Safe reading of YAML and JSON data files.

* YAML is read with a ``SafeLoader`` subclass: no Python tags, no anchors/aliases (which also
  rules out "billion laughs"), a duplicated mapping key is an error (a second ``destination:``
  must never silently win), and only ``true``/``false`` are booleans (YAML 1.1 reads ``NO``, the
  country code of Norway, as ``False``).
* JSON rejects duplicate keys and the non-standard constants ``NaN``/``Infinity``.
* Files over a size limit, binary files and files that are not UTF-8 are refused.

Every failure is raised as the caller's error class with the path and a line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from exportscreen._errors import ExportscreenError, InputError
from exportscreen.limits import LIMITS

__all__ = ["load_data_file", "parse_json", "parse_yaml", "read_text"]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys or YAML 1.1 yes/no/on/off booleans."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ComposerError(
                None, None, "anchors and aliases (*name) are not allowed in exportscreen files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark)
            if key in seen:
                raise ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key] + 1}); a repeated key must not override",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


# Only true/false (any case) are booleans; yes/no/on/off/y/n stay strings.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_text(path: Path, *, error: type[ExportscreenError] = InputError, max_bytes: int | None = None) -> str:
    """Read a UTF-8 text file (a leading BOM is allowed), refusing binary and oversized files."""
    limit = LIMITS.max_file_bytes if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(f"file is {size} bytes, over the limit of {limit} bytes", path=path)
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    if b"\x00" in raw:
        raise error("file contains NUL bytes: binary data or UTF-16, expected UTF-8 text", path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            path=path,
            location=f"line {line}",
        ) from exc
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, *, path: Path | str | None = None, error: type[ExportscreenError] = InputError) -> Any:
    """Parse one YAML document strictly (see module docstring)."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"YAML error: {problem}", path=path, location=loc) from exc
    except yaml.YAMLError as exc:
        raise error(f"YAML error: {exc}", path=path) from exc
    except RecursionError as exc:
        raise error("YAML nesting is too deep", path=path) from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}; a repeated key must not override")
        out[key] = value
    return out


def parse_json(text: str, *, path: Path | str | None = None, error: type[ExportscreenError] = InputError) -> Any:
    """Parse JSON, rejecting duplicate keys and NaN/Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise error(f"JSON error: {exc.msg}", path=path, location=f"line {exc.lineno}, column {exc.colno}") from exc
    except ValueError as exc:
        raise error(f"JSON error: {exc}", path=path) from exc
    except RecursionError as exc:
        raise error("JSON nesting is too deep", path=path) from exc


def load_data_file(path: Path, *, error: type[ExportscreenError] = InputError, max_bytes: int | None = None) -> Any:
    """Read and parse a ``.json``, ``.yaml`` or ``.yml`` file."""
    text = read_text(path, error=error, max_bytes=max_bytes)
    if not text.strip():
        raise error("file is empty", path=path)
    if path.suffix.lower() == ".json":
        return parse_json(text, path=path, error=error)
    return parse_yaml(text, path=path, error=error)
