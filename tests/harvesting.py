"""Harvesting from a test, the way `carrefour harvest` does it (one shared helper for the suites)."""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.aggregate import Aggregate
from aggregator.pipeline import harvest_sources, link_across_sources
from aggregator.settings import Settings
from aggregator.sources import load_sources
from aggregator.state import HarvestRun


def harvest(
    settings: Settings, source_ids: Iterable[str] | None = None, full: bool = False, link: bool = False
) -> dict[str, HarvestRun]:
    """Harvest the named sources (all by default), optionally linking duplicates after; runs by source id."""
    sources = load_sources(settings)
    chosen = [sources[i] for i in source_ids] if source_ids is not None else list(sources.values())
    aggregate = Aggregate(settings)
    try:
        runs = harvest_sources(aggregate, chosen, full=full)
        if link:
            link_across_sources(aggregate, runs)
    finally:
        aggregate.close()
    return {run.source_id: run for run in runs}
