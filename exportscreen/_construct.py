"""Building pydantic models from values the code has already checked, without validation, compactly.

``BaseModel.model_construct`` gives every instance its own ``__dict__`` key table and field-name
set (about 3 KB for an ``Entry``) and walks the aliases of every field on each call. ``fill`` sets
the fields one by one in declaration order, so CPython gives every instance of a class one shared
key table, and shares one field-name set per distinct set (models built here are frozen: pydantic
never mutates it). For the tens of thousands of list entries a registry holds, and the party
matches, reasons and decisions ``screen()`` builds for every transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["construct", "fill", "shared_fields_set"]

_M = TypeVar("_M", bound=BaseModel)

_SHARED_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def fill(model: BaseModel, values: Mapping[str, Any], fields_set: set[str] | None = None) -> None:
    """Set the fields of a fresh (``__new__``) ``model`` from ``values``, defaults for the rest;
    values that are not fields (a cached property's) follow the fields."""
    setattr_ = object.__setattr__
    fields = type(model).__pydantic_fields__
    for name, info in fields.items():
        setattr_(model, name, values[name] if name in values else info.get_default(call_default_factory=True))
    extra = values.keys() - fields.keys()
    for name in extra:
        setattr_(model, name, values[name])
    if fields_set is None:
        given = frozenset(values.keys() - extra) if extra else frozenset(values)
    else:
        given = frozenset(fields_set)
    setattr_(model, "__pydantic_fields_set__", shared_fields_set(given))
    setattr_(model, "__pydantic_extra__", None)
    setattr_(model, "__pydantic_private__", None)


def shared_fields_set(given: frozenset[str]) -> set[str]:
    """The one field-name set shared by every model built with these fields set (never mutated)."""
    shared = _SHARED_FIELDS_SETS.get(given)
    if shared is None:
        shared = _SHARED_FIELDS_SETS.setdefault(given, set(given))
    return shared


def construct(cls: type[_M], **values: Any) -> _M:
    """An instance of ``cls`` from already checked ``values`` (no validation; see module doc)."""
    model = cls.__new__(cls)
    fill(model, values)
    return model
