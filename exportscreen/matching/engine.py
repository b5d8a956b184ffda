"""The name and address matcher over one registry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from exportscreen._data import bundled_dir
from exportscreen._io import load_data_file
from exportscreen.matching.base import Candidate
from exportscreen.matching.normalize import fold
from exportscreen.registry.model import Registry

__all__ = ["NameMatcher"]


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["exportscreen-words/1"]
    words: list[str]


@cache
def _legal_forms() -> frozenset[str]:
    data = _Words.model_validate(load_data_file(bundled_dir() / "names" / "legal_forms.yaml"))
    return frozenset(w for w in data.words if " " not in w)


_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9&]{1,9})\)")
_NUMBER = re.compile(r"\b\d+\b")
_ADDRESS_WORDS = {"rd": "road", "ave": "avenue", "av": "avenue", "st": "street", "bldg": "building", "no": ""}


def _core(folded: str) -> str:
    forms = _legal_forms()
    kept = [t for t in folded.split() if t not in forms]
    return " ".join(kept) if kept else folded


_ADDRESS_NOISE = {"new", "area", "district", "dist", "city", "province", "china", "prc", "pr", "hong", "kong"}


def _fold_address(text: str) -> str:
    """Address words expanded (rd -> road), noise words and 6-digit postal codes dropped."""
    words = [_ADDRESS_WORDS.get(t, t) for t in fold(text).split()]
    return " ".join(w for w in words if w and w not in _ADDRESS_NOISE and not (len(w) == 6 and w.isdigit()))


@dataclass(frozen=True, slots=True)
class _Name:
    entry_index: int
    text: str
    field: str
    folded: str
    core: str


class NameMatcher:
    """Exhaustive scorer: normalised exact and alias matching, then rapidfuzz similarity of cores."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        names: list[_Name] = []
        addresses: list[tuple[int, str, str]] = []
        for i, entry in enumerate(registry.entries):
            variants: list[tuple[str, str]] = [(entry.name, "name")]
            variants += [(a, "alias") for a in (*entry.aliases, *entry.weak_aliases, *entry.other_names)]
            variants += [(m.group(1), "alias") for m in _ACRONYM.finditer(entry.name)]
            for text, field in variants:
                folded = fold(text)
                if folded:
                    names.append(_Name(i, text, field, folded, _core(folded)))
            for addr in entry.addresses:
                folded_addr = _fold_address(addr)
                if folded_addr:
                    addresses.append((i, addr, folded_addr))
        self._names = names
        self._cores = [n.core for n in names]
        self._addresses = addresses
        self._address_keys = [a[2].replace(" ", "") for a in addresses]

    def _score(self, q_folded: str, q_core: str, name: _Name) -> tuple[float, str]:
        if q_folded == name.folded:
            return (100.0 if name.field == "name" else 97.0), "exact"
        if q_core == name.core:
            return (95.0 if name.field == "name" else 92.0), "exact_without_legal_form"
        sort = fuzz.token_sort_ratio(q_core, name.core)
        q_tokens, c_tokens = set(q_core.split()), set(name.core.split())
        if c_tokens and c_tokens < q_tokens and (len(c_tokens) >= 2 or len(name.core) >= 4):
            return max(90.0, sort * 0.95), "listed_name_contained"
        return sort * 0.95, "fuzzy"

    def search(
        self, name: str, *, country: str | None = None, limit: int | None = 5, min_score: float = 0.0
    ) -> list[Candidate]:
        q_folded = fold(name)
        if not q_folded:
            return []
        q_core = _core(q_folded)
        pre = process.extract(
            q_core, self._cores, scorer=fuzz.token_set_ratio, score_cutoff=max(min_score - 20, 0), limit=None
        )
        best: dict[int, Candidate] = {}
        for _choice, _pre, idx in pre:
            cand_name = self._names[idx]
            score, how = self._score(q_folded, q_core, cand_name)
            entry = self.registry.entries[cand_name.entry_index]
            adjust = 0.0
            if country and entry.country:
                adjust = 2.0 if entry.country == country else -5.0
            final = max(0.0, min(100.0, score + adjust))
            if final < min_score:
                continue
            prev = best.get(cand_name.entry_index)
            if prev is None or final > prev.score:
                best[cand_name.entry_index] = Candidate(
                    entry_index=cand_name.entry_index,
                    matched_name=cand_name.text,
                    matched_field=cand_name.field,
                    score=round(final, 1),
                    explanation={"method": how, "query_normalised": q_folded, "candidate_normalised": cand_name.folded,
                                 "country_adjustment": adjust},
                )
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.entry_index))
        return ranked if limit is None else ranked[:limit]

    def search_address(self, address: str, *, limit: int | None = 5, min_score: float = 0.0) -> list[Candidate]:
        q = _fold_address(address)
        q_key = q.replace(" ", "")
        if len(q_key) < 12:
            return []
        q_numbers = set(_NUMBER.findall(q))
        best: dict[int, Candidate] = {}
        for (idx, raw, folded), key in zip(self._addresses, self._address_keys, strict=True):
            if not q_numbers & set(_NUMBER.findall(folded)):
                continue
            score = fuzz.partial_ratio(q_key, key)
            if score < min_score:
                continue
            prev = best.get(idx)
            if prev is None or score > prev.score:
                best[idx] = Candidate(idx, raw, "address", round(score, 1),
                                      {"method": "address", "query_normalised": q, "candidate_normalised": folded})
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.entry_index))
        return ranked if limit is None else ranked[:limit]
