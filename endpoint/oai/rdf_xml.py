"""The ``rdf`` metadata format: the record's whole graph as RDF/XML, so that a partner loses nothing.

Partners who want the vocabulary rather than simple Dublin Core harvest ``metadataPrefix=rdf``:
the ``<metadata>`` element carries one ``rdf:RDF`` element whose triples are exactly those of the
record's named graph (the tests parse it back with pyoxigraph and compare).
"""

from __future__ import annotations

import logging

import pyoxigraph as ox
from lxml import etree

from endpoint.rdf import PREFIXES

log = logging.getLogger(__name__)

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_SCHEMA = "http://www.openarchives.org/OAI/2.0/rdf.xsd"

_PARSER = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)


def rdf_xml(triples: list[ox.Triple]) -> etree._Element | None:
    """The graph as an ``rdf:RDF`` element, or None if it cannot be written as XML 1.0 (logged)."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    try:
        data = ox.serialize(ordered, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)
        return etree.fromstring(data, _PARSER)
    except (ValueError, etree.XMLSyntaxError) as exc:
        # A literal with a character XML 1.0 cannot carry, or a predicate RDF/XML cannot name.
        log.warning("Graphe non sérialisable en RDF/XML : %s", exc)
        return None
