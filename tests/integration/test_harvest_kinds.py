"""Feeds, HTML sites, files and APIs, harvested from the fault server: the right records, the right way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.aggregate import Aggregate
from aggregator.pipeline import remap_source
from aggregator.settings import Settings, load_settings
from aggregator.sources import load_sources
from aggregator.state import HarvestRun
from tests.fault_server import FaultServer, assert_exactly, write_source
from tests.harvesting import harvest as harvest_sources_of_tests

pytestmark = pytest.mark.integration

HTML_FIELDS = {"title": {"css": "h1"}, "description": {"css": "p.desc"}, "organisation": {"css": "p.org"}}
CSV_FIELDS = {"title": {"path": "titre"}, "description": {"path": "description"}, "organisation": {"path": "porteur"}}


def settings_for(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        data_dir=tmp_path / "data",
        mappings_dir=tmp_path / "mappings",
        http_timeout=2.0,
        http_retries=3,
        http_backoff=0.01,
    )


def harvest(settings: Settings, source_id: str, full: bool = False) -> HarvestRun:
    return harvest_sources_of_tests(settings, [source_id], full=full)[source_id]


def payloads(settings: Settings, source_id: str) -> list[dict]:
    aggregate = Aggregate(settings)
    try:
        return [json.loads(r.payload) for r in aggregate.state.raw_records(source_id)]
    finally:
        aggregate.close()


@pytest.fixture()
def server():
    with FaultServer() as running:
        yield running


def test_feed_conditional_get_language_and_sanitised_html(tmp_path: Path, server: FaultServer) -> None:
    write_source(
        tmp_path / "mappings",
        "flux",
        "rss",
        f"{server.url}/feed.xml",
        fields={"title": {"path": "title"}, "summary": {"path": "summary"}, "organisation": {"path": "author"}},
    )
    settings = settings_for(tmp_path)
    first = harvest(settings, "flux")
    assert (first.status, first.new) == ("ok", 37)
    assert_exactly(settings, "flux", server.live(), prefix="")
    for entry in payloads(settings, "flux"):
        assert entry["language"] == "fr-FR"
        assert "<script" not in json.dumps(entry)

    second = harvest(settings, "flux")
    assert (second.status, second.mode, second.seen) == ("ok", "not-modified", 0)
    assert server.log[-1][0] == "/feed.xml"

    forced = harvest(settings, "flux", full=True)
    assert (forced.mode, forced.unchanged) == ("full", 37)


@pytest.mark.parametrize(
    "selectors",
    [
        {"item_links": "li.card a", "next_page": "a.suivante"},
        {"item_links": "xpath://li[@class='card']/a/@href", "next_page": "xpath://a[@class='suivante']"},
    ],
    ids=["css", "xpath"],
)
def test_html_listing_pagination_details_and_robots(tmp_path: Path, server: FaultServer, selectors: dict) -> None:
    write_source(tmp_path / "mappings", "site", "html", f"{server.url}/site/list?page=1", selectors, HTML_FIELDS)
    settings = settings_for(tmp_path)
    run = harvest(settings, "site")
    # The link robots.txt forbids is reported, not fetched; every other item is there.
    assert run.status == "ok" and run.new == 37
    assert run.failed == 1 and "robots.txt interdit" in run.errors[0]["error"]
    assert not any(path.startswith("/site/private") for path, _ in server.log)
    # Records are keyed by their path on the site, so the site may move host or port.
    urls = [f"/site/item/{i.key}" for i in server.items]
    aggregate = Aggregate(settings)
    assert sorted(r.identifier for r in aggregate.state.raw_records("site")) == sorted(
        u for u, i in zip(urls, server.items, strict=True) if not i.deleted
    )
    aggregate.close()


def test_html_harvest_broken_on_a_listing_page_resumes_there(tmp_path: Path, server: FaultServer) -> None:
    write_source(
        tmp_path / "mappings",
        "site",
        "html",
        f"{server.url}/site/list?page=1",
        {"item_links": "li.card a", "next_page": "a.suivante"},
        HTML_FIELDS,
    )
    settings = settings_for(tmp_path)
    # Listing 1, its 10 items, listing 2, its 10 items, then listing 3 fails three times.
    server.faults = [None] * 22 + ["503"] * 3
    broken = harvest(settings, "site")
    assert broken.status == "failed" and broken.new == 20
    resumed = harvest(settings, "site")
    assert resumed.mode == "resumed" and resumed.status == "ok"
    assert resumed.new == 17 and resumed.unchanged == 0
    assert server.log[22 + 3] == ("/site/list", {"page": "3"})


def test_csv_encoding_and_delimiter_are_detected(tmp_path: Path, server: FaultServer) -> None:
    write_source(tmp_path / "mappings", "tableur", "csv", f"{server.url}/data.csv", {"id": "id"}, CSV_FIELDS)
    settings = settings_for(tmp_path)
    run = harvest(settings, "tableur")
    assert (run.status, run.new) == ("ok", 37)
    rows = payloads(settings, "tableur")
    assert all(row["titre"].endswith(" é") for row in rows)
    assert_exactly(settings, "tableur", server.live(), prefix="")


def test_xlsx_first_sheet_header_row(tmp_path: Path, server: FaultServer) -> None:
    write_source(tmp_path / "mappings", "classeur", "xlsx", f"{server.url}/data.xlsx", {"id": "id"}, CSV_FIELDS)
    settings = settings_for(tmp_path)
    run = harvest(settings, "classeur")
    assert (run.status, run.new) == ("ok", 37)
    rows = payloads(settings, "classeur")
    assert rows[0]["lancement"].startswith("2024-01-0")
    assert_exactly(settings, "classeur", server.live(), prefix="")


@pytest.mark.parametrize(
    "paginate",
    [
        {"style": "page", "param": "page", "size_param": "per_page", "size": 5},
        {"style": "offset", "param": "offset", "size_param": "limit", "size": 6},
        {"style": "next", "path": "links.next"},
    ],
    ids=["page", "offset", "next"],
)
def test_paginated_json_apis(tmp_path: Path, server: FaultServer, paginate: dict) -> None:
    style = paginate["style"]
    server.faults = [None, "503", None, "truncate"]  # retried transparently
    harvest_section = {"items": "data.items", "id": "id", "paginate": paginate}
    write_source(tmp_path / "mappings", "api", "json", f"{server.url}/api/{style}", harvest_section)
    settings = settings_for(tmp_path)
    run = harvest(settings, "api")
    assert (run.status, run.new) == ("ok", 37), run.errors
    assert_exactly(settings, "api", server.live(), prefix="")


def test_remap_from_the_raw_store_without_harvesting(tmp_path: Path, server: FaultServer) -> None:
    harvest_section = {"items": "data.items", "id": "id"}
    write_source(tmp_path / "mappings", "fichier", "json", f"{server.url}/data.json", harvest_section)
    settings = settings_for(tmp_path)
    harvest(settings, "fichier")
    requests_before = len(server.log)

    aggregate = Aggregate(settings)
    source = load_sources(settings)["fichier"]
    assert remap_source(aggregate, source).updated == 0  # same crosswalk version: nothing to do
    aggregate.close()

    fields = {"title": {"path": "description"}, "organisation": {"path": "organisation"}}
    write_source(tmp_path / "mappings", "fichier", "json", f"{server.url}/data.json", harvest_section, fields, "2")
    aggregate = Aggregate(settings)
    source = load_sources(settings)["fichier"]
    run = remap_source(aggregate, source)
    assert (run.status, run.mode, run.updated, run.unchanged) == ("ok", "remap", 37, 0)
    hit = aggregate.index.get(next(iter(aggregate.listing.published_page(None, 1))).record_id)
    assert hit is not None and "description" in str(hit).lower()
    assert remap_source(aggregate, source).updated == 0
    assert remap_source(aggregate, source, force=True).updated == 37
    aggregate.close()
    assert len(server.log) == requests_before, "remap never asks the source"
    # The next harvest sees the payloads unchanged and the version current: nothing re-mapped.
    assert harvest(settings, "fichier").unchanged == 37
