"""The RDF description of one mapped record, in the Carrefour vocabulary.

No blank nodes: places and provenance get hash URIs under the record, so that the same input
always yields the same triples and a re-harvest leaves the store equal to itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

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
GEOSPARQL = "http://www.opengis.net/ont/geosparql#"
OWL = "http://www.w3.org/2002/07/owl#"


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
    lang = (mapped.first("language") or "fr").lower()
    inn = N(ctx.uri)
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, N(p), o))

    def text(value: str, name: str = "") -> ox.Literal:
        return ox.Literal(value, language=mapped.langs.get(name, lang) if name else lang)

    add(inn, RDF_TYPE.value, N(CIS + "SocialInnovation"))
    add(inn, RDF_TYPE.value, N(SCHEMA + "Project"))
    add(inn, DCT + "title", text(title, "title"))
    add(inn, SCHEMA + "name", text(title, "title"))
    for summary in mapped.all("summary")[:1]:
        add(inn, DCT + "abstract", text(summary, "summary"))
    for description in mapped.all("description")[:1]:
        add(inn, DCT + "description", text(description, "description"))
    add(inn, DCT + "language", ox.Literal(lang))
    for tag in mapped.all("tags"):
        add(inn, CIS + "tag", text(tag))
        for theme in themes.align(tag):
            add(inn, CIS + "theme", N(theme.uri))
            if theme.broader:
                add(inn, CIS + "theme", N(theme.broader))
    for name, predicate in (("stage", "stage"), ("public", "public"), ("scale", "scale")):
        for concept in mapped.concepts.get(name, [])[: None if name == "public" else 1]:
            add(inn, CIS + predicate, N(concept))
    for website in mapped.all("website")[:1]:
        if _is_web(website):
            add(inn, SCHEMA + "url", N(website))
    for image in mapped.all("image"):
        if _is_web(image):
            add(inn, SCHEMA + "image", N(image))
    for licence in mapped.all("licence")[:1]:
        add(inn, DCT + "license", N(licence) if _is_web(licence) else ox.Literal(licence))
    for started in mapped.all("started")[:1]:
        literal = _date_literal(started)
        if literal is not None:
            add(inn, SCHEMA + "startDate", literal)
    _add_place(inn, N(f"{inn.value}#place"), mapped.values, add)
    for n, place in enumerate(mapped.places, start=2):
        _add_place(inn, N(f"{inn.value}#place-{n}"), place.values, add)

    def organisation(role: str, name: str, values: dict[str, list[str]], concepts: dict[str, list[str]]) -> None:
        name = " ".join(name.split())
        if not name:
            return  # an empty cell is no organisation
        org = _organisation(ctx, name)
        add(inn, CIS + ("carriedBy" if role == "carrier" else "partner"), org)
        add(org, RDF_TYPE.value, N(CIS + "Organisation"))
        add(org, RDF_TYPE.value, N(SCHEMA + "Organization"))
        add(org, SCHEMA + "name", ox.Literal(name))
        for actor in values.get("actor_type", [])[:1]:
            add(org, CIS + "actorTypeLabel", ox.Literal(actor, language=lang))
        for concept in concepts.get("actor_type", [])[:1]:
            add(org, CIS + "actorType", N(concept))
        for website in values.get("website", [])[:1]:
            if _is_web(website):
                add(org, SCHEMA + "url", N(website))
        for siret in values.get("siret", [])[:1]:
            add(org, CIS + "siret", ox.Literal(re.sub(r"\s+", "", siret)))

    for name in mapped.all("organisation")[:1]:
        organisation("carrier", name, mapped.values, mapped.concepts)
    for name in mapped.all("partners"):
        organisation("partner", name, {}, {})
    for org in mapped.organisations:
        organisation(org.role, org.first("name"), org.values, org.concepts)

    source = N(f"{ctx.base_url}/id/source/{ctx.source_id}")
    add(inn, DCT + "source", source)
    record = N(f"{ctx.uri}#record")
    add(record, RDF_TYPE.value, N(CIS + "Record"))
    add(record, RDF_TYPE.value, N(ORE + "Aggregation"))
    add(record, RDF_TYPE.value, N(PROV + "Entity"))
    add(record, ORE + "aggregates", inn)
    add(record, DCT + "source", source)
    add(record, PROV + "wasAttributedTo", source)
    add(record, CIS + "sourceIdentifier", ox.Literal(ctx.source_identifier))
    add(record, CIS + "crosswalkVersion", ox.Literal(ctx.crosswalk_version))
    add(record, PROV + "generatedAtTime", ox.Literal(ctx.harvested_at, datatype=N(XSD + "dateTime")))
    for url in mapped.all("url")[:1]:
        if _is_web(url):
            add(record, PROV + "wasDerivedFrom", N(url))
    if status := mapped.notes.get("geocoding"):
        add(record, CIS + "geocoding", ox.Literal(status))
    if "personal_data" in mapped.notes:
        add(record, CIS + "personalDataRemoved", ox.Literal("true", datatype=N(XSD + "boolean")))
    return out


def _is_web(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value


def _organisation(ctx: RecordContext, name: str) -> ox.NamedNode:
    return N(f"{ctx.base_url}/id/organisation/{slugify(name) or 'sans-nom'}")


#: Place fields written as plain literals, in the order they are added.
_PLACE_LITERALS = (
    ("commune", SCHEMA + "name"),
    ("address", SCHEMA + "streetAddress"),
    ("insee", CIS + "inseeCode"),
    ("postal_code", SCHEMA + "postalCode"),
    ("department", CIS + "department"),
    ("department_code", CIS + "departmentCode"),
    ("region", CIS + "region"),
)


def _add_place(inn: ox.NamedNode, place: ox.NamedNode, values: dict[str, list[str]], add: Callable[..., None]) -> None:
    keys = ("commune", "insee", "postal_code", "department", "department_code", "region", "lat", "lon", "address")
    fields = {k: (values.get(k) or [""])[0] for k in keys}
    if not any(fields.values()):
        return
    add(inn, SCHEMA + "location", place)
    add(place, RDF_TYPE.value, N(SCHEMA + "Place"))
    for field, predicate in _PLACE_LITERALS:
        if fields[field]:
            add(place, predicate, ox.Literal(fields[field]))
    try:
        lat, lon = float(fields["lat"].replace(",", ".")), float(fields["lon"].replace(",", "."))
    except ValueError:
        return
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        # Canonical xsd:decimal (as the store keeps it), so that a re-harvest compares equal.
        add(place, GEO + "lat", ox.Literal(_decimal(lat), datatype=N(XSD + "decimal")))
        add(place, GEO + "long", ox.Literal(_decimal(lon), datatype=N(XSD + "decimal")))
        add(place, GEOSPARQL + "asWKT", ox.Literal(f"POINT({lon:.6f} {lat:.6f})", datatype=N(GEOSPARQL + "wktLiteral")))


def _decimal(value: float) -> str:
    """Six decimals at most, in the canonical form of xsd:decimal (48.111, not 48.111000)."""
    return format(Decimal(f"{value:.6f}").normalize(), "f")


def _date_literal(value: str) -> ox.Literal | None:
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return ox.Literal(value, datatype=N(XSD + "date"))
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return ox.Literal(value, datatype=N(XSD + "gYearMonth"))
    if re.fullmatch(r"\d{4}", value):
        return ox.Literal(value, datatype=N(XSD + "gYear"))
    return None
