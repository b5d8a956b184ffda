"""The 13 source lists the trade.gov Consolidated Screening List merges (``registry.csl``), and the
code of the list a record's published ``source`` name stands for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from exportscreen.registry.listfile import clean_text

__all__ = ["LISTS", "CslList", "list_code"]


@dataclass(frozen=True)
class CslList:
    code: str
    name: str
    authority: str
    treasury: bool


#: The 13 source lists: code -> description. Source names in a file are matched by their code in
#: parentheses, so renamed lists (``Capta List (CAP)`` / ``... (CAPTA)``) still map.
LISTS: dict[str, CslList] = {
    c.code: c
    for c in (
        CslList("EL", "Entity List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("MEU", "Military End User List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("UVL", "Unverified List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("DPL", "Denied Persons List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("DTC", "ITAR Debarred", "US Department of State, Directorate of Defense Trade Controls", False),
        CslList("ISN", "Nonproliferation Sanctions", "US Department of State, Bureau of International Security "
                "and Nonproliferation", False),
        CslList("SDN", "Specially Designated Nationals", "US Department of the Treasury, OFAC", True),
        CslList("SSI", "Sectoral Sanctions Identifications List", "US Department of the Treasury, OFAC", True),
        CslList("FSE", "Foreign Sanctions Evaders", "US Department of the Treasury, OFAC", True),
        CslList("CAP", "Correspondent Account or Payable-Through Account Sanctions (CAPTA) List",
                "US Department of the Treasury, OFAC", True),
        CslList("PLC", "Palestinian Legislative Council List", "US Department of the Treasury, OFAC", True),
        CslList("NS-MBS", "Non-SDN Menu-Based Sanctions List", "US Department of the Treasury, OFAC", True),
        CslList("CMIC", "Non-SDN Chinese Military-Industrial Complex Companies List",
                "US Department of the Treasury, OFAC", True),
    )
}  # fmt: skip

_CODE_ALIASES = {"CAPTA": "CAP", "NS-MBS LIST": "NS-MBS", "MBS": "NS-MBS", "NS-CMIC": "CMIC", "NS-PLC": "PLC"}
_PAREN = re.compile(r"\(([^()]+)\)")


def list_code(source_name: str) -> str | None:
    text = clean_text(source_name)
    upper = text.upper()
    if upper in LISTS:
        return upper
    if upper in _CODE_ALIASES:
        return _CODE_ALIASES[upper]
    for m in _PAREN.finditer(text):
        token = m.group(1).strip().upper()
        code = _CODE_ALIASES.get(token, token)
        if code in LISTS:
            return code
    return None
