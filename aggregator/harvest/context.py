"""What a harvester is handed: the source, an HTTP client, and what earlier runs left for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aggregator.harvest.http import HttpClient
from aggregator.sources import Source


@dataclass
class HarvestContext:
    source: Source
    client: HttpClient
    #: The source's harvest memory from earlier complete runs (last datestamp, ETag...); read only.
    memory: dict[str, Any] = field(default_factory=dict)
    #: Where a broken run stopped (the last committed Checkpoint's ``resume``), or None.
    resume: dict[str, Any] | None = None
    #: Ignore the memory: harvest everything, without from-date nor conditional GET.
    full: bool = False
    #: Set by the harvester: full, incremental, resumed or not-modified.
    mode: str = "full"
    #: Set by the harvester: remarks for the run (a token restarted, a page skipped by robots.txt...).
    warnings: list[str] = field(default_factory=list)

    @property
    def harvest(self) -> dict[str, Any]:
        return self.source.harvest
