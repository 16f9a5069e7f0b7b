"""Alignment of source tags to the theme scheme, through its labels and altLabels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from aggregator.text import normalise_label

THEMES_NS = "https://w3id.org/carrefour/vocab/themes/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass(frozen=True)
class Theme:
    uri: str
    notation: str
    label: str
    broader: str | None

    @property
    def top_code(self) -> str:
        return self.notation.split("/")[0]


class ThemeScheme:
    def __init__(self, themes: dict[str, Theme], by_label: dict[str, list[str]]) -> None:
        self.themes = themes
        self._by_label = by_label

    @classmethod
    def load(cls, path: Path) -> ThemeScheme:
        graph = ox.Store()
        graph.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        rows = graph.query(
            f"""PREFIX skos: <{SKOS}>
            SELECT ?c ?notation ?pref ?broader WHERE {{
              ?c skos:notation ?notation ; skos:prefLabel ?pref . FILTER(lang(?pref) = "fr")
              OPTIONAL {{ ?c skos:broader ?broader }} }}"""
        )
        themes = {
            r["c"].value: Theme(
                r["c"].value, r["notation"].value, r["pref"].value, r["broader"].value if r["broader"] else None
            )
            for r in rows
        }
        by_label: dict[str, list[str]] = {}
        labels = graph.query(f"PREFIX skos: <{SKOS}> SELECT ?c ?l WHERE {{ ?c skos:prefLabel|skos:altLabel ?l }}")
        for r in labels:
            by_label.setdefault(normalise_label(r["l"].value), []).append(r["c"].value)
        return cls(themes, by_label)

    def align(self, tag: str) -> list[Theme]:
        """The concepts a tag names; a sub-theme wins over its own broader theme of the same name."""
        uris = self._by_label.get(normalise_label(tag), [])
        found = [self.themes[u] for u in set(uris) if u in self.themes]
        narrower = {t.broader for t in found if t.broader}
        return sorted((t for t in found if t.uri not in narrower), key=lambda t: t.notation)

    def top_themes(self) -> list[Theme]:
        return sorted((t for t in self.themes.values() if t.broader is None), key=lambda t: t.notation)

    def label_of(self, code: str) -> str:
        theme = self.themes.get(THEMES_NS + code)
        return theme.label if theme else code


@cache
def load_theme_scheme(vocab_dir: Path) -> ThemeScheme:
    return ThemeScheme.load(vocab_dir / "themes.ttl")
