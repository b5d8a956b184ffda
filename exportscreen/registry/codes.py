"""The list codes a list entry may carry and a rule pack may name (``lists/list_codes.yaml``)."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model

__all__ = ["known_list_codes"]


class _Codes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-list-codes/1"]
    codes: dict[str, str]


@cache
def known_list_codes() -> frozenset[str]:
    """Every known list code (custom lists use codes of their own that start with "X-")."""
    return frozenset(load_model(bundled_dir() / "list_codes.yaml", _Codes, error=PackError).codes)
