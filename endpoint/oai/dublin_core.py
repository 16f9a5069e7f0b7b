"""oai_dc: simple Dublin Core from a record's graph."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from lxml import etree

from aggregator.enrich.themes import ThemeScheme
from aggregator.innovation_graph import CIS, DCT, PROV, SCHEMA
from endpoint.rdf import by_subject, first, language_of, theme_codes, values

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

#: dc:type of every record: a DCMI Type term and a French wording.
DC_TYPES = ("Text", "Innovation sociale")


def oai_dc(
    uri: str, triples: list[ox.Triple], themes: ThemeScheme, source_label: str, related: Sequence[str] = ()
) -> etree._Element:
    """Simple Dublin Core of a record; ``related``: URIs of the same innovation at other sources (owl:sameAs)."""
    graph = by_subject(triples)
    inn = graph.get(uri, {})
    place = graph.get(f"{uri}#place", {})
    record = graph.get(f"{uri}#record", {})
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    lang = language_of(inn, DCT + "title")

    def add(name: str, value: str, with_lang: bool = False) -> None:
        value = _clean(value)
        if not value:
            return
        element = etree.SubElement(root, f"{{{DC_NS}}}{name}")
        element.text = value
        if with_lang and lang:
            element.set("{http://www.w3.org/XML/1998/namespace}lang", lang)

    for title in values(inn, DCT + "title"):
        add("title", title, with_lang=True)
    for org in values(inn, CIS + "carriedBy"):
        add("creator", first(graph.get(org, {}), SCHEMA + "name"))
    seen_subjects: set[str] = set()
    for code in theme_codes(inn):
        label = themes.label_of(code)
        if label.casefold() not in seen_subjects:
            seen_subjects.add(label.casefold())
            add("subject", label, with_lang=True)
    for tag in values(inn, CIS + "tag"):
        if tag.casefold() not in seen_subjects:
            seen_subjects.add(tag.casefold())
            add("subject", tag, with_lang=True)
    for predicate in (DCT + "abstract", DCT + "description"):
        for text in values(inn, predicate):
            add("description", text, with_lang=True)
    add("publisher", source_label)
    for org in values(inn, CIS + "partner"):
        add("contributor", first(graph.get(org, {}), SCHEMA + "name"))
    started = first(inn, SCHEMA + "startDate")
    add("date", started or first(record, PROV + "generatedAtTime")[:10])
    for dc_type in DC_TYPES:
        add("type", dc_type)
    add("identifier", uri)
    add("identifier", first(inn, SCHEMA + "url"))
    add("source", first(record, PROV + "wasDerivedFrom"))
    for other in related:
        add("relation", other)
    add("language", lang or "fr")
    add("coverage", first(place, SCHEMA + "name"))
    add("coverage", first(place, CIS + "department"))
    add("coverage", first(place, CIS + "region"))
    return root


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (control characters from sources)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or 0x10000 <= ord(c) <= 0x10FFFF
    ).strip()
