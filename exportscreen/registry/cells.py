"""Reading the printed cells of the Entity List and MEU List: addresses, a.k.a.s, licence footnotes.

The official lists print each entry as one table cell of running text: several addresses joined by
"; and ", a.k.a. lists that an extraction may leave inside the name or the address, footnote digits
glued to the section numbers of the licence requirement ("734.9(g),3 746.8(a)(3)"). These functions
turn one cell into the separate values an ``Entry`` holds, and say which repair they made, so the
build can count them. Each is a pure function of its text; nothing is dropped (text that is not an
address, such as "(See alternate address under China)", is returned as a remark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exportscreen.registry.listfile import clean_name, clean_text

__all__ = ["Cell", "footnotes", "read_cell", "split_addresses"]

#: Labels in front of an address ("Address:", "Addresses for Huawei Technologies Co., Ltd.:").
_LABEL = re.compile(r"^\s*(?:Addresses?\s+for\s+[^:]{1,120}:|Address(?:es)?:)\s*", re.IGNORECASE)
#: "Alt Address:" inside a cell starts another address.
_ALT_LABEL = re.compile(r"\s*\b(?:Alt\.?|Alternate)\s+Address(?:es)?:\s*", re.IGNORECASE)
#: Cross-references to the entry's addresses under another country.
_SEE = re.compile(r"\s*\((?:See|Se)\b[^()]*\)\.?", re.IGNORECASE)
#: An a.k.a. list at the start of the address cell: "(a.k.a., Paya Complex), No 3 ..." .
_AKA_LEAD = re.compile(r"^\(a\.k\.a\.?,?\s*([^()]*)\),?\s*", re.IGNORECASE)
#: "a.k.a., the following two aliases:" left in front of the address (the aliases were extracted).
_AKA_INTRO = re.compile(r"^a\.k\.a\.?,?\s*(?:the following [a-z-]+ alias(?:es)?:?\s*)?", re.IGNORECASE)
#: An a.k.a. opened in the name: "Lukoil, OAO (a.k.a. Lukoil" or "Mesbah Energy Company (a.k.a. “MEC”)".
_AKA_IN_NAME = re.compile(
    r"\s*\(a\.k\.a\.?,?\s*(?P<inner>[^()]*(?:\([^()]*\)[^()]*)*)(?P<close>\))?\s*$", re.IGNORECASE
)
#: Separators of an a.k.a. list written in running text.
_AKA_SPLIT = re.compile(r",\s+|\s+and\s+")
#: Legal-form words after which a full stop belongs to the name ("APEX Ltd., 26 General Belov St").
_LEGAL_ABBREVIATIONS = frozenset(
    {"ltd", "llc", "inc", "corp", "co", "jsc", "oao", "ooo", "zao", "pjsc", "pvt", "pte", "gmbh", "s.a", "a.s", "bv"}
)
#: Abbreviations after which a full stop does not end the name ("Co. Ltd.", "No. 5", "St. Petersburg").
_NOT_AN_END = frozenset({"co", "no", "st", "mr", "dr", "jr", "sr", "nos", "bldg", "ave", "rd", "pr", "ul"})
#: Where a name glued to an address may end: a comma or full stop (maybe after a quote) and a space.
_NAME_END = re.compile(r"['\"”’]?[.,]['\"”’]?\s+")
#: The label between the subordinate institutions an address cell names and the addresses they share:
#: "The following addresses apply to the entity and to the seven subordinate institutions:".
_SUBORDINATES_LABEL = re.compile(
    r"\s*The following addresses apply to the entity and (?:to )?(?:the|its) [a-z-]+ subordinate institutions?:\s*",
    re.IGNORECASE,
)
#: A subordinate institution named in the address cell: "Subordinate institution Brainware Terahertz".
_SUBORDINATE_WORDS = re.compile(r"^Subordinate institution\s+", re.IGNORECASE)
#: ... in front of the addresses: "Subordinate institution Beijing Laiyin Company Ltd, a.k.a., ..., No. 10".
_SUBORDINATE_LEAD = re.compile(r"^Subordinate institution\s+(?P<own>[^,]+?),\s*(?=a\.k\.a|No\.|\d)", re.IGNORECASE)
#: The name cell of a subordinate: "... (CETC 13) subordinate institution: Bowei Integrated Circuits".
_SUBORDINATE_IN_NAME = re.compile(r"\bsubordinate institution:\s*(?P<own>.*)$", re.IGNORECASE)
#: Where one subordinate's name ends and the next begins in a run of them ("Anhui Sun-Create Electronics.
#: Anhui Bowei Chang An Electronics.").
_NAME_STOP = re.compile(r"\.\s+(?=\S)")
#: Footnote digits of the licence column: after a closing parenthesis, "),", or "EAR", before a space,
#: a comma or the end ("734.9(g),3 746.8", "734.9(e) 1 and", "of the EAR 2", "of the EAR) 4").
_FOOTNOTE = re.compile(r"(?:(?<=\))|(?<=\),)|(?<=EAR))\s?([1-9])(?=[\s,]|$)")


@dataclass
class Cell:
    """One entry's name, aliases and addresses after reading its cells, and what was repaired."""

    name: str
    aliases: list[str]
    addresses: list[str]
    remarks: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


