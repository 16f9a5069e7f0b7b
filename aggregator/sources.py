"""The registry of sources: one YAML file per source in the mappings folder.

A file says how to reach the source (``harvest``) and how to map its records (``crosswalk``).
``${CARREFOUR_SAMPLES_URL}`` in a file is replaced by the address of the sample platforms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aggregator.schedule import PeriodError, parse_period
from aggregator.settings import Settings

KINDS = ("oai-pmh", "rss", "atom", "html", "csv", "json", "xlsx")
#: What a source id may be: it names the file and goes into record identifiers and URIs.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class SourceFileError(ValueError):
    """A source file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Source:
    id: str
    label: str
    kind: str
    url: str
    path: Path
    homepage: str = ""
    description: str = ""
    harvest: dict[str, Any] = field(default_factory=dict)
    crosswalk: dict[str, Any] = field(default_factory=dict)


def _substitute(value: Any, settings: Settings) -> Any:
    if isinstance(value, str):
        return value.replace("${CARREFOUR_SAMPLES_URL}", settings.samples_url.rstrip("/"))
    if isinstance(value, list):
        return [_substitute(v, settings) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, settings) for k, v in value.items()}
    return value


def load_source(path: Path, settings: Settings) -> Source:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", ligne {mark.line + 1}" if mark is not None else ""
        raise SourceFileError(f"{path}{where} : YAML illisible ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise SourceFileError(f"{path} : le fichier doit décrire une source (un dictionnaire YAML)")
    data = _substitute(data, settings)
    missing = [key for key in ("id", "label", "kind", "url", "crosswalk") if key not in data]
    if missing:
        raise SourceFileError(f"{path} : clé(s) manquante(s) : {', '.join(missing)}")
    if data["kind"] not in KINDS:
        raise SourceFileError(f"{path} : kind « {data['kind']} » inconnu (attendu : {', '.join(KINDS)})")
    harvest = data.get("harvest", {}) or {}
    if not isinstance(harvest, dict):
        raise SourceFileError(f"{path} : la section harvest doit être un dictionnaire")
    if "every" in harvest:
        try:
            parse_period(harvest["every"])
        except PeriodError as exc:
            raise SourceFileError(f"{path} : harvest.every : {exc}") from exc
    if data["id"] != path.stem:
        raise SourceFileError(f"{path} : l'id « {data['id']} » doit être le nom du fichier « {path.stem} »")
    return Source(
        id=data["id"],
        label=data["label"],
        kind=data["kind"],
        url=data["url"],
        path=path,
        homepage=data.get("homepage", ""),
        description=data.get("description", ""),
        harvest=harvest,
        crosswalk=data["crosswalk"],
    )


def load_sources(settings: Settings) -> dict[str, Source]:
    sources = {}
    for path in sorted(settings.mappings_dir.glob("*.yaml")):
        source = load_source(path, settings)
        sources[source.id] = source
    return sources
