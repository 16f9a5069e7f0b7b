"""RDF formats offered by content negotiation, and reading a record's graph for display."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from aggregator.enrich.themes import THEMES_NS
from aggregator.innovation_graph import CIS, DCT, GEO, ORE, PROV, SCHEMA

#: media type -> (pyoxigraph format, file extension)
RDF_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "ttl"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "jsonld"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "rdf"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "nt"),
}
#: ``?format=`` shortcuts, for links and for people without an Accept header at hand.
FORMAT_ALIASES = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "json": "application/ld+json",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "html": "text/html",
}
PREFIXES = {
    "cis": CIS,
    "schema": SCHEMA,
    "dcterms": DCT,
    "prov": PROV,
    "ore": ORE,
    "geo": GEO,
    "theme": THEMES_NS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def serialize(triples: list[ox.Triple], media_type: str) -> bytes:
    fmt, _ = RDF_FORMATS[media_type]
    if fmt in (ox.RdfFormat.TURTLE,):
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return ox.serialize(triples, format=fmt)


def by_subject(triples: list[ox.Triple]) -> dict[str, dict[str, list[ox.NamedNode | ox.Literal]]]:
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type: ignore[type-arg]
    for t in triples:
        out[t.subject.value][t.predicate.value].append(t.object)
    return out


def values(node: dict[str, list], predicate: str) -> list[str]:  # type: ignore[type-arg]
    return sorted({o.value for o in node.get(predicate, [])})


def first(node: dict[str, list], predicate: str) -> str:  # type: ignore[type-arg]
    found = values(node, predicate)
    return found[0] if found else ""


def language_of(node: dict[str, list], predicate: str) -> str:  # type: ignore[type-arg]
    for o in node.get(predicate, []):
        if isinstance(o, ox.Literal) and o.language:
            return o.language
    return ""


def theme_codes(inn: dict[str, list]) -> list[str]:  # type: ignore[type-arg]
    return sorted({v.removeprefix(THEMES_NS) for v in values(inn, CIS + "theme") if v.startswith(THEMES_NS)})
