"""Flattening a record's graph into a search document: the index is derived from the store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from aggregator.enrich.themes import THEMES_NS
from aggregator.index.document import IndexDocument
from aggregator.innovation_graph import CIS, DCT, GEO, SCHEMA


@dataclass(frozen=True)
class ClusterInfo:
    """Where a record stands among duplicates: the canonical record id, or the other members."""

    canonical: str = ""
    duplicates: tuple[str, ...] = ()
    other_sources: tuple[str, ...] = ()


def document_from_triples(
    record_id: str, uri: str, source_id: str, triples: list[ox.Triple], cluster: ClusterInfo | None = None
) -> IndexDocument:
    by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[t.subject.value][t.predicate.value].append(t.object.value)
    inn = by_subject[uri]
    place = by_subject.get(f"{uri}#place", {})
    theme_codes = sorted({v.removeprefix(THEMES_NS) for v in inn.get(CIS + "theme", [])})
    organisations = [by_subject.get(org, {}).get(SCHEMA + "name", [""])[0] for org in inn.get(CIS + "carriedBy", [])]

    def first(values: list[str] | None) -> str:
        return sorted(values)[0] if values else ""

    lat, lon = first(place.get(GEO + "lat")), first(place.get(GEO + "long"))
    return IndexDocument(
        id=record_id,
        uri=uri,
        title=first(inn.get(DCT + "title")),
        summary=first(inn.get(DCT + "abstract")),
        description=first(inn.get(DCT + "description")),
        theme=tuple(c for c in theme_codes if "/" not in c),
        subtheme=tuple(c for c in theme_codes if "/" in c),
        tags=tuple(sorted(inn.get(CIS + "tag", []))),
        region=tuple(sorted(set(place.get(CIS + "region", [])))),
        commune=tuple(sorted(set(place.get(SCHEMA + "name", [])))),
        organisation=tuple(o for o in organisations if o),
        source=source_id,
        url=first(inn.get(SCHEMA + "url")),
        started=first(inn.get(SCHEMA + "startDate")),
        lat=float(lat) if lat else None,
        lon=float(lon) if lon else None,
        canonical=cluster.canonical if cluster else "",
        duplicates=cluster.duplicates if cluster else (),
        other_sources=cluster.other_sources if cluster else (),
    )
