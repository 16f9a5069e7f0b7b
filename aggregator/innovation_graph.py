"""The RDF description of one mapped record, in the Carrefour vocabulary.

No blank nodes: places and provenance get hash URIs under the record, so that the same input
always yields the same triples and a re-harvest leaves the store equal to itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from aggregator.enrich.themes import ThemeScheme
from aggregator.mapped import MappedRecord
from aggregator.text import slugify

CIS = "https://w3id.org/carrefour/vocab#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORE = "http://www.openarchives.org/ore/terms/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"


def N(iri: str) -> ox.NamedNode:  # noqa: N802 - reads like the RDF it builds
    return ox.NamedNode(iri)


@dataclass(frozen=True)
class RecordContext:
    base_url: str
    record_id: str
    source_id: str
    source_identifier: str
    crosswalk_version: str
    harvested_at: str

    @property
    def uri(self) -> str:
        return f"{self.base_url}/id/innovation/{self.record_id}"


class MappingError(ValueError):
    """A record that cannot become an innovation (for example, it has no title)."""


def innovation_triples(mapped: MappedRecord, ctx: RecordContext, themes: ThemeScheme) -> list[ox.Triple]:
    title = mapped.first("title")
    if not title:
        raise MappingError("la notice n'a pas de titre")
    lang = mapped.first("language") or "fr"
    inn = N(ctx.uri)
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, N(p), o))

    def text(value: str) -> ox.Literal:
        return ox.Literal(value, language=lang)

    add(inn, str(RDF_TYPE.value), N(CIS + "SocialInnovation"))
    add(inn, str(RDF_TYPE.value), N(SCHEMA + "Project"))
    add(inn, DCT + "title", text(title))
    add(inn, SCHEMA + "name", text(title))
    for summary in mapped.all("summary")[:1]:
        add(inn, DCT + "abstract", text(summary))
    for description in mapped.all("description")[:1]:
        add(inn, DCT + "description", text(description))
    for tag in mapped.all("tags"):
        add(inn, CIS + "tag", text(tag))
        for theme in themes.align(tag):
            add(inn, CIS + "theme", N(theme.uri))
            if theme.broader:
                add(inn, CIS + "theme", N(theme.broader))
    for website in mapped.all("website")[:1]:
        if website.startswith(("http://", "https://")):
            add(inn, SCHEMA + "url", N(website))
    for started in mapped.all("started")[:1]:
        literal = _date_literal(started)
        if literal is not None:
            add(inn, SCHEMA + "startDate", literal)
    _add_place(inn, mapped, add)
    organisations = mapped.all("organisation")[:1]
    for name in organisations:
        org = _organisation(ctx, name)
        add(inn, CIS + "carriedBy", org)
        add(org, str(RDF_TYPE.value), N(CIS + "Organisation"))
        add(org, SCHEMA + "name", ox.Literal(name))
        for actor in mapped.all("actor_type")[:1]:
            add(org, CIS + "actorTypeLabel", ox.Literal(actor, language=lang))
    for name in mapped.all("partners"):
        org = _organisation(ctx, name)
        add(inn, CIS + "partner", org)
        add(org, str(RDF_TYPE.value), N(CIS + "Organisation"))
        add(org, SCHEMA + "name", ox.Literal(name))

    source = N(f"{ctx.base_url}/id/source/{ctx.source_id}")
    add(inn, DCT + "source", source)
    record = N(f"{ctx.uri}#record")
    add(record, str(RDF_TYPE.value), N(CIS + "Record"))
    add(record, str(RDF_TYPE.value), N(ORE + "Aggregation"))
    add(record, str(RDF_TYPE.value), N(PROV + "Entity"))
    add(record, ORE + "aggregates", inn)
    add(record, DCT + "source", source)
    add(record, CIS + "sourceIdentifier", ox.Literal(ctx.source_identifier))
    add(record, CIS + "crosswalkVersion", ox.Literal(ctx.crosswalk_version))
    add(record, PROV + "generatedAtTime", ox.Literal(ctx.harvested_at, datatype=N(XSD + "dateTime")))
    for url in mapped.all("url")[:1]:
        if url.startswith(("http://", "https://")):
            add(record, PROV + "wasDerivedFrom", N(url))
    return out


def _organisation(ctx: RecordContext, name: str) -> ox.NamedNode:
    return N(f"{ctx.base_url}/id/organisation/{slugify(name)}")


def _add_place(inn: ox.NamedNode, mapped: MappedRecord, add: Callable[..., None]) -> None:
    fields = {k: mapped.first(k) for k in ("commune", "insee", "postal_code", "department", "region", "lat", "lon")}
    if not any(fields.values()):
        return
    place = N(f"{inn.value}#place")
    add(inn, SCHEMA + "location", place)
    add(place, str(RDF_TYPE.value), N(SCHEMA + "Place"))
    if fields["commune"]:
        add(place, SCHEMA + "name", ox.Literal(fields["commune"]))
    if fields["insee"]:
        add(place, CIS + "inseeCode", ox.Literal(fields["insee"]))
    if fields["postal_code"]:
        add(place, SCHEMA + "postalCode", ox.Literal(fields["postal_code"]))
    if fields["department"]:
        add(place, CIS + "department", ox.Literal(fields["department"]))
    if fields["region"]:
        add(place, CIS + "region", ox.Literal(fields["region"]))
    try:
        lat, lon = float(fields["lat"]), float(fields["lon"])
    except ValueError:
        return
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        add(place, GEO + "lat", ox.Literal(f"{lat:.6f}", datatype=N(XSD + "decimal")))
        add(place, GEO + "long", ox.Literal(f"{lon:.6f}", datatype=N(XSD + "decimal")))


def _date_literal(value: str) -> ox.Literal | None:
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return ox.Literal(value, datatype=N(XSD + "date"))
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return ox.Literal(value, datatype=N(XSD + "gYearMonth"))
    if re.fullmatch(r"\d{4}", value):
        return ox.Literal(value, datatype=N(XSD + "gYear"))
    return None
