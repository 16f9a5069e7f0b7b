"""Linking duplicates is an enrichment: records whose owl:sameAs links change get a new OAI datestamp."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aggregator.aggregate import Aggregate
from aggregator.enrich.duplicates import link_duplicates
from aggregator.innovation_graph import RecordContext
from aggregator.mapped import MappedRecord
from aggregator.settings import load_settings

pytestmark = pytest.mark.integration

BASE = "http://carrefour.test"
OLD = "2020-01-01T00:00:00Z"


@pytest.fixture()
def aggregate(tmp_path) -> Iterator[Aggregate]:  # type: ignore[no-untyped-def]
    agg = Aggregate(load_settings(environ={}, data_dir=tmp_path, base_url=BASE))
    yield agg
    agg.close()


def _put(agg: Aggregate, record_id: str, source: str, title: str, website: str) -> None:
    values = {
        "title": [title],
        "description": ["Des habitants cultivent ensemble un potager partagé au cœur du quartier, chaque samedi."],
        "organisation": ["Association Les Jardins de Die"],
        "website": [website],
        "region": ["Bretagne"],
        "language": ["fr"],
        "url": [f"https://{source}.example.org/projets/{record_id}"],
    }
    ctx = RecordContext(BASE, record_id, source, record_id, "1", "2024-05-02T10:00:00Z")
    agg.index.write([agg.put(MappedRecord(values), ctx)])


def _age(agg: Aggregate, *record_ids: str) -> None:
    """Give records an old datestamp, so that a bump is visible."""
    for rid in record_ids:
        row = agg.listing.published_row(rid)
        assert row is not None
        agg.listing.publish(rid, row.source_id, list(row.sets), datestamp=OLD)


def _stamps(agg: Aggregate) -> dict[str, str]:
    return {rid: agg.listing.published_row(rid).datestamp for rid in ("a-1", "b-1", "c-1")}  # type: ignore[union-attr]


def test_joining_leaving_and_a_new_canonical_bump_the_datestamp_keeping_the_sets(aggregate: Aggregate) -> None:
    agg = aggregate
    _put(agg, "b-1", "b", "Jardin partagé de Die", "https://jardins-die.example.org")
    _put(agg, "c-1", "c", "Le jardin partagé de Die", "https://jardins-die.example.org")
    _put(agg, "z-1", "z", "Une épicerie solidaire", "https://epicerie.example.org")
    link_duplicates(agg)
    sets = agg.listing.published_row("b-1").sets  # type: ignore[union-attr]
    assert "source:b" in sets and "region:bretagne" in sets
    _age(agg, "b-1", "c-1", "z-1")

    # a-1 joins and becomes the canonical: b-1 (was canonical) and c-1 (canonical changed) are bumped.
    _put(agg, "a-1", "a", "Jardin partagé de Die", "https://jardins-die.example.org")
    _age(agg, "a-1")
    link_duplicates(agg)
    stamps = _stamps(agg)
    assert all(stamp > OLD for stamp in stamps.values()), stamps
    assert agg.listing.published_row("b-1").sets == sets  # type: ignore[union-attr]
    assert agg.listing.published_row("z-1").datestamp == OLD  # type: ignore[union-attr]

    # Linking again changes nothing: no datestamp moves.
    _age(agg, "a-1", "b-1", "c-1")
    link_duplicates(agg)
    assert set(_stamps(agg).values()) == {OLD}

    # c-1 leaves the cluster (another website now): c-1 and the canonical a-1 are bumped, b-1 is not.
    _put(agg, "c-1", "c", "Le jardin partagé de Die", "https://autre-jardin.example.org")
    _age(agg, "c-1")
    link_duplicates(agg)
    stamps = _stamps(agg)
    assert stamps["c-1"] > OLD and stamps["a-1"] > OLD and stamps["b-1"] == OLD, stamps


def test_a_withdrawn_member_stays_a_tombstone(aggregate: Aggregate) -> None:
    agg = aggregate
    _put(agg, "a-1", "a", "Jardin partagé de Die", "https://jardins-die.example.org")
    _put(agg, "b-1", "b", "Jardin partagé de Die", "https://jardins-die.example.org")
    link_duplicates(agg)
    agg.withdraw("b-1", "b")
    link_duplicates(agg)
    assert agg.listing.published_row("b-1").deleted  # type: ignore[union-attr]
