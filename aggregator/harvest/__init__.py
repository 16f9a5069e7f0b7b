"""Harvesters: one module per kind of source.

A harvester is called with a ``HarvestContext`` and yields ``HarvestedRecord``s, ``RecordError``s
for the records it saw but could not take, and a ``Checkpoint`` after each page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aggregator.harvest.context import HarvestContext
from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.records import Checkpoint, HarvestedRecord, RecordError

Harvester = Callable[[HarvestContext], Iterator[HarvestedRecord | RecordError | Checkpoint]]


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
    if kind in ("csv", "json", "xlsx"):
        from aggregator.harvest.files import harvest_file

        return harvest_file
    raise HarvestError(f"aucun moissonneur pour le type de source « {kind} »")


__all__ = ["Checkpoint", "Harvester", "HarvestContext", "HarvestError", "HttpClient", "harvester_for"]
