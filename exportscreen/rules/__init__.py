"""Rule packs: loading, cross-checking against tiers, groups and list codes, and evaluation."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError, format_validation_errors
from exportscreen._io import load_data_file, load_model
from exportscreen._validated import bundled_model
from exportscreen.geo import CountryGroups, load_country_groups, resolve_country
from exportscreen.licensing.end_use import load_end_use_words
from exportscreen.limits import LIMITS
from exportscreen.named_dates import resolve_dates
from exportscreen.registry.codes import known_list_codes
from exportscreen.rules.evaluate import Fired, evaluate_pack, fired_rules, most_severe
from exportscreen.rules.model import PackCases, RulePack
from exportscreen.tiers import TierSet, load_tiers

__all__ = [
    "Fired",
    "PackCases",
    "RulePack",
    "bundled_pack_paths",
    "evaluate_pack",
    "fired_rules",
    "known_list_codes",
    "load_pack",
    "load_pack_cases",
    "most_severe",
]


def bundled_pack_paths() -> list[Path]:
    """Every bundled pack: ``lists/packs/<id>/rules.yaml``."""
    return sorted((bundled_dir() / "packs").glob("*/rules.yaml"))


def _cross_check(pack: RulePack, tiers: TierSet, groups: CountryGroups) -> None:
    codes = known_list_codes()
    for c_index, code in enumerate(pack.requires_lists):
        if code not in codes and not code.startswith("X-"):
            raise PackError(
                f"unknown list code {code!r} (known: {', '.join(sorted(codes))}, or X-...)",
                path=pack.path,
                location=f"requires_lists.{c_index}",
            )
    for r_index, rule in enumerate(pack.rules):
        loc = f"rules.{r_index} ({rule.id})"
        for node in rule.when.walk():
            for code in node.list_codes():
                if code not in codes and not code.startswith("X-"):
                    raise PackError(
                        f"unknown list code {code!r} (known: {', '.join(sorted(codes))}, or X-...)",
                        path=pack.path,
                        location=loc,
                    )
            for tier in node.item_tier or ():
                if tier not in tiers.ids:
                    raise PackError(
                        f"unknown tier {tier!r} (known: {', '.join(sorted(tiers.ids))})", path=pack.path, location=loc
                    )
            named = {*(node.end_use_words or ()), *(node.address_words or ()), *(node.text_words or ())}
            unknown_words = sorted(named - set(load_end_use_words().categories))
            if unknown_words:
                raise PackError(
                    f"unknown end-use word categories {unknown_words} "
                    f"(known: {', '.join(sorted(load_end_use_words().categories))})",
                    path=pack.path,
                    location=loc,
                )
            mismatch, party_country = node.destination_mismatch, node.party_country
            for place in (node.destination, node.headquarters, node.owners_in, mismatch, party_country):
                if place is None:
                    continue
                for gid in (*place.groups, *place.exclude_groups):
                    if gid not in groups.groups:
                        raise PackError(
                            f"unknown country group {gid!r} (known: {', '.join(sorted(groups.groups))})",
                            path=pack.path,
                            location=loc,
                        )
                for code in place.countries:
                    try:
                        if resolve_country(code) != code:
                            raise ValueError(f"write the alpha-2 code {resolve_country(code)!r}")
                    except ValueError as exc:
                        raise PackError(f"country {code!r}: {exc}", path=pack.path, location=loc) from None


def _file_key(path: Path) -> tuple[Path, str]:
    """Which file ``path`` is now (resolved, sha256 of its bytes): the cache of loaded packs must not
    serve another file for the same name (another working directory) or an edited file."""
    try:
        if path.stat().st_size > LIMITS.max_file_bytes:
            return (path, "")  # the loader refuses it
        return (path.resolve(), hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return (path, "")  # the loader reports the problem


@cache
def _load_pack_cached(
    path: Path, file_key: tuple[Path, str], tiers_path: Path | None, groups_path: Path | None
) -> RulePack:
    pack = bundled_model(path, RulePack, f"load_pack:{path}", lambda: _validate_pack(path))
    _cross_check(pack, load_tiers(tiers_path), load_country_groups(groups_path))
    return pack


def _validate_pack(path: Path) -> RulePack:
    data = load_data_file(path, error=PackError)
    if not isinstance(data, dict):
        raise PackError("a rule pack is a mapping with format, id, version, description and rules", path=path)
    data = resolve_dates(data, path=path, error=PackError)
    try:
        return RulePack.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        loc, msg = format_validation_errors(exc.errors())
        raise PackError(msg, path=path, location=loc) from exc


def load_pack(
    path: str | Path,
    *,
    tiers: str | Path | None = None,
    groups: str | Path | None = None,
    switches: dict[str, bool] | None = None,
) -> RulePack:
    """Load and validate a rule pack (``rules.yaml``) against the tier and country-group files.

    ``switches`` sets some of the pack's switches otherwise (each must be one the pack declares).
    """
    pack = _load_pack_cached(
        Path(path), _file_key(Path(path)), Path(tiers) if tiers else None, Path(groups) if groups else None
    )
    if not switches:
        return pack
    unknown = sorted(set(switches) - set(pack.switches))
    if unknown:
        raise PackError(
            f"unknown switch(es) {', '.join(unknown)} (the pack sets: {', '.join(sorted(pack.switches)) or 'none'})",
            path=pack.path,
        )
    return pack.model_copy(update={"switches": {**pack.switches, **switches}})


def load_pack_cases(path: str | Path) -> PackCases:
    """Load the ``cases.yaml`` that sits beside a pack."""
    return load_model(Path(path), PackCases, error=PackError)
