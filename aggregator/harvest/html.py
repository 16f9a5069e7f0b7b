"""HTML sites: listing pages followed through their pagination, one detail page per item.

``harvest.item_links`` and ``harvest.next_page`` are CSS selectors, or XPath expressions when
prefixed ``xpath:`` (``css:`` is accepted too); an XPath may select the ``a`` elements or their
``@href`` directly. robots.txt is obeyed unless ``harvest.obey_robots: false``; the politeness
delay is the ``politeness_delay`` setting, ``harvest.delay`` for this source, or the site's
robots.txt Crawl-delay if longer. The pipeline commits after each listing page, which is where a
broken harvest resumes. A detail page that is gone (404, 410) or forbidden by robots.txt is a
record error; the others are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from aggregator.harvest.context import HarvestContext
from aggregator.harvest.http import HarvestError, RobotsDisallowedError
from aggregator.records import Checkpoint, HarvestedRecord, RecordError

#: Stops a listing whose "next" links loop, or a site that paginates forever.
MAX_LISTING_PAGES = 1000


def compile_selector(expression: str) -> Callable[[Any], list[Any]]:
    """A CSS selector, or an XPath one with the ``xpath:`` prefix; raises ValueError if unreadable."""
    expression = expression.strip()
    try:
        if expression.startswith("xpath:"):
            return etree.XPath(expression[len("xpath:") :].strip())
        if expression.startswith("css:"):
            expression = expression[len("css:") :].strip()
        return CSSSelector(expression)
    except (etree.XPathError, SyntaxError, ValueError) as exc:
        raise ValueError(f"sélecteur illisible « {expression} » : {exc}") from exc


def hrefs(selector: Callable[[Any], list[Any]], page: Any) -> list[str]:
    """The link targets a selector designates: elements' href (or src), or attribute/text results."""
    found = []
    for result in selector(page):
        if isinstance(result, str):
            value = str(result)
        elif hasattr(result, "get"):
            value = result.get("href") or result.get("src") or ""
        else:
            value = ""
        if value.strip():
            found.append(value.strip())
    return found


def site_relative(url: str) -> str:
    """A detail page's identity within its site: the path and query, so that a site moving host or
    port (or served on another port, like the sample platforms) keeps every record's URI."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def harvest_html(ctx: HarvestContext) -> Iterator[HarvestedRecord | RecordError | Checkpoint]:
    source, client, harvest = ctx.source, ctx.client, ctx.harvest
    if not harvest.get("item_links"):
        raise HarvestError(
            f"{source.path} : harvest.item_links (sélecteur CSS, ou xpath:…, des liens vers les fiches) manque"
        )
    try:
        item_links = compile_selector(str(harvest["item_links"]))
        next_link = compile_selector(str(harvest.get("next_page", 'a[rel="next"]')))
    except ValueError as exc:
        raise HarvestError(f"{source.path} : {exc}") from exc
    delay = float(harvest["delay"]) if harvest.get("delay") is not None else None
    robots = bool(harvest.get("obey_robots", True))

    def get(url: str) -> Any:
        return client.get(url, polite=True, delay=delay, obey_robots=robots)

    page_url: str | None = source.url
    visited: list[str] = []
    if ctx.resume and ctx.resume.get("start") == source.url and ctx.resume.get("page"):
        ctx.mode = "resumed"
        page_url, visited = ctx.resume["page"], list(ctx.resume.get("visited", []))
    seen_items: set[str] = set()
    while page_url and page_url not in visited and len(visited) < MAX_LISTING_PAGES:
        visited.append(page_url)
        response = get(page_url)
        if response.status_code != 200:
            raise HarvestError(f"{page_url} : HTTP {response.status_code} sur une page de liste")
        page = lxml.html.document_fromstring(response.content, base_url=page_url)
        for href in hrefs(item_links, page):
            item_url = urljoin(page_url, href)
            if item_url in seen_items:
                continue
            seen_items.add(item_url)
            try:
                detail = get(item_url)
            except RobotsDisallowedError as exc:
                yield RecordError(source.id, item_url, str(exc))
                continue
            if detail.status_code != 200:
                yield RecordError(source.id, item_url, f"HTTP {detail.status_code} sur la fiche ; elle n'est pas prise")
                continue
            yield HarvestedRecord(
                source_id=source.id,
                identifier=site_relative(item_url),
                payload=detail.content,
                media_type="text/html",
                url=item_url,
            )
        following = hrefs(next_link, page)
        page_url = urljoin(page_url, following[0]) if following else None
        if page_url:
            yield Checkpoint(resume={"start": source.url, "page": page_url, "visited": visited})
    if len(visited) >= MAX_LISTING_PAGES:
        ctx.warnings.append(f"plus de {MAX_LISTING_PAGES} pages de liste : les suivantes sont ignorées")
    yield Checkpoint(final=True)
