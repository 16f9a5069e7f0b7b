"""The flattened document that every search backend indexes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: Fields whose values are counted as facets on the search page, in display order.
FACET_FIELDS = ("theme", "region", "source")


@dataclass(frozen=True)
class IndexDocument:
    id: str
    uri: str
    title: str
    summary: str = ""
    description: str = ""
    theme: tuple[str, ...] = ()
    subtheme: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    commune: tuple[str, ...] = ()
    organisation: tuple[str, ...] = ()
    source: str = ""
    url: str = ""
    started: str = ""
    lat: float | None = None
    lon: float | None = None
    #: Set on a record that duplicates another one: the record id of the cluster's canonical record.
    #: Search shows the canonical record only (see ``aggregator.enrich.duplicates``).
    canonical: str = ""
    #: On the canonical record of a cluster: the record ids and the sources of the other members.
    duplicates: tuple[str, ...] = ()
    other_sources: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
