"""Harvesters: one module per kind of source, each yielding ``HarvestedRecord``s."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.records import HarvestedRecord, RecordError
from aggregator.sources import Source

Harvester = Callable[[Source, HttpClient], Iterator[HarvestedRecord | RecordError]]


def harvester_for(kind: str) -> Harvester:
    # Imported here so that each harvester's dependencies load only when that kind is used.
    if kind == "oai-pmh":
        from aggregator.harvest.oai import harvest_oai

        return harvest_oai
    if kind in ("rss", "atom"):
        from aggregator.harvest.feeds import harvest_feed

        return harvest_feed
    if kind == "html":
        from aggregator.harvest.html import harvest_html

        return harvest_html
    if kind in ("csv", "json"):
        from aggregator.harvest.files import harvest_file

        return harvest_file
    raise HarvestError(f"aucun moissonneur pour le type de source « {kind} »")


__all__ = ["Harvester", "HarvestError", "HttpClient", "harvester_for"]
