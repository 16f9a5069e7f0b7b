"""``/oai`` never sends a live record without its metadata, and carries what partners need.

- a live listing row whose graph is missing is an explicit, logged error: GetRecord answers
  ``cannotDisseminateFormat``, the lists leave the record out (never a bare header);
- data written under one ``base_url`` and served under another stays served (the recorded one
  is kept for URIs), and Identify's baseURL is the address the request reached;
- ``expirationDate`` and the age of a token follow ``oai_token_lifetime``;
- the owl:sameAs links of duplicates are in both formats (``rdf`` triples, ``dc:relation``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest

from aggregator.aggregate import Aggregate
from aggregator.innovation_graph import OWL, RecordContext
from aggregator.records import record_id
from aggregator.settings import load_settings
from aggregator.store.oxigraph import graph_iri
from tests.integration.conftest import RECORDS, _write_sources, mapped_record
from tests.integration.test_oai_provider import NS, STAMP, error_code, full_list, ids, oai, oai_id, rdf_triples

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RIDS = [record_id(row[0], row[1]) for row in RECORDS]
GHOSTS = [f"ghost-{n:016d}" for n in range(4)]


def build(
    tmp_path: Path,
    written_under: str = "http://carrefour.test",
    served_under: str | None = None,
    before_serving: Callable[[Aggregate], None] | None = None,
    **overrides: object,
):  # type: ignore[no-untyped-def]
    """Data written by a harvester (its own Aggregate, then closed), then served by the portal."""
    from endpoint.app import create_app

    data_dir = tmp_path / "data"
    _write_sources(data_dir / "mappings")

    def settings(base_url: str):  # type: ignore[no-untyped-def]
        return load_settings(
            environ={}, data_dir=data_dir, mappings_dir=data_dir / "mappings", base_url=base_url, **overrides
        )

    writer = Aggregate(settings(written_under))
    for row, rid in zip(RECORDS, RIDS, strict=True):
        ctx = RecordContext(written_under, rid, row[0], row[1], "1", "2024-05-02T10:00:00Z")
        writer.index.write([writer.put(mapped_record(row), ctx)])
    if before_serving is not None:
        before_serving(writer)
    writer.close()
    return create_app(settings(served_under or written_under))


@pytest.fixture()
def serve(tmp_path: Path):  # type: ignore[no-untyped-def]
    apps = []

    def make(**kwargs: object):  # type: ignore[no-untyped-def]
        app = build(tmp_path, **kwargs)  # type: ignore[arg-type]
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["carrefour"].aggregate.close()


def live_records_have_metadata(records) -> None:  # type: ignore[no-untyped-def]
    for record in records:
        if record.xpath("o:header/@status", namespaces=NS) != ["deleted"]:
            assert len(record.xpath("o:metadata/*", namespaces=NS)) == 1, ids([record])


# Gap: a live record whose graph is missing ------------------------------------------------------
def with_ghosts(aggregate: Aggregate) -> None:
    """Ghosts (listed, live, no graph) in the middle of the listing, filling whole pages of 3."""
    listing = aggregate.listing
    for n, rid in enumerate(RIDS):
        row = listing.published_row(rid)
        stamp = "2024-05-01T10:00:00Z" if n < 10 else "2024-05-01T10:00:02Z"
        listing.publish(rid, row.source_id, list(row.sets), datestamp=stamp)
    for ghost in GHOSTS:
        listing.publish(ghost, "fondation", ["source:fondation"], datestamp="2024-05-01T10:00:01Z")


def test_a_live_record_without_graph_is_never_sent_bare(serve, caplog) -> None:  # type: ignore[no-untyped-def]
    app = serve(before_serving=with_ghosts, oai_page_size=3)
    client = app.test_client()
    caplog.set_level(logging.ERROR, logger="endpoint.oai.verbs")
    # GetRecord: the item cannot be disseminated, explicitly, in either format.
    for prefix in ("oai_dc", "rdf"):
        doc = oai(client, verb="GetRecord", identifier=oai_id(GHOSTS[0]), metadataPrefix=prefix)
        assert error_code(doc) == "cannotDisseminateFormat"
        assert not doc.xpath("//o:header", namespaces=NS)
    assert any(GHOSTS[0] in r.getMessage() and "absent" in r.getMessage() for r in caplog.records)
    caplog.clear()
    # The lists leave the ghosts out (logged), even when they fill whole pages, and go on.
    for prefix in ("oai_dc", "rdf"):
        records, pages = full_list(client, "ListRecords", metadataPrefix=prefix)
        assert sorted(ids(records)) == sorted(oai_id(r) for r in RIDS)
        live_records_have_metadata(records)
        assert len(pages) > 5
    headers, _ = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc")
    assert sorted(ids(headers)) == sorted(oai_id(r) for r in RIDS)
    logged = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert all(ghost in logged for ghost in GHOSTS)


# Gap: data written under one base_url, served under another -------------------------------------
def test_data_written_under_another_base_url_is_still_served_with_its_metadata(serve, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="aggregator.aggregate")
    app = serve(written_under="http://127.0.0.1:5000", served_under="https://carrefour.example.org")
    warnings = [r.getMessage() for r in caplog.records if r.name == "aggregator.aggregate"]
    assert any("http://127.0.0.1:5000" in m and "https://carrefour.example.org" in m for m in warnings)
    client = app.test_client()
    for prefix in ("oai_dc", "rdf"):
        records, _ = full_list(client, "ListRecords", metadataPrefix=prefix)
        assert len(records) == len(RIDS)
        live_records_have_metadata(records)
    doc = oai(client, verb="GetRecord", identifier=oai_id(RIDS[0]), metadataPrefix="oai_dc")
    assert f"http://127.0.0.1:5000/id/innovation/{RIDS[0]}" in doc.xpath("//dc:identifier/text()", namespaces=NS)


def test_identify_gives_the_address_the_portal_is_reached_at(serve) -> None:  # type: ignore[no-untyped-def]
    app = serve(written_under="http://127.0.0.1:5000")
    response = app.test_client().get("/oai", query_string={"verb": "Identify"}, base_url="https://portail.example.org/")
    from tests.oai_schemas import assert_valid_oai

    doc = assert_valid_oai(response.data)
    assert doc.xpath("//o:baseURL/text()", namespaces=NS) == ["https://portail.example.org/oai"]
    assert doc.xpath("/o:OAI-PMH/o:request/text()", namespaces=NS) == ["https://portail.example.org/oai"]


def test_behind_a_proxy_the_public_url_is_announced_whatever_the_host_header(serve) -> None:  # type: ignore[no-untyped-def]
    app = serve(public_url="https://carrefour.example.org/")
    response = app.test_client().get("/oai", query_string={"verb": "Identify"}, base_url="http://evil.example/")
    from tests.oai_schemas import assert_valid_oai

    doc = assert_valid_oai(response.data)
    assert doc.xpath("//o:baseURL/text()", namespaces=NS) == ["https://carrefour.example.org/oai"]
    assert doc.xpath("/o:OAI-PMH/o:request/text()", namespaces=NS) == ["https://carrefour.example.org/oai"]


# Gap: expirationDate follows oai_token_lifetime -------------------------------------------------
def test_expiration_date_and_token_age_follow_oai_token_lifetime(serve, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = serve(oai_page_size=5, oai_token_lifetime=60)
    client = app.test_client()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)  # after every datestamp
    now = [start]
    monkeypatch.setattr("endpoint.oai.verbs.now_utc", lambda: now[0])
    monkeypatch.setattr("endpoint.oai.tokens.now_utc", lambda: now[0])
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = doc.xpath("//o:resumptionToken", namespaces=NS)[0]
    assert token.get("expirationDate") == (start + timedelta(seconds=60)).strftime(STAMP)
    now[0] += timedelta(seconds=59)
    later = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert error_code(later) is None
    expires = (start + timedelta(seconds=119)).strftime(STAMP)
    assert later.xpath("//o:resumptionToken/@expirationDate", namespaces=NS) == [expires]
    now[0] += timedelta(seconds=2)  # 61 s after the first token was issued
    doc = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert error_code(doc) == "badResumptionToken"
    assert "expiré" in doc.xpath("//o:error/text()", namespaces=NS)[0]


# Gap: duplicates in both formats ----------------------------------------------------------------
BASE = "http://carrefour.test"


def uri(rid: str) -> str:
    return f"{BASE}/id/innovation/{rid}"


def with_duplicates(aggregate: Aggregate) -> None:
    """One cluster: RIDS[0] is canonical, RIDS[5] and RIDS[12] point to it (as duplicates.py writes)."""
    same_as = ox.NamedNode(OWL + "sameAs")
    aggregate.store.replace_graph(
        f"{aggregate.duplicates_prefix}{RIDS[0]}",
        [ox.Triple(ox.NamedNode(uri(m)), same_as, ox.NamedNode(uri(RIDS[0]))) for m in (RIDS[5], RIDS[12])],
    )


def test_same_as_links_are_in_rdf_and_in_dc_relation(serve) -> None:  # type: ignore[no-untyped-def]
    app = serve(before_serving=with_duplicates)
    client = app.test_client()
    aggregate = app.extensions["carrefour"].aggregate
    same_as = ox.NamedNode(OWL + "sameAs")

    def graph(rid: str) -> set[ox.Triple]:
        return set(aggregate.store.graph_triples(graph_iri(uri(rid))))

    def link(member: str) -> ox.Triple:
        return ox.Triple(ox.NamedNode(uri(member)), same_as, ox.NamedNode(uri(RIDS[0])))

    expected = {
        RIDS[0]: ({link(RIDS[5]), link(RIDS[12])}, {uri(RIDS[5]), uri(RIDS[12])}),
        RIDS[5]: ({link(RIDS[5])}, {uri(RIDS[0])}),
        RIDS[12]: ({link(RIDS[12])}, {uri(RIDS[0])}),
        RIDS[1]: (set(), set()),
    }
    for rid, (links, related) in expected.items():
        doc = oai(client, verb="GetRecord", identifier=oai_id(rid), metadataPrefix="rdf")
        record = doc.xpath("//o:GetRecord/o:record", namespaces=NS)[0]
        assert rdf_triples(record) == graph(rid) | links
        doc = oai(client, verb="GetRecord", identifier=oai_id(rid), metadataPrefix="oai_dc")
        assert set(doc.xpath("//dc:relation/text()", namespaces=NS)) == related
    # and the same in the lists
    records, _ = full_list(client, "ListRecords", metadataPrefix="oai_dc")
    relations = {ids([r])[0]: set(r.xpath("o:metadata//dc:relation/text()", namespaces=NS)) for r in records}
    assert relations[oai_id(RIDS[0])] == {uri(RIDS[5]), uri(RIDS[12])}
    assert sum(1 for v in relations.values() if v) == 3
