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
