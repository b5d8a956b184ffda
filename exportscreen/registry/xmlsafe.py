"""Reading official XML list files safely (OFAC enhanced XML, UN Security Council consolidated list).

The standard library's expat parser builds the tree, with every DTD refused: a document type
declaration, an entity declaration or an external entity reference is an error. Official list files
have none, and a DTD is what XML bombs ("billion laughs", quadratic blow-up) and external-entity
reads need, so refusing it closes them all (the protection of ``defusedxml``'s ``forbid_dtd``,
without a dependency). Files and zip members are size-checked before they are read or inflated.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
import zipfile
from pathlib import Path
from typing import NoReturn

from exportscreen._errors import ListError
from exportscreen.limits import LIMITS

__all__ = ["parse_xml", "read_xml_bytes", "text_of"]


class _Refused(Exception):
    pass


def _refuse(*_args: object) -> NoReturn:
    raise _Refused


def parse_xml(data: bytes, path: Path) -> ET.Element:
    """The root element of ``data``; a DTD, entity declaration or malformed XML raises ``ListError``."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start("{" + tag if "}" in tag else tag, attrs)

    def end(tag: str) -> None:
        builder.end("{" + tag if "}" in tag else tag)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(data, True)
    except _Refused:
        raise ListError(
            "the XML declares a DTD or entities; refused (official list files have none, and XML bombs need one)",
            path=path,
            location=f"line {parser.CurrentLineNumber}",
        ) from None
    except expat.ExpatError as exc:
        raise ListError(
            f"malformed XML: {expat.ErrorString(exc.code)}", path=path, location=f"line {exc.lineno}"
        ) from exc
    root: ET.Element = builder.close()
    return root


def read_xml_bytes(path: Path, member_suffix: str = ".xml") -> bytes:
    """The bytes of an XML file, or of the one ``*.xml`` member of a zip file, within the size limit."""
    limit = LIMITS.max_file_bytes
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [i for i in archive.infolist() if i.filename.lower().endswith(member_suffix)]
                if len(members) != 1:
                    raise ListError(f"expected one {member_suffix} file in the zip, found {len(members)}", path=path)
                (member,) = members
                if member.file_size > limit:
                    raise ListError(f"{member.filename} inflates to {member.file_size} bytes, over {limit}", path=path)
                with archive.open(member) as fh:
                    data = fh.read(limit + 1)
        else:
            if path.stat().st_size > limit:
                raise ListError(f"file is over the limit of {limit} bytes", path=path)
            data = path.read_bytes()
    except (OSError, zipfile.BadZipFile) as exc:
        raise ListError(f"cannot read: {exc}", path=path) from exc
    if len(data) > limit:
        raise ListError(f"content is over the limit of {limit} bytes", path=path)
    return data


def text_of(element: ET.Element | None, tag: str = "") -> str:
    """Whitespace-collapsed text of ``element`` (or of its first ``tag`` child); "" when absent."""
    node = element.find(tag) if element is not None and tag else element
    return " ".join((node.text or "").split()) if node is not None else ""
