"""``/sparql``: the SPARQL 1.1 Protocol, read-only."""

from __future__ import annotations

import html
import json

import pyoxigraph as ox
import pytest
from lxml import etree

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

COUNT = """PREFIX cis: <https://w3id.org/carrefour/vocab#>
SELECT (COUNT(?i) AS ?n) WHERE { ?i a cis:SocialInnovation }"""
RESULTS_JSON = "application/sparql-results+json"


def count_from_json(body: bytes, var: str = "n") -> int:
    data = json.loads(body)
    assert data["head"]["vars"] == [var]
    binding = data["results"]["bindings"][0][var]
    assert binding["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    return int(binding["value"])


def test_select_count_by_get_is_json_by_default(client, published):  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.status_code == 200
    assert response.mimetype == RESULTS_JSON
    assert count_from_json(response.data) == len(published.live) == 30  # tombstones have no graph
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_select_by_post_form_and_by_post_body(client):  # type: ignore[no-untyped-def]
    by_form = client.post("/sparql", data={"query": COUNT}, headers={"Accept": RESULTS_JSON})
    assert by_form.status_code == 200 and count_from_json(by_form.data) == 30
    by_body = client.post(
        "/sparql", data=COUNT.encode(), content_type="application/sparql-query", headers={"Accept": RESULTS_JSON}
    )
    assert by_body.status_code == 200 and count_from_json(by_body.data) == 30


def test_a_query_naming_its_dataset_sees_only_that_dataset(client, published):  # type: ignore[no-untyped-def]
    """Without FROM a query sees every record graph; with FROM it sees what it names, as SPARQL says."""
    rid = next(iter(published.live))
    graph = f"{published.settings.base_url}/id/innovation/{rid}#graph"
    one = COUNT.replace("WHERE", f"FROM <{graph}> WHERE")
    assert count_from_json(client.get("/sparql", query_string={"query": one}).data) == 1
    nowhere = COUNT.replace("WHERE", "FROM <http://nope.example/> WHERE")
    assert count_from_json(client.get("/sparql", query_string={"query": nowhere}).data) == 0


def test_select_as_xml_csv_by_accept(client):  # type: ignore[no-untyped-def]
    response = client.get(
        "/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert response.mimetype == "application/sparql-results+xml"
    doc = etree.fromstring(response.data)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert doc.xpath("//r:binding[@name='n']/r:literal/text()", namespaces=ns) == ["30"]
    csv = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv" and csv.data.decode().split() == ["n", "30"]


def test_regions_are_queryable(client):  # type: ignore[no-untyped-def]
    query = """PREFIX cis: <https://w3id.org/carrefour/vocab#>
    PREFIX schema: <https://schema.org/>
    SELECT ?region (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a cis:SocialInnovation ; schema:location/cis:region ?region }
    GROUP BY ?region"""
    data = client.get("/sparql", query_string={"query": query}).json
    counts = {b["region"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}
    assert counts["Bretagne"] == 3 and counts["Normandie"] == 2


def test_ask(client):  # type: ignore[no-untyped-def]
    response = client.get(
        "/sparql", query_string={"query": 'ASK { ?i <http://purl.org/dc/terms/title> "Garage solidaire"@fr }'}
    )
    assert response.status_code == 200 and response.json == {"head": {}, "boolean": True}


def test_construct_is_turtle_or_ntriples(client):  # type: ignore[no-untyped-def]
    query = """PREFIX dcterms: <http://purl.org/dc/terms/>
    CONSTRUCT { ?i dcterms:title ?t } WHERE { ?i dcterms:title ?t }"""
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert len(list(ox.parse(response.data, format=ox.RdfFormat.TURTLE))) == 30
    nt = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"})
    assert nt.mimetype == "application/n-triples"
    assert len(list(ox.parse(nt.data, format=ox.RdfFormat.N_TRIPLES))) == 30


def test_describe(client, published):  # type: ignore[no-untyped-def]
    rid = next(iter(published.live))
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <http://carrefour.test/id/innovation/{rid}>"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert list(ox.parse(response.data, format=ox.RdfFormat.TURTLE))


def test_syntax_error_is_400_with_the_message(client):  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    text = response.data.decode()
    assert "Requête SPARQL invalide" in text and "error at" in text


def test_updates_are_refused_and_change_nothing(client):  # type: ignore[no-untyped-def]
    insert = "INSERT DATA { GRAPH <urn:x> { <urn:a> a <https://w3id.org/carrefour/vocab#SocialInnovation> } }"
    by_param = client.post("/sparql", data={"update": insert})
    assert by_param.status_code == 403 and "lecture seule" in by_param.data.decode()
    by_body = client.post("/sparql", data=insert.encode(), content_type="application/sparql-update")
    assert by_body.status_code == 403
    by_get = client.get("/sparql", query_string={"update": insert})
    assert by_get.status_code == 403
    as_query = client.get("/sparql", query_string={"query": insert})
    assert as_query.status_code == 400
    drop = client.post("/sparql", data={"update": "DROP ALL"})
    assert drop.status_code == 403
    assert count_from_json(client.get("/sparql", query_string={"query": COUNT}).data) == 30


def test_unsupported_body_type_is_415(client):  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data=b"{}", content_type="application/json")
    assert response.status_code == 415


def test_query_page_in_french_with_a_counting_example(client):  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html.unescape(response.data.decode())
    assert '<html lang="fr">' in page and 'label for="query"' in page
    assert "SELECT (COUNT(?innovation) AS ?innovations)" in page and "cis:SocialInnovation" in page
    # the example is a working query
    example = page.split('name="query"')[1].split(">", 1)[1].split("</textarea>")[0]
    result = client.get("/sparql", query_string={"query": example}).data
    assert count_from_json(result, "innovations") == 30


def test_browser_form_gets_an_html_table(client):  # type: ignore[no-untyped-def]
    response = client.post(
        "/sparql",
        data={"query": COUNT, "format": "html"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.data.decode()
    assert '<th scope="col">n</th>' in page and "<td>30</td>" in page
    error = client.post("/sparql", data={"query": "SELEKT"}, headers={"Accept": "text/html"})
    assert error.status_code == 400 and 'role="alert"' in error.data.decode()


# Federated queries are refused: the server must not call out for a visitor -----------------------
@pytest.fixture()
def listener():  # type: ignore[no-untyped-def]
    """A local HTTP server that records every request it gets (a federated query would call it)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            calls.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", calls
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ ?x ?y ?z . service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ FILTER(1<2)SERVICE<{url}/sparql>{{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?a ?b ?c.Service <{url}/sparql> {{ ?s ?p ?o }} }}",
        # SPARQL applies \\u escapes to the whole query before parsing it
        "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ VALUES ?e {{ <{url}/sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    ],
)
def test_federated_queries_are_refused_and_never_call_out(client, listener, template) -> None:  # type: ignore[no-untyped-def]
    url, calls = listener
    query = template.format(url=url)
    for response in (
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data=query.encode(), content_type="application/sparql-query"),
    ):
        assert response.status_code == 400, response.data
        assert "SERVICE" in response.data.decode() and "fédérées" in response.data.decode()
    assert calls == []


def test_a_service_to_an_unresolvable_host_is_400_not_500(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { SERVICE <http://no-such-host.invalid/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400 and "SERVICE" in response.data.decode()


def test_the_word_service_in_a_literal_an_iri_a_name_or_a_comment_is_not_a_federated_query(client) -> None:  # type: ignore[no-untyped-def]
    query = """PREFIX service: <http://example.org/service#>
    # SERVICE <http://127.0.0.1:9/sparql> { }
    SELECT ?service (COUNT(?i) AS ?n) WHERE {
      ?i a <https://w3id.org/carrefour/vocab#SocialInnovation> .
      OPTIONAL { ?i <http://example.org/service> ?service }
      OPTIONAL { ?i service:service "SERVICE <http://127.0.0.1:9/> { }" }
      OPTIONAL { ?i <http://example.org/x> '''a ' SERVICE <x> {}''' }
    } GROUP BY ?service"""
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    assert int(response.json["results"]["bindings"][0]["n"]["value"]) == 30


# Limits: time and number of results -------------------------------------------------------------
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _worker_pids() -> list[int]:
    """Processes forked by the forkserver that runs the SPARQL workers (alive, not reaped)."""
    import os
    from multiprocessing import forkserver

    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if server and int(fields[1]) == server:
                found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The portal over a store on disk, as in production (the harvester wrote it, then closed it)."""
    from aggregator.aggregate import Aggregate
    from aggregator.innovation_graph import RecordContext
    from aggregator.records import record_id
    from aggregator.settings import load_settings
    from endpoint.app import create_app
    from tests.integration.conftest import RECORDS, _write_sources, mapped_record

    data_dir = tmp_path_factory.mktemp("sparql-on-disk")
    _write_sources(data_dir / "mappings")
    settings = load_settings(
        environ={}, data_dir=data_dir, mappings_dir=data_dir / "mappings", base_url="http://carrefour.test"
    )
    writer = Aggregate(settings)
    for row in RECORDS:
        rid = record_id(row[0], row[1])
        writer.put(
            mapped_record(row), RecordContext(settings.base_url, rid, row[0], row[1], "1", "2024-05-02T10:00:00Z")
        )
    writer.close()
    app = create_app(settings)
    yield app
    app.extensions["carrefour"].aggregate.close()


@pytest.fixture()
def limited(on_disk, monkeypatch):  # type: ignore[no-untyped-def]
    """A client of the on-disk portal whose settings are overridden for the test."""

    def apply(**values: object):  # type: ignore[no-untyped-def]
        extension = on_disk.extensions["carrefour"]
        monkeypatch.setattr(extension, "settings", extension.settings.with_overrides(**values))
        return on_disk.test_client()

    return apply


def test_a_query_past_the_timeout_is_stopped_and_answered_503(limited) -> None:  # type: ignore[no-untyped-def]
    import time

    client = limited(sparql_timeout=1)
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": CARTESIAN})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    text = response.data.decode()
    assert "durée permise (1 s)" in text and "restreignez" in text
    assert elapsed < 10
    # The evaluation is stopped, not left running after the answer: its worker process is gone.
    assert _worker_pids() == []
    # The endpoint still answers.
    assert count_from_json(client.get("/sparql", query_string={"query": COUNT}).data) == 30


def test_too_many_results_is_400_and_limit_gives_them(limited) -> None:  # type: ignore[no-untyped-def]
    client = limited(sparql_max_rows=10)
    select = "SELECT ?i WHERE { ?i a <https://w3id.org/carrefour/vocab#SocialInnovation> }"
    response = client.get("/sparql", query_string={"query": select})
    assert response.status_code == 400
    assert "plus de 10 résultats" in response.data.decode() and "LIMIT" in response.data.decode()
    ok = client.get("/sparql", query_string={"query": select + " LIMIT 10"})
    assert ok.status_code == 200 and len(ok.json["results"]["bindings"]) == 10
    construct = "CONSTRUCT { ?i a ?t } WHERE { ?i a ?t }"
    assert client.get("/sparql", query_string={"query": construct}).status_code == 400
    assert client.get("/sparql", query_string={"query": COUNT}).status_code == 200  # one row


def test_results_keep_their_terms_through_the_worker(limited) -> None:  # type: ignore[no-untyped-def]
    client = limited()
    query = """SELECT ?iri ?fr ?n ?plain ?b WHERE {
      VALUES (?iri ?fr ?n ?plain) { (<http://example.org/a> "titre"@fr 42 "texte") }
      BIND(BNODE() AS ?b) }"""
    binding = client.get("/sparql", query_string={"query": query}).json["results"]["bindings"][0]
    assert binding["iri"] == {"type": "uri", "value": "http://example.org/a"}
    assert binding["fr"] == {"type": "literal", "value": "titre", "xml:lang": "fr"}
    assert binding["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert binding["plain"] == {"type": "literal", "value": "texte"}
    assert binding["b"]["type"] == "bnode"
