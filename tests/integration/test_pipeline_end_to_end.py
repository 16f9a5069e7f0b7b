"""Harvest → map → store → index over every bundled sample platform, twice."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.aggregate import Aggregate
from aggregator.pipeline import reindex
from aggregator.settings import Settings, load_settings
from aggregator.sources import load_sources
from aggregator.state import HarvestRun
from sample_platforms.server import run_in_background
from tests.harvesting import harvest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def samples_url() -> Iterator[str]:
    with run_in_background() as samples:
        yield samples.url


@pytest.fixture(scope="module")
def settings(samples_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(environ={}, data_dir=tmp_path_factory.mktemp("data"), samples_url=samples_url)


def harvest_all(settings: Settings, full: bool = False) -> dict[str, HarvestRun]:
    return harvest(settings, full=full)


@pytest.fixture(scope="module")
def first_runs(settings: Settings) -> dict[str, HarvestRun]:
    return harvest_all(settings)


def count_innovations(aggregate: Aggregate) -> int:
    result = aggregate.store.query(
        "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a <https://w3id.org/carrefour/vocab#SocialInnovation> }"
    )
    return int(next(iter(result))["n"].value)


def test_every_source_is_harvested_without_failure(first_runs: dict[str, HarvestRun], settings: Settings) -> None:
    sources = load_sources(settings)
    assert len(sources) >= 5
    assert {s.kind for s in sources.values()} >= {"oai-pmh", "rss", "atom", "html", "csv", "json"}
    for source_id, run in first_runs.items():
        assert run.status == "ok", (source_id, run.errors)
        assert run.failed == 0, (source_id, run.errors[:3])
        assert run.new > 0, source_id


def test_at_least_300_innovations_stored_and_indexed(first_runs: dict[str, HarvestRun], settings: Settings) -> None:
    aggregate = Aggregate(settings)
    stored = count_innovations(aggregate)
    live = sum(run.new for run in first_runs.values())  # deleted records were never stored as live
    assert stored >= 300
    assert stored == aggregate.index.count() == live
    aggregate.close()


def test_deleted_oai_records_are_tombstones(first_runs: dict[str, HarvestRun], settings: Settings) -> None:
    assert first_runs["fondation"].deleted >= 1
    aggregate = Aggregate(settings)
    tombstones = [row for row in aggregate.listing.published_page(None, 10_000) if row.deleted]
    assert len(tombstones) == first_runs["fondation"].deleted
    for row in tombstones:
        assert aggregate.index.get(row.record_id) is None
        assert not aggregate.store.has_graph(aggregate.record_uri(row.record_id) + "#graph")
    aggregate.close()


def test_themes_regions_and_places_reach_the_index(first_runs: dict[str, HarvestRun], settings: Settings) -> None:
    aggregate = Aggregate(settings)
    facets = aggregate.index.search().facets
    assert len(facets["theme"]) == 16
    assert len(facets["region"]) >= 13
    assert {code for code, _ in facets["source"]} == set(first_runs)
    aggregate.close()


def test_french_stemming_finds_the_singular_from_a_plural(
    first_runs: dict[str, HarvestRun], settings: Settings
) -> None:
    aggregate = Aggregate(settings)
    plural = aggregate.index.search("jardins", page_size=500)
    texts = [f"{h['title']} {h.get('summary', '')} {h.get('description', '')}".lower() for h in plural.hits]
    # Some hits say only "jardin" (singular): they are found through the French stemmer.
    assert any(re.search(r"\bjardin\b", t) and not re.search(r"\bjardins\b", t) for t in texts)
    assert plural.total == aggregate.index.search("jardin").total
    aggregate.close()


def test_second_harvest_changes_nothing(first_runs: dict[str, HarvestRun], settings: Settings) -> None:
    aggregate = Aggregate(settings)
    quads_before = aggregate.store.canonical_dump()
    documents_before = json.dumps(aggregate.index.all_documents(), sort_keys=True)
    listing_before = aggregate.listing.published_page(None, 10_000)
    aggregate.close()

    # A full re-harvest (not an incremental one) sees every record again and must find each unchanged.
    second = harvest_all(settings, full=True)
    for source_id, run in second.items():
        assert run.status == "ok", (source_id, run.errors)
        assert (run.new, run.updated, run.deleted, run.failed) == (0, 0, 0, 0), source_id
        assert run.unchanged == first_runs[source_id].seen - first_runs[source_id].failed, source_id

    aggregate = Aggregate(settings)
    assert aggregate.store.canonical_dump() == quads_before
    assert json.dumps(aggregate.index.all_documents(), sort_keys=True) == documents_before
    assert aggregate.listing.published_page(None, 10_000) == listing_before
    aggregate.close()


def test_reindex_rebuilds_the_same_documents_from_the_store(
    first_runs: dict[str, HarvestRun], settings: Settings
) -> None:
    aggregate = Aggregate(settings)
    before = aggregate.index.all_documents()
    assert reindex(aggregate) == len(before)
    assert aggregate.index.all_documents() == before
    aggregate.close()


def test_a_broken_crosswalk_fails_its_source_alone(settings: Settings, tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "cassee.yaml").write_text(
        "id: cassee\nlabel: Cassée\nkind: json\nurl: ${CARREFOUR_SAMPLES_URL}/atlas/actions.json\n"
        "crosswalk:\n  fields:\n    titre: {path: intitule}\n",
        encoding="utf-8",
    )
    shutil.copy(settings.mappings_dir / "atlas.yaml", mappings / "atlas.yaml")
    broken = settings.with_overrides(mappings_dir=mappings, data_dir=tmp_path / "data")
    runs = harvest_all(broken)
    assert runs["cassee"].status == "failed"
    assert "cassee.yaml, ligne 7 : champ « titre » inconnu" in runs["cassee"].errors[0]["error"]
    assert runs["atlas"].status == "ok" and runs["atlas"].new == 35
