"""The base_url the data was written under is recorded, and kept when the setting changes."""

from __future__ import annotations

import logging
from pathlib import Path

from aggregator.aggregate import BASE_URL_FILE, Aggregate
from aggregator.innovation_graph import RecordContext
from aggregator.records import record_id
from aggregator.settings import load_settings
from aggregator.store.oxigraph import graph_iri
from tests.integration.conftest import RECORDS, mapped_record

ROW = RECORDS[0]
RID = record_id(ROW[0], ROW[1])


def settings(data_dir: Path, base_url: str):  # type: ignore[no-untyped-def]
    return load_settings(environ={}, data_dir=data_dir, mappings_dir=data_dir / "none", base_url=base_url)


def write(data_dir: Path, base_url: str) -> None:
    aggregate = Aggregate(settings(data_dir, base_url))
    try:
        ctx = RecordContext(aggregate.settings.base_url, RID, ROW[0], ROW[1], "1", "2024-05-02T10:00:00Z")
        aggregate.put(mapped_record(ROW), ctx)
    finally:
        aggregate.close()


def test_the_base_url_is_recorded_when_the_aggregate_is_first_written(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    aggregate = Aggregate(settings(data_dir, "http://a.example"))
    aggregate.close()
    assert not (data_dir / BASE_URL_FILE).exists()  # nothing written yet
    write(data_dir, "http://a.example")
    assert (data_dir / BASE_URL_FILE).read_text(encoding="utf-8").strip() == "http://a.example"


def test_opened_under_another_base_url_the_recorded_one_is_kept_with_a_warning(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    write(data_dir, "http://a.example")
    caplog.set_level(logging.WARNING, logger="aggregator.aggregate")
    aggregate = Aggregate(settings(data_dir, "https://b.example"))
    try:
        assert any(
            "http://a.example" in r.getMessage() and "https://b.example" in r.getMessage() for r in caplog.records
        )
        assert aggregate.settings.base_url == "http://a.example"
        assert aggregate.record_uri(RID) == f"http://a.example/id/innovation/{RID}"
        assert aggregate.store.graph_triples(graph_iri(aggregate.record_uri(RID)))
        assert aggregate.document(RID) is not None
        # A record put with a context under the setting's address is stored under the data's one.
        other = RECORDS[1]
        rid = record_id(other[0], other[1])
        ctx = RecordContext("https://b.example", rid, other[0], other[1], "1", "2024-05-02T10:00:00Z")
        aggregate.put(mapped_record(other), ctx)
        assert aggregate.store.graph_triples(graph_iri(f"http://a.example/id/innovation/{rid}"))
        assert not aggregate.store.graph_triples(graph_iri(f"https://b.example/id/innovation/{rid}"))
    finally:
        aggregate.close()
    assert (data_dir / BASE_URL_FILE).read_text(encoding="utf-8").strip() == "http://a.example"


def test_data_written_before_the_record_existed_gives_its_base_url(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    write(data_dir, "http://a.example")
    (data_dir / BASE_URL_FILE).unlink()
    caplog.set_level(logging.WARNING, logger="aggregator.aggregate")
    aggregate = Aggregate(settings(data_dir, "https://b.example"))
    try:
        assert aggregate.settings.base_url == "http://a.example"
        assert caplog.records
    finally:
        aggregate.close()
    assert (data_dir / BASE_URL_FILE).read_text(encoding="utf-8").strip() == "http://a.example"
