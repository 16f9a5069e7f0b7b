"""RSS and Atom feeds, read by feedparser: one record per entry, keyed by its id/guid.

- Conditional GET: the ETag and Last-Modified of the last complete harvest are sent back; a 304
  ends the run at once (mode ``not-modified``).
- The language of an entry is its own (``dc:language``, ``xml:lang`` of its title, summary or
  content), else the feed's (``<language>``, ``xml:lang`` on the feed, HTTP Content-Language).
- feedparser sanitises the HTML it hands over (no script, no event handlers); a feed it recovers
  from (bozo) is kept if it found entries, refused with a clear message if it found none.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import feedparser

from aggregator.harvest.context import HarvestContext
from aggregator.harvest.http import HarvestError
from aggregator.records import Checkpoint, HarvestedRecord


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


def _language_of(entry: Any, feed_language: str) -> str:
    if entry.get("language"):
        return str(entry["language"])
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key) or {}
        if detail.get("language"):
            return str(detail["language"])
    for content in entry.get("content") or []:
        if content.get("language"):
            return str(content["language"])
    return feed_language


def entries_of(
    data: bytes, source_id: str, url: str, headers: Mapping[str, str] | None = None
) -> Iterator[HarvestedRecord]:
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    parsed = feedparser.parse(
        data, sanitize_html=True, resolve_relative_uris=True, response_headers=response_headers or None
    )
    if parsed.bozo and not parsed.entries:
        raise HarvestError(f"{url} : flux illisible ({parsed.get('bozo_exception')}) ; aucune entrée trouvée")
    feed_language = str(parsed.feed.get("language", "") or response_headers.get("content-language", ""))
    for entry in parsed.entries:
        plain = _plain(entry)
        language = _language_of(entry, feed_language)
        if language:
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


def harvest_feed(ctx: HarvestContext) -> Iterator[HarvestedRecord | Checkpoint]:
    source, client = ctx.source, ctx.client
    headers: dict[str, str] = {}
    if not ctx.full:
        if ctx.memory.get("etag"):
            headers["If-None-Match"] = ctx.memory["etag"]
        if ctx.memory.get("last_modified"):
            headers["If-Modified-Since"] = ctx.memory["last_modified"]
    response = client.get(source.url, headers=headers or None)
    if response.status_code == 304 and headers:
        ctx.mode = "not-modified"
        yield Checkpoint(final=True)
        return
    if response.status_code != 200:
        raise HarvestError(f"{source.url} : HTTP {response.status_code}")
    yield from entries_of(response.content, source.id, source.url, response.headers)
    validators = {
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
    }
    yield Checkpoint(memory=validators, final=True)