def _aka_names(text: str) -> list[str]:
    return [n for n in (clean_name(p).strip("“”\"'") for p in _AKA_SPLIT.split(text)) if n]


def _split_name_and_aka(name: str) -> tuple[str, list[str], bool]:
    """``(name without the a.k.a., its a.k.a. names, whether the parenthesis was left open)``."""
    m = _AKA_IN_NAME.search(name)
    if m is None or m.start() == 0:
        return name, [], False
    return clean_name(name[: m.start()]), _aka_names(m.group("inner")), m.group("close") is None


def _subordinate_names(run: str) -> list[str]:
    """The names of a run of subordinate institutions ("A Electronics. B Electric. Subordinate institution C.")."""
    out: list[str] = []
    start = 0
    for m in _NAME_STOP.finditer(run + " "):
        head = run[start : m.start()]
        if head.split() and head.split()[-1].lower().strip(".") in _NOT_AN_END:
            continue  # "Co. Ltd.": the name goes on
        name = clean_name(_SUBORDINATE_WORDS.sub("", head.strip()))
        if name:
            out.append(name)
        start = m.end()
    tail = clean_name(_SUBORDINATE_WORDS.sub("", run[start:].strip(" .")))
    return [*out, tail] if tail else out


def _subordinates(cell: Cell, rest: str) -> str:
    """Take the subordinate institutions a cell names as names of its entry (they are listed with it);
    ``rest``: the address cell, returned without them."""
    own = _SUBORDINATE_IN_NAME.search(cell.name)
    if own is not None and clean_name(own.group("own")):
        cell.aliases.append(clean_name(own.group("own")))
        cell.repairs.append("subordinate-in-name")
    label = _SUBORDINATES_LABEL.search(rest)
    if label is not None:
        cell.aliases.extend(_subordinate_names(rest[: label.start()]))
        rest = rest[label.end() :]
        cell.repairs.append("subordinates-in-address")
    lead = _SUBORDINATE_LEAD.match(rest)
    if lead is not None:
        cell.aliases.append(clean_name(lead.group("own")))
        rest = rest[lead.end() :]
        cell.repairs.append("subordinates-in-address")
    return rest


def _glued_address(alias: str) -> tuple[str, str] | None:
    """An alias that runs into the entry's address ("EMEC, Suite 7, Floor 6, ... Pakistan") split
    into the alias and the address; None when no split point looks like the end of a name."""
    for m in _NAME_END.finditer(alias):
        head, rest = alias[: m.start()], alias[m.end() :]
        if not head.split() or not any(ch.isdigit() for ch in rest):
            continue
        last = head.split()[-1].strip("'\"”’.").lower()
        if not rest[0].isdigit() and (last in _NOT_AN_END or "." in last):
            continue  # "Co. Ltd.", "M.A.G. Tech": the name goes on
        stop = "." if m.group(0).lstrip("'\"”’").startswith(".") and last in _LEGAL_ABBREVIATIONS else ""
        name = clean_name(head + stop)
        if name:
            return name, clean_text(rest)
    return None


def _country_words(countries: tuple[str, ...]) -> str:
    names = sorted({c for c in (*countries, "China", "Hong Kong") if c}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _split_at(pattern: re.Pattern[str], text: str) -> list[str]:
    """``text`` split at the ``sep`` group of each match of ``pattern``."""
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start("sep")])
        last = m.end("sep")
    out.append(text[last:])
    return out


