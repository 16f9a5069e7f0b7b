"""Human labels of facet values: theme codes through the theme scheme, sources through mappings/."""

from __future__ import annotations

import logging

from aggregator.enrich.themes import ThemeScheme
from aggregator.settings import Settings
from aggregator.sources import Source, SourceFileError, load_sources

log = logging.getLogger(__name__)


class Labels:
    def __init__(self, settings: Settings, themes: ThemeScheme) -> None:
        self.settings = settings
        self.themes = themes
        self._sources: dict[str, Source] | None = None

    @property
    def sources(self) -> dict[str, Source]:
        if self._sources is None:
            try:
                self._sources = load_sources(self.settings)
            except (SourceFileError, OSError) as exc:
                # A broken source file must not take the portal down: fall back to the ids.
                log.warning("Sources illisibles, les identifiants servent d'étiquettes : %s", exc)
                self._sources = {}
        return self._sources

    def source(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return source.label if source else source_id

    def source_homepage(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return (source.homepage or "") if source else ""

    def theme(self, code: str) -> str:
        return self.themes.label_of(code)

    def is_theme(self, code: str) -> bool:
        from aggregator.enrich.themes import THEMES_NS

        return THEMES_NS + code in self.themes.themes

    def facet(self, name: str, value: str) -> str:
        if name == "theme":
            return self.theme(value)
        if name == "source":
            return self.source(value)
        return value
