"""Linked data: ``/id/innovation/<id>`` as an HTML page and as RDF by content negotiation."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
from lxml import html as lxml_html

from aggregator.records import record_id

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
RID = record_id("fondation", "p-001")
URI = f"http://carrefour.test/id/innovation/{RID}"
TITLE = "Un jardin potager au pied des immeubles"


def test_html_page_shows_the_record(client):  # type: ignore[no-untyped-def]
    response = client.get(f"/id/innovation/{RID}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Vary"] == "Accept"
    doc = lxml_html.fromstring(response.data.decode())
    assert doc.get("lang") == "fr"
    assert doc.xpath("//h1")[0].text_content() == TITLE
    text = re.sub(r"\s+", " ", html.unescape(doc.text_content()))
    assert "Le potager a été aménagé avec le bailleur social" in text
    assert "Alimentation durable" in text and "Environnement" in text  # theme labels, not codes
    assert "Lien social" in text
    assert "Rennes" in text and "Ille-et-Vilaine" in text and "Bretagne" in text
    assert "Association Les Mains Vertes" in text
    assert doc.xpath("//a[@href='https://mainsvertes.example.org']")
    assert "Fondation pour l'innovation solidaire" in text
    original = doc.xpath("//a[@href='https://fondation.example.org/projets/p-001']")
    assert original and "Voir la notice" in original[0].text_content()
    assert URI in text
    theme_links = [a.get("href") for a in doc.xpath("//ul[@class='tags']//a")]
    assert "/?theme=ENV%2FALI" in theme_links or "/?theme=ENV/ALI" in theme_links
    # alternates announced for machines
    types = {link.get("type") for link in doc.xpath("//link[@rel='alternate']")}
    assert {"text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"} <= types


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("text/turtle;q=0.9, text/html;q=0.5", ox.RdfFormat.TURTLE),
    ],
)
def test_content_negotiation_gives_parseable_rdf(client, published, accept, fmt):  # type: ignore[no-untyped-def]
    response = client.get(f"/id/innovation/{RID}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept.split(";")[0].split(",")[0].strip()
    assert response.headers["Vary"] == "Accept"
    triples = list(ox.parse(response.data, format=fmt))
    title = [t for t in triples if t.subject == ox.NamedNode(URI) and t.predicate == DCT_TITLE]
    assert title and title[0].object == ox.Literal(TITLE, language="fr")
    stored = published.app.extensions["carrefour"].aggregate.store.graph_triples(URI + "#graph")
    assert len(set(triples)) == len(set(stored))


def test_format_parameter_overrides_accept(client):  # type: ignore[no-untyped-def]
    response = client.get(f"/id/innovation/{RID}?format=ttl", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert "@prefix cis: <https://w3id.org/carrefour/vocab#>" in response.data.decode()
    assert client.get(f"/id/innovation/{RID}?format=pdf").status_code == 400


def test_no_acceptable_format_is_406(client):  # type: ignore[no-untyped-def]
    response = client.get(f"/id/innovation/{RID}", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_unknown_record_is_a_french_404(client):  # type: ignore[no-untyped-def]
    response = client.get("/id/innovation/fondation-0000000000000000", headers={"Accept": "text/html"})
    assert response.status_code == 404
    page = html.unescape(response.data.decode())
    assert '<html lang="fr">' in page and "Aucune innovation ne porte l'identifiant" in page
    assert "Revenir à la recherche" in page
    odd = client.get("/id/innovation/a%20b%3Cscript%3E", headers={"Accept": "text/html"})
    assert odd.status_code == 404 and "<script>" not in odd.data.decode()
    rdf = client.get("/id/innovation/fondation-0000000000000000", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404


def test_withdrawn_record_is_410_gone(client, published):  # type: ignore[no-untyped-def]
    for rid in published.withdrawn:
        response = client.get(f"/id/innovation/{rid}", headers={"Accept": "text/html"})
        assert response.status_code == 410
        page = html.unescape(response.data.decode())
        assert "Notice retirée" in page and "a été retirée par la plateforme" in page
        assert client.get(f"/id/innovation/{rid}", headers={"Accept": "text/turtle"}).status_code == 410


def test_every_live_record_has_a_page(client, published):  # type: ignore[no-untyped-def]
    for rid, row in published.live.items():
        response = client.get(f"/id/innovation/{rid}")
        assert response.status_code == 200, rid
        assert lxml_html.fromstring(response.data.decode()).xpath("//h1")[0].text_content() == row[2]
