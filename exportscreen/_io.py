"""Safe reading of YAML and JSON data files.

* YAML is read with a ``SafeLoader`` subclass: no Python tags, no anchors/aliases (which also
  rules out "billion laughs"), a duplicated mapping key is an error (a second ``destination:``
  must never silently win), and only ``true``/``false`` are booleans (YAML 1.1 reads ``NO``, the
  country code of Norway, as ``False``).
  Numbers are decimal only: YAML 1.1 octal (``010``), hexadecimal, binary, sexagesimal (``1:30``
  is 90 in YAML 1.1) and ``1_000`` stay strings, so a field that wants a number refuses them. A
  float needs a dot (``1E001`` is an ECCN, not a number). ``.inf``, ``.nan`` and floats that
  overflow (``1.0e400``) are errors, and so is an impossible date (``2024-02-30``).
* JSON (``_json_io``) rejects duplicate keys, the non-standard constants ``NaN``/``Infinity`` and
  numbers that overflow to infinity (``1e400``).
* Nesting deeper than ``LIMITS.max_nesting_depth`` is refused with the line where it goes too deep.
* Files over a size limit, binary files and files that are not UTF-8 are refused.

Every failure is raised as the caller's error class with the path and a line number.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from exportscreen import _json_io
from exportscreen._cache import cached
from exportscreen._errors import ExportscreenError, InputError, format_validation_errors
from exportscreen._json_io import nesting_depth, parse_json
from exportscreen._validated import bundled_model
from exportscreen.limits import LIMITS

ModelT = TypeVar("ModelT", bound=BaseModel)

__all__ = ["load_data_file", "load_model", "parse_json", "parse_yaml", "parse_yaml_with_lines", "read_text"]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys, YAML 1.1 booleans and numbers, or deep nesting."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ComposerError(
                None, None, "anchors and aliases (*name) are not allowed in exportscreen files", event.start_mark
            )
        nests = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if nests:
            self._depth += 1
            if self._depth > LIMITS.max_nesting_depth:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise ComposerError(
                    None,
                    None,
                    f"nesting deeper than the limit of {LIMITS.max_nesting_depth} levels (max_nesting_depth)",
                    event.start_mark,
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nests:
                self._depth -= 1

    def construct_yaml_float(self, node: Node) -> float:
        value: float = super().construct_yaml_float(node)  # type: ignore[arg-type]
        if not math.isfinite(value):
            raise ConstructorError(
                None,
                None,
                f"{node.value!r} is not a finite number (.inf, .nan and overflowing numbers are refused)",
                node.start_mark,
            )
        return value

    def construct_yaml_timestamp(self, node: Node) -> dt.date | dt.datetime:
        try:
            stamp: dt.date | dt.datetime = super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ConstructorError(None, None, f"{node.value!r} is not a valid date: {exc}", node.start_mark) from None
        return stamp

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


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)

# Only true/false (any case) are booleans; yes/no/on/off/y/n stay strings. Integers are decimal;
# floats need a dot, as in YAML 1.1, but without sexagesimal forms or underscores.
_REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


try:
    from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined,unused-ignore]

    _HAVE_LIBYAML = True
except ImportError:  # PyYAML without libyaml: every file takes _StrictLoader
    _HAVE_LIBYAML = False


@functools.cache
def _fast_loader_class() -> Any:
    """libyaml's parser with the strict constructor and resolvers: the same data, several times faster.

    Used only for the bundled data files (trusted, known good, small): libyaml resolves aliases
    itself and its composer is not depth-checked, so user files always take ``_StrictLoader``.
    """

    class _FastStrictLoader(_CParser, _StrictLoader):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    return _FastStrictLoader


def _is_bundled(path: Path) -> bool:
    from exportscreen._data import bundled_dir

    try:
        return path.resolve().is_relative_to(bundled_dir())
    except (OSError, ExportscreenError):
        return False


def read_text(path: Path, *, error: type[ExportscreenError] = InputError, max_bytes: int | None = None) -> str:
    """Read a UTF-8 text file (a leading BOM is allowed), refusing binary and oversized files. The
    size limit is for what a user gives: the bundled data is read whatever its size (otherwise a
    lowered limit would refuse the bundled lists only when the cache is cold)."""
    limit = LIMITS.max_file_bytes if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > limit and not _is_bundled(path):
            raise error(f"file is {size} bytes, over the limit of {limit} bytes", path=path)
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error("file is UTF-16 (byte-order mark at its start); save it as UTF-8", path=path, location="line 1")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw[:nul].count(b"\n") + 1
        raise error(
            "file contains NUL bytes: binary data or UTF-16, expected UTF-8 text", path=path, location=f"line {line}"
        )
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
    return parse_yaml_with_lines(text, path=path, error=error)[0]


def parse_yaml_with_lines(
    text: str, *, path: Path | str | None = None, error: type[ExportscreenError] = InputError
) -> tuple[Any, list[int]]:
    """Parse strictly, and also return the 1-based start line of each top-level item.

    For a top-level sequence that is one line per element; for anything else, the document's line.
    """
    return _parse_yaml_with_lines(text, path=path, error=error, fast=False)


#: Where an anchor (``&name``) or alias (``*name``) could start: after a space, bracket or comma. A
#: text without one (an "&" inside "R&D" is not) may take the fast parser; any other falls back.
_ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,])[&*][^\s,\]}]")
#: A line that is only a comment (or, inside a block scalar, text): never an anchor or alias, so a
#: "weight * C ** exponent" in a comment does not send a file to the slow parser.
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)


def _parse_yaml_with_lines(
    text: str, *, path: Path | str | None, error: type[ExportscreenError], fast: bool
) -> tuple[Any, list[int]]:
    if fast and _HAVE_LIBYAML and _ANCHOR_OR_ALIAS.search(_COMMENT_LINE.sub("", text)) is None:
        try:
            fast_loader = _fast_loader_class()(text)
            try:
                node = fast_loader.get_single_node()
                data = fast_loader.construct_document(node) if node is not None else None
            finally:
                fast_loader.dispose()
        except Exception:  # the strict loader below reports the error exactly
            pass
        else:
            if nesting_depth(data) <= LIMITS.max_nesting_depth:
                if isinstance(node, yaml.SequenceNode):
                    return data, [child.start_mark.line + 1 for child in node.value]
                return data, [node.start_mark.line + 1] if node is not None else []
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        if isinstance(node, yaml.SequenceNode):
            return data, [child.start_mark.line + 1 for child in node.value]
        return data, [node.start_mark.line + 1] if node is not None else []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"YAML error: {problem}", path=path, location=loc) from exc
    except yaml.YAMLError as exc:
        raise error(f"YAML error: {exc}", path=path) from exc
    except RecursionError as exc:
        raise error(
            f"YAML nesting is deeper than Python can follow (limit {LIMITS.max_nesting_depth})", path=path
        ) from exc


def load_data_file(path: Path, *, error: type[ExportscreenError] = InputError, max_bytes: int | None = None) -> Any:
    """Read and parse a ``.json``, ``.yaml`` or ``.yml`` file."""
    text = read_text(path, error=error, max_bytes=max_bytes)
    if not text.strip():
        raise error("file is empty", path=path)
    if path.suffix.lower() == ".json":
        return parse_json(text, path=path, error=error)
    if _is_bundled(path):
        return _parse_bundled(text, path, error)
    return _parse_yaml_with_lines(text, path=path, error=error, fast=False)[0]


def _parse_bundled(text: str, path: Path, error: type[ExportscreenError]) -> Any:
    """A bundled YAML file, parsed once per content and kept in the user cache (``_cache``: keyed by
    the text, this module's code and PyYAML's version; a damaged or foreign blob is a miss). Every
    command reads some twenty of them: ~50 ms to parse, a few to unpickle."""
    h = hashlib.sha256(f"exportscreen-parsed\0{yaml.__version__}\0".encode())
    h.update(_parser_digest())
    h.update(text.encode("utf-8", "surrogatepass"))
    box = cached(
        "parsed",
        h.hexdigest(),
        lambda: (_parse_yaml_with_lines(text, path=path, error=error, fast=True)[0],),
        lambda hit: hit if isinstance(hit, tuple) and len(hit) == 1 else None,
    )
    return box[0]


@functools.cache
def _parser_digest() -> bytes:
    """The code that parses bundled YAML: this module and the nesting limit it shares with JSON."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(_json_io.__file__).read_bytes())
    return h.digest()


def load_model(
    path: Path, model: type[ModelT], *, error: type[ExportscreenError], not_mapping: str | None = None
) -> ModelT:
    """Read a data file and validate it into ``model``; every failure is ``error`` with path and field.

    ``not_mapping``: the message for a file that is not a mapping at all (what it should hold).
    """
    return bundled_model(path, model, "load_model", lambda: _validate(path, model, error, not_mapping))


def _validate(path: Path, model: type[ModelT], error: type[ExportscreenError], not_mapping: str | None) -> ModelT:
    data = load_data_file(path, error=error)
    if not_mapping is not None and not isinstance(data, dict):
        raise error(not_mapping, path=path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        location, message = format_validation_errors(exc.errors())
        raise error(message, path=path, location=location) from exc
