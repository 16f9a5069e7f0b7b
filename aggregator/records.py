"""What a harvester hands to the rest of the pipeline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HarvestedRecord:
    """One record as received from a source, before any mapping.

    ``payload`` is kept byte for byte so that a crosswalk change never needs a re-harvest.
    """

    source_id: str
    identifier: str
    payload: bytes
    media_type: str
    datestamp: str | None = None
    deleted: bool = False
    url: str | None = None

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(b"deleted" if self.deleted else b"live")
        digest.update(self.payload)
        return digest.hexdigest()


def record_id(source_id: str, identifier: str) -> str:
    """The local identifier of a record: stable across harvests, safe in a URI path."""
    return f"{source_id}-{hashlib.sha1(identifier.encode('utf-8')).hexdigest()[:16]}"


@dataclass(frozen=True)
class RecordError:
    """A record the harvester saw but could not take (no identifier, unreadable item...).

    Harvesters yield it instead of stopping, so one bad record never loses the others.
    """

    source_id: str
    identifier: str
    message: str


@dataclass(frozen=True)
class Checkpoint:
    """Yielded by a harvester after a page: every record yielded before it is one the source has sent.

    The pipeline commits those records, then stores ``resume`` as the source's resume point, in
    the same transaction: a harvest killed at any moment restarts from the last committed page.
    ``final`` marks the end of a complete harvest: the resume point is cleared and ``memory`` (what
    the next run starts from: last datestamp, ETag...) is merged into the source's harvest memory.
    """

    resume: dict[str, Any] | None = None
    memory: dict[str, Any] | None = None
    final: bool = False
