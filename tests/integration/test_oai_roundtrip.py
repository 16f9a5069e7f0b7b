"""Real harvesters against ``/oai`` over HTTP: the project's own harvester and Sickle each harvest
the whole repository (every record, every set, deletions included), compared record by record to
the store and to the listing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree

from aggregator.harvest.http import HttpClient
from aggregator.harvest.oai import harvest_oai
from aggregator.innovation_graph import DCT
from aggregator.records import HarvestedRecord
from aggregator.sources import Source
from aggregator.store.oxigraph import graph_iri
from tests.integration.conftest import Published
from tests.integration.test_oai_provider import build_published

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
DOMAIN = "carrefour.example.org"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    built = build_published(tmp_path_factory.mktemp("oai-roundtrip"), page_size=4)
    yield built
    built.app.extensions["carrefour"].aggregate.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def live(published: Published) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, published.app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/oai"
    server.shutdown()
    thread.join(timeout=10)


def rows_of(published: Published, set_spec: str | None = None):  # type: ignore[no-untyped-def]
    return published.app.extensions["carrefour"].aggregate.listing.published_page(None, 10_000, set_spec=set_spec)  # type: ignore[attr-defined]


def graph_of(published: Published, rid: str) -> set[ox.Triple]:
    aggregate = published.app.extensions["carrefour"].aggregate  # type: ignore[attr-defined]
    return set(aggregate.store.graph_triples(graph_iri(aggregate.record_uri(rid))))


def own_harvest(published: Published, url: str, prefix: str, set_spec: str | None = None) -> list[HarvestedRecord]:
    harvest = {"metadata_prefix": prefix} | ({"set": set_spec} if set_spec else {})
    source = Source(
        id="carrefour", label="Carrefour", kind="oai-pmh", url=url, path=Path("carrefour.yaml"), harvest=harvest
    )
    client = HttpClient(published.settings)
    try:
        got = list(_run(source, client))
    finally:
        client.close()
    errors = [r for r in got if not isinstance(r, HarvestedRecord) and type(r).__name__ == "RecordError"]
    assert not errors, errors
    return [r for r in got if isinstance(r, HarvestedRecord)]


def _run(source: Source, client: HttpClient):  # type: ignore[no-untyped-def]
    """harvest_oai(source, client), or harvest_oai(HarvestContext) since the harvester takes a context."""
    try:
        from aggregator.harvest.context import HarvestContext
    except ImportError:
        return harvest_oai(source, client)  # type: ignore[call-arg]
    return harvest_oai(HarvestContext(source, client, full=True))  # type: ignore[call-arg]


@pytest.mark.parametrize("prefix", ["oai_dc", "rdf"])
def test_the_projects_own_harvester_takes_everything_back(published: Published, live: str, prefix: str) -> None:
    records = own_harvest(published, live, prefix)
    rows = rows_of(published)
    assert [r.identifier for r in records] == [f"oai:{DOMAIN}:{row.record_id}" for row in rows]
    assert [r.deleted for r in records] == [row.deleted for row in rows]
    assert [r.datestamp for r in records] == [row.datestamp for row in rows]
    assert sum(r.deleted for r in records) == len(published.withdrawn) == 2
    for record, row in zip(records, rows, strict=True):
        root = etree.fromstring(record.payload)
        assert root.xpath("o:header/o:setSpec/text()", namespaces=NS) == list(row.sets)
        if row.deleted:
            assert not root.xpath("o:metadata", namespaces=NS)
            continue
        graph = graph_of(published, row.record_id)
        uri = f"http://carrefour.test/id/innovation/{row.record_id}"
        if prefix == "rdf":
            rdf = root.xpath("o:metadata/rdf:RDF", namespaces=NS)[0]
            parsed = ox.parse(etree.tostring(rdf), format=ox.RdfFormat.RDF_XML)
            assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == graph
        else:
            titles = {t.object.value for t in graph if t.predicate.value == DCT + "title" and t.subject.value == uri}
            assert set(root.xpath("o:metadata//dc:title/text()", namespaces=NS)) == titles
            assert uri in root.xpath("o:metadata//dc:identifier/text()", namespaces=NS)


def test_the_projects_own_harvester_takes_one_set(published: Published, live: str) -> None:
    records = own_harvest(published, live, "oai_dc", "region:bretagne")
    expected = rows_of(published, "region:bretagne")
    assert [r.identifier for r in records] == [f"oai:{DOMAIN}:{row.record_id}" for row in expected]
    assert len(expected) >= 3


def test_sickle_harvests_every_record_and_every_set(published: Published, live: str) -> None:
    from sickle import Sickle

    sickle = Sickle(live, max_retries=1, timeout=30)
    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert {f.metadataPrefix for f in sickle.ListMetadataFormats()} == {"oai_dc", "rdf"}
    rows = rows_of(published)
    for prefix in ("oai_dc", "rdf"):
        records = list(sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False))
        assert [r.header.identifier for r in records] == [f"oai:{DOMAIN}:{row.record_id}" for row in rows]
        assert [r.header.deleted for r in records] == [row.deleted for row in rows]
        assert [r.header.datestamp for r in records] == [row.datestamp for row in rows]
        for record, row in zip(records, rows, strict=True):
            if row.deleted:
                continue
            if prefix == "oai_dc":
                uri = f"http://carrefour.test/id/innovation/{row.record_id}"
                assert uri in record.metadata["identifier"]
                assert record.metadata["title"] == [published.live[row.record_id][2]]
            else:
                rdf = record.xml.xpath("o:metadata/rdf:RDF", namespaces=NS)[0]
                parsed = ox.parse(etree.tostring(rdf), format=ox.RdfFormat.RDF_XML)
                assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == graph_of(
                    published, row.record_id
                )
    specs = [s.setSpec for s in sickle.ListSets()]
    assert {"source", "theme", "region", "source:fondation", "theme:ENV:ALI", "region:bretagne"} <= set(specs)
    for spec in specs:
        got = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set=spec, ignore_deleted=False)]
        assert got == [f"oai:{DOMAIN}:{row.record_id}" for row in rows_of(published, spec)], spec
    deleted = {h.identifier for h in sickle.ListIdentifiers(metadataPrefix="rdf") if h.deleted}
    assert deleted == {f"oai:{DOMAIN}:{rid}" for rid in published.withdrawn}
    record = sickle.GetRecord(identifier=f"oai:{DOMAIN}:{published.withdrawn[0]}", metadataPrefix="rdf")
    assert record.header.deleted
