"""The SKOS concept schemes of the vocabulary, for looking up a label written by a source.

``lookup: actor_types`` in a crosswalk turns "SCOP" or "Association loi 1901" into the URI of the
concept whose ``skos:prefLabel`` or ``skos:altLabel`` it is (case, accents and punctuation
ignored). Themes keep their own aligner (``aggregator.enrich.themes``), which knows two levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from aggregator.text import normalise_label

SKOS = "http://www.w3.org/2004/02/skos/core#"
VOCAB_NS = "https://w3id.org/carrefour/vocab/"

#: Name used in crosswalks -> concept scheme URI.
SCHEMES: dict[str, str] = {
    "actor_types": VOCAB_NS + "actor-types/",
    "publics": VOCAB_NS + "publics/",
    "stages": VOCAB_NS + "stages/",
    "scales": VOCAB_NS + "scales/",
    "themes": VOCAB_NS + "themes/",
}

#: The files of the vocabulary that hold concept schemes.
SCHEME_FILES = ("schemes.ttl", "themes.ttl")


@dataclass(frozen=True)
class Concept:
    uri: str
    notation: str
    label: str
    scheme: str


class ConceptScheme:
    def __init__(self, name: str, uri: str, concepts: dict[str, Concept], by_label: dict[str, list[str]]) -> None:
        self.name = name
        self.uri = uri
        self.concepts = concepts
        self._by_label = by_label

    def lookup(self, label: str) -> list[Concept]:
        """The concepts a label names in this scheme (usually one; none when it is unknown)."""
        uris = self._by_label.get(normalise_label(label), [])
        return [self.concepts[u] for u in dict.fromkeys(uris) if u in self.concepts]

    def label_of(self, uri: str) -> str:
        concept = self.concepts.get(uri)
        return concept.label if concept else uri


class Schemes:
    """Every concept scheme of the vocabulary, by its crosswalk name."""

    def __init__(self, schemes: dict[str, ConceptScheme], graph: ox.Store) -> None:
        self.schemes = schemes
        self.graph = graph

    def __getitem__(self, name: str) -> ConceptScheme:
        return self.schemes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.schemes

    def names(self) -> list[str]:
        return sorted(self.schemes)

    def concept_uris(self) -> set[str]:
        return {uri for scheme in self.schemes.values() for uri in scheme.concepts}


def load_vocabulary_graph(vocab_dir: Path, files: tuple[str, ...] = SCHEME_FILES) -> ox.Store:
    graph = ox.Store()
    for name in files:
        path = vocab_dir / name
        if path.exists():
            graph.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return graph


@cache
def load_schemes(vocab_dir: Path) -> Schemes:
    graph = load_vocabulary_graph(vocab_dir)
    schemes: dict[str, ConceptScheme] = {}
    for name, scheme_uri in SCHEMES.items():
        rows = graph.query(
            f"""PREFIX skos: <{SKOS}>
            SELECT ?c ?notation ?pref WHERE {{
              ?c skos:inScheme <{scheme_uri}> ; skos:notation ?notation ; skos:prefLabel ?pref .
              FILTER(lang(?pref) = "fr") }}"""
        )
        concepts = {r["c"].value: Concept(r["c"].value, r["notation"].value, r["pref"].value, scheme_uri) for r in rows}
        by_label: dict[str, list[str]] = {}
        labels = graph.query(
            f"""PREFIX skos: <{SKOS}>
            SELECT ?c ?l WHERE {{ ?c skos:inScheme <{scheme_uri}> ; skos:prefLabel|skos:altLabel ?l }}"""
        )
        for r in labels:
            by_label.setdefault(normalise_label(r["l"].value), []).append(r["c"].value)
        schemes[name] = ConceptScheme(name, scheme_uri, concepts, by_label)
    return Schemes(schemes, graph)