def split_addresses(cell: str, countries: tuple[str, ...] = ()) -> tuple[list[str], list[str], list[str]]:
    """``(addresses, remarks, repairs)`` of one address cell.

    Addresses are split at every ";" ("; and "), at "Alt Address:", and at " and " or ". " where the
    text before ends with a country name (``countries``, China, Hong Kong) or a postal code: never
    inside "Rooms 610 and 611". Labels ("Address:") and trailing full stops go; cross-references
    ("(See alternate address under China)") become remarks.
    """
    remarks = [clean_text(m.group(0)).strip(" .()") for m in _SEE.finditer(cell)]
    text = clean_text(_SEE.sub("", cell))
    repairs: list[str] = []
    labelled = _LABEL.sub("", text)
    if labelled != text:
        repairs.append("address-label")
    pieces = [p for p in _ALT_LABEL.split(labelled) if p.strip()]
    if len(pieces) > 1:
        repairs.append("alt-address")
    country = _country_words(countries)
    joins = re.compile(rf"(?:\b(?:{country})|\d{{4,}})(?P<sep>,?\.?\s+and\s+)(?=\S)")
    sentences = re.compile(rf"\b(?:{country})(?P<sep>\.\s+)(?=[A-Z0-9])")
    out: list[str] = []
    for piece in pieces:
        for part in re.split(r"\s*;\s*(?:and\b\s*;?\s*)?", piece):
            for sub in _split_at(joins, part):
                for address in _split_at(sentences, sub):
                    cleaned = clean_text(address).strip(" .,;")
                    if not cleaned or cleaned.lower() == "and":
                        continue
                    if out and not any(ch.isdigit() for ch in cleaned) and len(cleaned.split()) == 1:
                        out[-1] = f"{out[-1]}, {cleaned}"  # "Hunan Province; China": one address
                        continue
                    out.append(cleaned)
    return out, remarks, repairs


def read_cell(name: str, aliases: list[str], address: str | None, countries: tuple[str, ...] = ()) -> Cell:
    """Name, printed aliases and addresses of one Entity List or MEU row, with extraction slips repaired:
    an a.k.a. left in the name or at the start of the address becomes aliases, the subordinate
    institutions printed in the name or in front of the addresses become names of the entry, and an
    address glued to the last alias of a row without an address becomes its address."""
    cell = Cell(name=clean_name(name), aliases=[clean_name(a) for a in aliases if clean_name(a)], addresses=[])
    rest = _subordinates(cell, clean_text(address))
    bare, akas, left_open = _split_name_and_aka(cell.name)
    if akas or left_open:
        cell.name = bare
        if left_open and not akas and "), " in rest:  # "Sabanican Company (a.k.a." + "Sabanican Pad Co.), Unit #23"
            inner, rest = rest.split("), ", 1)
            akas = _aka_names(inner)
        cell.aliases.extend(akas)
        cell.repairs.append("aka-in-name")
    m = _AKA_LEAD.match(rest)
    if m is not None:
        cell.aliases.extend(_aka_names(m.group(1)))
        rest = rest[m.end() :]
        cell.repairs.append("aka-in-address")
    else:
        intro = _AKA_INTRO.match(rest)
        if intro is not None and intro.group(0):
            rest = rest[intro.end() :]
            cell.repairs.append("aka-in-address")
    if not rest and cell.aliases:
        glued = _glued_address(cell.aliases[-1])
        if glued is not None:
            cell.aliases[-1], rest = glued
            cell.repairs.append("address-in-alias")
    if rest:
        cell.addresses, cell.remarks, repairs = split_addresses(rest, countries)
        cell.repairs.extend(repairs)
    return cell


def footnotes(requirement: str) -> tuple[str, tuple[int, ...]]:
    """The licence requirement without its footnote digits, and the footnote numbers in print order."""
    found = tuple(int(m.group(1)) for m in _FOOTNOTE.finditer(requirement))
    if not found:
        return clean_text(requirement), ()
    text = _FOOTNOTE.sub("", requirement)
    return clean_text(re.sub(r"\s+([,.)])", r"\1", text)), found
