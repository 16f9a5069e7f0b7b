"""HTML sites: listing pages followed through their pagination, one detail page per item."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.html
from lxml.cssselect import CSSSelector

from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.records import HarvestedRecord
from aggregator.sources import Source

#: Stops a listing whose "next" links loop, or a site that paginates forever.
MAX_LISTING_PAGES = 1000


def harvest_html(source: Source, client: HttpClient) -> Iterator[HarvestedRecord]:
    try:
        item_links = CSSSelector(source.harvest["item_links"])
        next_link = CSSSelector(source.harvest.get("next_page", 'a[rel="next"]'))
    except KeyError as exc:
        raise HarvestError(
            f"{source.path} : harvest.item_links (sélecteur CSS des liens vers les fiches) manque"
        ) from exc
    page_url: str | None = source.url
    visited: set[str] = set()
    seen_items: set[str] = set()
    while page_url and page_url not in visited and len(visited) < MAX_LISTING_PAGES:
        visited.add(page_url)
        response = client.get(page_url, polite=True)
        if response.status_code != 200:
            raise HarvestError(f"{page_url} : HTTP {response.status_code} sur une page de liste")
        page = lxml.html.document_fromstring(response.content, base_url=page_url)
        for link in item_links(page):
            href = link.get("href")
            if not href:
                continue
            item_url = urljoin(page_url, href)
            if item_url in seen_items:
                continue
            seen_items.add(item_url)
            detail = client.get(item_url, polite=True)
            if detail.status_code != 200:
                raise HarvestError(f"{item_url} : HTTP {detail.status_code} sur une fiche")
            yield HarvestedRecord(
                source_id=source.id,
                identifier=item_url,
                payload=detail.content,
                media_type="text/html",
                url=item_url,
            )
        following = next_link(page)
        page_url = urljoin(page_url, following[0].get("href")) if following else None
