"""trade.gov Consolidated Screening List (CSL): the 29-column CSV bulk file and the JSON form.

The CSL merges 13 US source lists (Commerce: EL, MEU, UVL, DPL; State: DTC, ISN; Treasury: SDN, SSI,
FSE, CAP, PLC, NS-MBS, CMIC). Each source list becomes its own ``Source`` (``csl:EL``, ``csl:SDN``,
...) so entry counts per list stay visible, and every entry keeps its source-native id: the OFAC
``entity_number`` for Treasury rows (the CSL ``_id`` repeats it across Treasury lists), the CSL
``_id`` (a SHA-1) for the others.

Published quirks handled here (see ``../shared/data/csl/PROVENANCE.md``):

* multi-valued fields joined by ``"; "`` (``alt_names`` is also split on a bare ``;``);
* Entity List aliases in Federal-Register wording (``"and SMIC North"``: an affiliate, kept as an
  alias without the ``"and "``), alias prefixes such as ``f.k.a.``, names ending in ``", "``;
  embedded newlines and stray whitespace;
* a blank ``type`` on every BIS/State row: an entity unless the row clearly names a person;
* several Federal Register notices in one field without a separator;
* mangled two-digit years (``0017-05-26``): a date before 1980 is not believed; it is dropped (the
  entry then counts as listed at any date, the cautious reading) and the published text is kept in
  ``remarks``;
* the same record published twice in one list (CAP ``15268``): identical repeats are merged, a
  repeated id with different content is an error.

The file carries no publication date, so a source's as-of date is the newest listing date in the
file (``as_of_basis="newest_listing"``); the JSON form's ``sources_used[].source_last_updated``
is used when present (``as_of_basis="file"``).

The source lists are in ``registry.csl_lists``, reading the CSV and JSON records in
``registry.csl_rows``, a record's entry fields in ``registry.csl_entries``; this module detects and
loads a file and builds the sources with their as-of dates. The CSV, date and text helpers shared
with the other list loaders are in ``registry.listfile``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from exportscreen._errors import ListError
from exportscreen.registry.csl_entries import convert
from exportscreen.registry.csl_lists import LISTS
from exportscreen.registry.csl_rows import COLUMNS, Row, csv_rows, json_rows, merge_repeat
from exportscreen.registry.listfile import GZIP_MAGIC, build_entry, clean_text, read_list_text
from exportscreen.registry.model import Entry, Source

__all__ = ["COLUMNS", "LISTS", "detect", "load"]


def _build(
    rows: list[Row], path: Path, fmt: str, last_updated: Mapping[str, dt.date]
) -> tuple[list[Source], list[Entry]]:
    converted: dict[tuple[str, str], tuple[Row, str, dict[str, Any], dt.date | None]] = {}
    repeats: dict[str, int] = {}
    for row in rows:
        code, fields, listed = convert(row, path)
        key = (code, fields["id"])
        prior = converted.get(key)
        if prior is not None:
            merge_repeat(prior[0], row, code, fields["id"], path)
            code, fields, listed = convert(prior[0], path)
            repeats[code] = repeats.get(code, 0) + 1
            converted[key] = (prior[0], code, fields, listed)
            continue
        converted[key] = (row, code, fields, listed)
    if not converted:
        raise ListError("the CSL file holds no records", path=path)

    today = dt.date.today()
    newest = max((d for *_, d in converted.values() if d is not None and d <= today), default=None)
    per_list: dict[str, list[Entry]] = {}
    urls: dict[str, dict[str, int]] = {}
    published: dict[str, str] = {}
    for row, code, fields, _listed in converted.values():
        source_id = f"csl:{code}"
        published.setdefault(code, clean_text(row.values.get("source")))
        entry = build_entry({**fields, "source": source_id}, path=path, location=row.location)
        per_list.setdefault(code, []).append(entry)
        if entry.source_url:
            counter = urls.setdefault(code, {})
            counter[entry.source_url] = counter.get(entry.source_url, 0) + 1
    sources: list[Source] = []
    entries: list[Entry] = []
    for code in LISTS:
        if code not in per_list:
            continue
        info = LISTS[code]
        as_of = last_updated.get(code)
        basis: Literal["file", "newest_listing", "unknown"] = "file"
        if as_of is None:
            as_of, basis = newest, ("newest_listing" if newest else "unknown")
        url_counts = urls.get(code, {})
        note = f"; {repeats[code]} repeated record(s) merged" if code in repeats else ""
        sources.append(
            Source(
                id=f"csl:{code}",
                name=published[code] or info.name,
                list=code,
                as_of=as_of,
                as_of_basis=basis,
                url=max(url_counts, key=url_counts.__getitem__) if url_counts else None,
                authority=info.authority,
                derived_from=f"trade.gov Consolidated Screening List{note}",
                path=str(path),
                format=fmt,
            )
        )
        entries.extend(per_list[code])
    return sources, entries


def _sniff(path: Path) -> tuple[bytes, bool]:
    """The first bytes of the (decompressed) content and whether it was gzipped."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if head[:2] == GZIP_MAGIC:
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(65536), True
        except (OSError, EOFError, zlib.error):
            return b"", True
    return head, False


def detect(path: Path) -> bool:
    """A CSV whose header has the CSL ``_id``/``source``/``name`` columns, or a JSON with ``results``."""
    if not path.is_file():
        return False
    try:
        head, _ = _sniff(path)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return '"results"' in text and '"source"' in text and '"name"' in text
    first = text.split("\n", 1)[0]
    columns = {c.strip().strip('"') for c in first.split(",")}
    return {"_id", "source", "name"} <= columns


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    """Load a CSL bulk file (CSV or JSON, optionally gzipped) into one Source per source list."""
    text = read_list_text(path)
    if text.lstrip().startswith("{"):
        rows, updated = json_rows(text, path)
        return _build(rows, path, "csl-json", updated)
    if not text.strip():
        raise ListError("file is empty: expected the CSL header row", path=path)
    return _build(csv_rows(text, path), path, "csl-csv", {})
