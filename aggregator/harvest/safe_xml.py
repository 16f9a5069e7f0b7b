"""XML parsing that hostile input cannot turn against us (no entities, no network, no DTD)."""

from __future__ import annotations

from typing import Any

from lxml import etree


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
    )


def parse_xml(data: bytes) -> Any:
    """Parse bytes into an element tree root; raises ``etree.XMLSyntaxError`` with the position."""
    root = etree.fromstring(data, parser=_parser())
    if root is None:
        raise etree.XMLSyntaxError("document vide", None, 0, 0)  # type: ignore[call-arg]
    return root
