"""Strict JSON parsing: duplicate keys, ``NaN``/``Infinity``, numbers that overflow to infinity and
nesting deeper than ``LIMITS.max_nesting_depth`` are errors of the caller's class, with the line where
the problem is."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from exportscreen._errors import ExportscreenError, InputError
from exportscreen.limits import LIMITS

__all__ = ["nesting_depth", "parse_json"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number (it overflows)")
    return value


def nesting_depth(data: Any) -> int:
    """Nesting depth of lists and dicts, computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if level > LIMITS.max_nesting_depth:
            break
        stack.extend((child, level) for child in children)
    return deepest


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}:\n]|-?Infinity|NaN|-?[0-9][0-9.eE+-]*')


def _json_problem_line(text: str, limit: int) -> int | None:
    """Line of the first duplicate key, non-finite number or over-deep bracket (the error path only)."""
    line = 1
    keys: list[set[str] | None] = []
    previous = ""
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
            continue
        if token in "[{":
            keys.append(set() if token == "{" else None)
            if len(keys) > limit:
                return line
        elif token in "]}":
            if keys:
                keys.pop()
        elif token == ":" and previous.startswith('"') and keys and keys[-1] is not None:
            key = previous
            if key in keys[-1]:
                return line
            keys[-1].add(key)
        elif token[0] in "-0123456789NI" and not token.startswith('"'):
            try:
                if not math.isfinite(float(token)):
                    return line
            except ValueError:
                pass
        previous = token
    return None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}; a repeated key must not override")
        out[key] = value
    return out


def parse_json(text: str, *, path: Path | str | None = None, error: type[ExportscreenError] = InputError) -> Any:
    """Parse JSON, rejecting duplicate keys, NaN/Infinity, overflowing numbers and deep nesting."""
    limit = LIMITS.max_nesting_depth
    too_deep = f"nesting deeper than the limit of {limit} levels (max_nesting_depth)"
    try:
        data = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_float=_finite_float
        )
    except json.JSONDecodeError as exc:
        raise error(f"JSON error: {exc.msg}", path=path, location=f"line {exc.lineno}, column {exc.colno}") from exc
    except ValueError as exc:
        line = _json_problem_line(text, limit)
        raise error(f"JSON error: {exc}", path=path, location=f"line {line}" if line else None) from exc
    except RecursionError:
        too_deep_data = True
    else:
        too_deep_data = nesting_depth(data) > limit
    if too_deep_data:
        line = _json_problem_line(text, limit)
        raise error(f"JSON error: {too_deep}", path=path, location=f"line {line}" if line else None)
    return data
