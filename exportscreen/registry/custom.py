"""Custom lists: any CSV, JSON or YAML list plus a small YAML file declaring its field mapping.

No code is needed for a new source. The mapping (``format: exportscreen-mapping/1``) lives either
beside the data file as ``<name>.mapping.yaml`` (``blocked.csv`` + ``blocked.mapping.yaml``; pass
the data file), or anywhere with a ``data:`` path relative to itself (pass the mapping file)::

    format: exportscreen-mapping/1
    data: blocked_customers.csv            # optional beside the data file
    records: entities                      # JSON/YAML: dotted key of the record array
    csv: {delimiter: ","}                  # CSV: a header row is required
    source:
      id: acme:blocked                     # unique among loaded sources
      name: ACME blocked customers
      list: X-BLOCKED-CUSTOMERS            # default list code of the entries
      as_of: 2026-06-30                    # declared date, or
      as_of_field: extracted               #   a top-level date in the data file
    id: customer_no                        # a field, or {hash: [name, country]}
    fields:                                # Entry field -> where its value comes from
      name: company
      aliases: {field: other_names, split: "|"}
      addresses: {fields: [street, city, country], join: ", "}
      country: country
      start_date: {field: blocked_since, date_format: "%d.%m.%Y"}
      end_date: {field: notes, pattern: "Expires: (\\d{4}-\\d{2}-\\d{2})"}
      type: {value: entity}

A field spec is a field name, or an object with exactly one of ``field`` (dotted path in JSON and
YAML records), ``fields`` (joined with ``join``) or ``value`` (a constant), then the optional steps
``split`` -> ``pattern`` (regex; its first group) -> ``strip_prefix`` / ``trim`` -> ``map`` ->
``default``. Dates are ISO unless ``date_format`` (strptime) is given; ``federal_register`` text is
split into notices. Without an ``as_of``/``as_of_field`` the newest start date is the as-of date.

The mapping is validated strictly (unknown keys are errors), a mapped column missing from a CSV
header or a key present in no record is an error, and every record failure names the data file
and its line (CSV) or record index (JSON/YAML). Records repeated verbatim are merged; the same id
with different content is an error.

Reading a data file's records is in ``registry.custom_records``, a record's entry fields in
``registry.custom_fields`` and the mapping's model in ``registry.custom_mapping``; this module
detects and loads a custom list and builds its source with the as-of date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from exportscreen._errors import ListError
from exportscreen._io import parse_json, parse_yaml
from exportscreen.registry.custom_fields import iter_entries
from exportscreen.registry.custom_mapping import FORMAT, Mapping, is_mapping_file, mapping_for, read_mapping
from exportscreen.registry.custom_records import csv_records, data_format, lookup, structured_records
from exportscreen.registry.listfile import build_entry, parse_date, read_list_text
from exportscreen.registry.model import Entry, Source

__all__ = ["FORMAT", "Mapping", "detect", "inputs", "load", "load_mapped", "mapping_for"]


def detect(path: Path) -> bool:
    if not path.is_file():
        return False
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            with path.open("rb") as fh:
                if FORMAT.encode() in fh.read(4096):
                    return True
        except OSError:
            return False
    return not is_mapping_file(path) and mapping_for(path) is not None


_Basis = Literal["file", "newest_listing", "declared", "unknown"]


def _as_of(mapping: Mapping, data: Path, doc: Any) -> tuple[dt.date | None, _Basis | None]:
    spec = mapping.source
    if spec.as_of is not None:
        return spec.as_of, "declared"
    if spec.as_of_field is None:
        return None, None
    found, value = lookup(doc, spec.as_of_field) if isinstance(doc, dict) else (False, None)
    if not found or value in (None, ""):
        raise ListError(f"as_of_field {spec.as_of_field!r} not found at the top level of the data file", path=data)
    if isinstance(value, dt.date):
        return value, "file"
    date, _ = parse_date(str(value), path=data, location=spec.as_of_field, field="as_of_field")
    return date, "file"


def load_mapped(mapping_path: Path, data: Path | None = None) -> tuple[list[Source], list[Entry]]:
    """Load a custom list from its mapping file (``data`` overrides the mapping's ``data:``)."""
    mapping = read_mapping(mapping_path)
    if data is None:
        if mapping.data is None:
            raise ListError("the mapping names no data file (data:)", path=mapping_path, location="data")
        data = (mapping_path.parent / mapping.data).resolve()
    if not data.is_file():
        raise ListError(f"data file {str(data)!r} named by the mapping is not found", path=mapping_path)
    used = set(mapping.id.source_fields())
    for field_spec in mapping.fields.values():
        used.update(field_spec.source_fields())
    text = read_list_text(data)
    if not text.strip():
        raise ListError("file is empty", path=data)
    fmt = data_format(mapping, data)
    doc: Any = None
    if fmt == "csv":
        records = csv_records(mapping, data, text, used)
    else:
        doc = (
            parse_json(text, path=data, error=ListError)
            if fmt == "json"
            else parse_yaml(text, path=data, error=ListError)
        )
        records = structured_records(mapping, data, doc, used)
    if not records:
        raise ListError("the data file holds no records", path=data)

    spec = mapping.source
    kept: dict[str, tuple[str, dict[str, Any]]] = {}
    repeats = 0
    for loc, fields in iter_entries(mapping, records, data):
        prior = kept.get(fields["id"])
        if prior is not None:
            if prior[1] == fields:
                repeats += 1
                continue
            differs = sorted(k for k in fields.keys() | prior[1].keys() if fields.get(k) != prior[1].get(k))
            raise ListError(
                f"duplicate id {fields['id']!r}: {prior[0]} has the same id but a different {', '.join(differs)}",
                path=data,
                location=loc,
            )
        kept[fields["id"]] = (loc, fields)
    entries = [build_entry({**f, "source": spec.id}, path=data, location=loc) for loc, f in kept.values()]

    as_of, basis = _as_of(mapping, data, doc)
    if basis is None:
        today = dt.date.today()
        listed = [e.start_date for e in entries if e.start_date is not None and e.start_date <= today]
        as_of, basis = (max(listed), "newest_listing") if listed else (None, "unknown")
    note = f"{repeats} repeated record(s) merged" if repeats else None
    derived = "; ".join(p for p in (spec.derived_from, f"mapping {mapping_path.name}", note) if p)
    source = Source(
        id=spec.id,
        name=spec.name,
        list=spec.list,
        as_of=as_of,
        as_of_basis=basis,
        url=spec.url,
        authority=spec.authority,
        derived_from=derived,
        path=str(data),
        format=f"custom-{fmt}",
    )
    return [source], entries


def inputs(path: Path) -> list[Path]:
    """The other file a custom list reads: the data file its mapping names, or the mapping beside its data."""
    if is_mapping_file(path):
        try:
            mapping = read_mapping(path)
        except ListError:
            return []
        data = (path.parent / mapping.data).resolve() if mapping.data else None
        return [data] if data is not None and data.is_file() else []
    beside = mapping_for(path)
    return [beside] if beside is not None else []


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    """Load a custom list given its mapping file or its data file (with the mapping beside it)."""
    if path.suffix.lower() in (".yaml", ".yml") and (is_mapping_file(path) or mapping_for(path) is None):
        return load_mapped(path)
    mapping_path = mapping_for(path)
    if mapping_path is None:
        raise ListError("no <name>.mapping.yaml beside this file declares its field mapping", path=path)
    mapping = read_mapping(mapping_path)
    if mapping.data is not None and (mapping_path.parent / mapping.data).resolve() != path.resolve():
        raise ListError(
            f"the mapping beside this file names another data file ({mapping.data!r})",
            path=mapping_path,
            location="data",
        )
    return load_mapped(mapping_path, path)
