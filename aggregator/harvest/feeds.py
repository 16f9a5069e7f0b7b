"""RSS and Atom feeds, read by feedparser: one record per entry, keyed by its id/guid."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import feedparser

from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.records import HarvestedRecord
from aggregator.sources import Source


def _plain(value: Any) -> Any:
    """feedparser's result as plain JSON: dates as ISO strings, dict subclasses as dicts."""
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def entries_of(data: bytes, source_id: str, url: str) -> Iterator[HarvestedRecord]:
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if parsed.bozo and not parsed.entries:
        raise HarvestError(f"{url} : flux illisible ({parsed.get('bozo_exception')}) ; aucune entrée trouvée")
    language = parsed.feed.get("language", "")
    for entry in parsed.entries:
        plain = _plain(entry)
        if language and not plain.get("language"):
            plain["language"] = language
        identifier = entry.get("id") or entry.get("link")
        if not identifier:
            identifier = "sha1:" + hashlib.sha1(json.dumps(plain, sort_keys=True).encode()).hexdigest()
        yield HarvestedRecord(
            source_id=source_id,
            identifier=identifier,
            payload=json.dumps(plain, ensure_ascii=False, sort_keys=True).encode("utf-8"),
            media_type="application/json",
            datestamp=plain.get("updated_parsed") or plain.get("published_parsed"),
            url=entry.get("link"),
        )


def harvest_feed(source: Source, client: HttpClient) -> Iterator[HarvestedRecord]:
    response = client.get(source.url)
    if response.status_code != 200:
        raise HarvestError(f"{source.url} : HTTP {response.status_code}")
    yield from entries_of(response.content, source.id, source.url)
