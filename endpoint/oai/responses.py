"""The OAI-PMH XML envelope, headers, errors and resumption tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

#: What the OAI-PMH schema accepts in the attributes of <request>; other values are not echoed.
_ATTRIBUTE_PATTERNS = {
    "verb": re.compile(r"^(Identify|ListMetadataFormats|ListSets|GetRecord|ListIdentifiers|ListRecords)$"),
    "identifier": re.compile(r"^[^\s<>\"{}|\\^`]+$"),
    "metadataPrefix": re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$"),
    "from": re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$"),
    "until": re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$"),
    "set": re.compile(r"^([A-Za-z0-9\-_.!~*'()])+(:[A-Za-z0-9\-_.!~*'()]+)*$"),
    "resumptionToken": re.compile(r"^.*$", re.S),
}


def q(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_argument(name: str, value: str) -> bool:
    """Whether a value has the syntax OAI-PMH gives that argument (and can be echoed in <request>)."""
    pattern = _ATTRIBUTE_PATTERNS.get(name)
    return pattern is not None and bool(value) and bool(pattern.match(value)) and _xml_safe(value)


def envelope(base_url: str, arguments: dict[str, str] | None, response_date: str | None = None) -> etree._Element:
    """The OAI-PMH root with responseDate and request; arguments=None when they must not be echoed."""
    root = etree.Element(q("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    etree.SubElement(root, q("responseDate")).text = response_date or utc_now()
    request = etree.SubElement(root, q("request"))
    request.text = base_url
    for name, value in sorted((arguments or {}).items()):
        if valid_argument(name, value):
            request.set(name, value)
    return root


def error(root: etree._Element, code: str, message: str) -> None:
    element = etree.SubElement(root, q("error"), code=code)
    element.text = _xml_text(message)


def header(
    parent: etree._Element, identifier: str, datestamp: str, sets: list[str] | tuple[str, ...], deleted: bool
) -> etree._Element:
    element = etree.SubElement(parent, q("header"))
    if deleted:
        element.set("status", "deleted")
    etree.SubElement(element, q("identifier")).text = identifier
    etree.SubElement(element, q("datestamp")).text = datestamp
    for spec in sets:
        etree.SubElement(element, q("setSpec")).text = spec
    return element


def resumption_token(
    parent: etree._Element, token: str, complete_list_size: int, cursor: int, expiration: str | None = None
) -> None:
    element = etree.SubElement(parent, q("resumptionToken"))
    if token and expiration:
        element.set("expirationDate", expiration)
    element.set("completeListSize", str(complete_list_size))
    element.set("cursor", str(cursor))
    if token:
        element.text = token


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xml_safe(text: str) -> bool:
    return _xml_text(text) == text


def _xml_text(text: str) -> str:
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or 0x10000 <= ord(c) <= 0x10FFFF
    )
