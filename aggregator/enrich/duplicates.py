"""Duplicates across sources: the same innovation published by two platforms, found and linked.

After a harvest, ``link_duplicates(aggregate)`` compares the live records of different sources
(blocked by website, organisation and commune, then scored on normalised website, organisation,
commune and a fuzzy title similarity), groups the matches into clusters, and writes one named
graph per cluster where every member points to the cluster's canonical record with
``owl:sameAs``. Each record keeps its own URI. The search index is updated so that the canonical
record stands for the cluster (found under each member's source) and the others are hidden.

A record whose links changed (it joined or left a cluster, its canonical changed, or, for a
canonical, its members changed) gets a new datestamp in the OAI-PMH listing, its sets kept, so
partners harvest it again; a record whose links are as they were keeps its datestamp.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rapidfuzz import fuzz

from aggregator.innovation_graph import CIS, DCT, OWL, SCHEMA
from aggregator.text import normalise_label, slugify

if TYPE_CHECKING:
    from aggregator.aggregate import Aggregate

#: Score at or above which two records are the same innovation.
THRESHOLD = 0.75
WEIGHTS = {"website": 0.4, "organisation": 0.35, "place": 0.2, "title": 0.25}
#: Two different websites are evidence against.
DIFFERENT_WEBSITES = -0.4
#: A block bigger than this (a generic website, a national body) is not compared pair by pair.
MAX_BLOCK = 50


@dataclass
class Candidate:
    record_id: str
    uri: str
    source: str
    title: str
    organisations: set[str] = field(default_factory=set)
    website: str = ""
    place: str = ""


@dataclass
class DuplicateStats:
    records: int = 0
    pairs_compared: int = 0
    links: int = 0
    clusters: int = 0
    members: int = 0
    pairs: list[tuple[str, str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if k != "pairs"}


def normalise_website(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().casefold())
    url = re.sub(r"^www\.", "", url)
    return url.split("#")[0].split("?")[0].rstrip("/")


def score(a: Candidate, b: Candidate) -> float:
    total = 0.0
    if a.website and b.website:
        total += WEIGHTS["website"] if a.website == b.website else DIFFERENT_WEBSITES
    if a.organisations and b.organisations:
        best = max(fuzz.token_sort_ratio(x, y) for x in a.organisations for y in b.organisations) / 100
        if best >= 0.9:
            total += WEIGHTS["organisation"] * best
    if a.place and a.place == b.place:
        total += WEIGHTS["place"]
    total += WEIGHTS["title"] * fuzz.token_set_ratio(a.title, b.title) / 100
    return round(total, 4)


def candidates(aggregate: Aggregate) -> list[Candidate]:
    rows = aggregate.store.query(
        f"""SELECT ?i ?source ?title ?org ?web ?insee ?commune WHERE {{
          ?i a <{CIS}SocialInnovation> ; <{DCT}source> ?source ; <{DCT}title> ?title .
          OPTIONAL {{ ?i <{CIS}carriedBy>/<{SCHEMA}name> ?org }}
          OPTIONAL {{ ?i <{SCHEMA}url> ?web }}
          OPTIONAL {{ ?i <{SCHEMA}location> ?p . OPTIONAL {{ ?p <{CIS}inseeCode> ?insee }}
                     OPTIONAL {{ ?p <{SCHEMA}name> ?commune }} }}
        }}"""
    )
    found: dict[str, Candidate] = {}
    for row in rows:  # type: ignore[attr-defined]
        uri = row["i"].value
        record_id = aggregate.record_id_of(uri)
        item = found.get(uri)
        if item is None:
            source = row["source"].value.rsplit("/", 1)[-1]
            item = found[uri] = Candidate(record_id, uri, source, normalise_label(row["title"].value))
        if row["org"] is not None:
            item.organisations.add(normalise_label(row["org"].value))
        if row["web"] is not None and not item.website:
            item.website = normalise_website(row["web"].value)
        if not item.place:
            if row["insee"] is not None:
                item.place = "insee:" + row["insee"].value
            elif row["commune"] is not None:
                item.place = "nom:" + normalise_label(row["commune"].value)
    return sorted(found.values(), key=lambda c: c.record_id)


def find_pairs(items: list[Candidate], stats: DuplicateStats | None = None) -> list[tuple[str, str, float]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for n, item in enumerate(items):
        if item.website:
            blocks["w:" + item.website].append(n)
        for org in item.organisations:
            blocks["o:" + org].append(n)
        if item.place:
            blocks["p:" + item.place].append(n)
    seen: set[tuple[int, int]] = set()
    pairs = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for x, y in combinations(members, 2):
            if (x, y) in seen or items[x].source == items[y].source:
                continue
            seen.add((x, y))
            value = score(items[x], items[y])
            if value >= THRESHOLD:
                first, second = sorted((items[x].record_id, items[y].record_id))
                pairs.append((first, second, value))
    if stats is not None:
        stats.pairs_compared = len(seen)
    return sorted(pairs)


def clusters_of(pairs: list[tuple[str, str, float]]) -> list[list[str]]:
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in parent:
        groups[root(x)].append(x)
    return sorted(sorted(g) for g in groups.values())


def link_duplicates(aggregate: Aggregate) -> DuplicateStats:
    """Find duplicates across sources, write their owl:sameAs graphs and update the search index.

    Idempotent: an unchanged aggregate leaves the store and the index as they were.
    """
    stats = DuplicateStats()
    items = candidates(aggregate)
    stats.records = len(items)
    pairs = find_pairs(items, stats)
    stats.pairs, stats.links = pairs, len(pairs)
    clusters = clusters_of(pairs)
    stats.clusters, stats.members = len(clusters), sum(len(c) for c in clusters)

    prefix = aggregate.duplicates_prefix
    wanted: dict[str, list[ox.Triple]] = {}
    for members in clusters:
        canonical = aggregate.record_uri(members[0])  # the smallest id: stable while the cluster is
        wanted[prefix + members[0]] = [
            ox.Triple(ox.NamedNode(aggregate.record_uri(m)), ox.NamedNode(OWL + "sameAs"), ox.NamedNode(canonical))
            for m in members[1:]
        ]
    existing = {
        row["g"].value  # type: ignore[index]
        for row in aggregate.store.query(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}',
            use_default_graph_as_union=False,
        )  # type: ignore[attr-defined]
    }
    before = _links(aggregate, existing)
    touched: set[str] = set()
    for graph in sorted(existing - set(wanted)):
        touched |= {t.subject.value for t in aggregate.store.graph_triples(graph)}
        touched.add(aggregate.record_uri(graph.removeprefix(prefix)))
        aggregate.store.drop_graph(graph)
    for graph, triples in wanted.items():
        old = {str(t) for t in aggregate.store.graph_triples(graph)}
        if old != {str(t) for t in triples}:
            touched |= {t.subject.value for t in aggregate.store.graph_triples(graph)}
            touched |= {t.subject.value for t in triples} | {aggregate.record_uri(graph.removeprefix(prefix))}
            aggregate.store.replace_graph(graph, triples)
    changed = _changed_links(before, _links(aggregate, set(wanted)))
    for uri in sorted(changed):
        _republish(aggregate, aggregate.record_id_of(uri))
    documents = [d for d in (aggregate.document(aggregate.record_id_of(u)) for u in sorted(touched | changed)) if d]
    aggregate.index.write(documents)
    return stats


def _links(aggregate: Aggregate, graphs: set[str]) -> dict[str, str]:
    """member URI -> canonical URI, from the owl:sameAs graphs."""
    return {
        t.subject.value: t.object.value
        for graph in sorted(graphs)
        for t in aggregate.store.graph_triples(graph)
        if t.predicate.value == OWL + "sameAs"
    }


def _changed_links(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Records whose own link or whose set of members differs between two states of the links."""

    def view(links: dict[str, str]) -> dict[str, tuple[str, frozenset[str]]]:
        members: dict[str, set[str]] = defaultdict(set)
        for member, canonical in links.items():
            members[canonical].add(member)
        uris = set(links) | set(members)
        return {u: (links.get(u, ""), frozenset(members.get(u, ()))) for u in uris}

    old, new = view(before), view(after)
    return {u for u in set(old) | set(new) if old.get(u) != new.get(u)}


def _republish(aggregate: Aggregate, record_id: str) -> None:
    """A new datestamp for a live record, with the sets it has (a tombstone stays as it is)."""
    row = aggregate.listing.published_row(record_id)
    if row is None or row.deleted:
        return
    document = aggregate.document(record_id)
    names = {f"region:{slugify(region)}": region for region in document.region} if document else {}
    aggregate.listing.publish(record_id, row.source_id, list(row.sets), names=names)
