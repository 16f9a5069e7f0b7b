"""``/vocab``: French HTML for people, Turtle by content negotiation."""

import pyoxigraph as ox
from flask import Flask

from aggregator.settings import Settings
from endpoint.app import create_app


def app_for(tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    return create_app(Settings(data_dir=tmp_path / "data", base_url="http://carrefour.test"))


def test_vocab_page_in_french_and_in_turtle(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = app_for(tmp_path)
    client = app.test_client()
    html = client.get("/vocab", headers={"Accept": "text/html"})
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    assert "Innovation sociale" in text and "Coopérative" in text and "SCOP" in text
    turtle = client.get("/vocab", headers={"Accept": "text/turtle"})
    assert turtle.content_type.startswith("text/turtle")
    store = ox.Store()
    store.load(turtle.get_data(), format=ox.RdfFormat.TURTLE)
    assert (
        ox.Quad(
            ox.NamedNode("https://w3id.org/carrefour/vocab#SocialInnovation"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
        )
        in store
    )
    assert turtle.headers["Vary"] == "Accept"
    app.extensions["carrefour"].aggregate.close()


def test_every_term_is_labelled_and_commented_in_french_and_english() -> None:
    from aggregator.settings import PROJECT_ROOT

    store = ox.Store()
    store.load(path=str(PROJECT_ROOT / "vocab" / "carrefour.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?t WHERE { ?t a ?k FILTER(STRSTARTS(STR(?t), "https://w3id.org/carrefour/vocab#"))
          FILTER NOT EXISTS { ?t rdfs:label ?fr FILTER(lang(?fr) = "fr")
            ?t rdfs:label ?en FILTER(lang(?en) = "en")
            ?t rdfs:comment ?cf FILTER(lang(?cf) = "fr")
            ?t rdfs:comment ?ce FILTER(lang(?ce) = "en") } }"""
    )
    assert [r["t"].value for r in rows] == []  # type: ignore[attr-defined]


def test_vocab_context_json_ld_and_prefixed_turtle(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    app = app_for(tmp_path)
    client = app.test_client()
    context = client.get("/vocab/context.jsonld")
    assert context.status_code == 200 and context.content_type == "application/ld+json"
    assert json.loads(context.get_data())["@context"]["cis"] == "https://w3id.org/carrefour/vocab#"
    assert context.headers["Access-Control-Allow-Origin"] == "*"

    jsonld = client.get("/vocab", headers={"Accept": "application/ld+json"})
    assert jsonld.content_type.startswith("application/ld+json")
    store = ox.Store()
    store.load(jsonld.get_data(), format=ox.RdfFormat.JSON_LD)
    cls = ox.Quad(
        ox.NamedNode("https://w3id.org/carrefour/vocab#SocialInnovation"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
    )
    assert cls in store
    assert client.get("/vocab?format=jsonld").content_type.startswith("application/ld+json")

    turtle = client.get("/vocab", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "@prefix cis: <https://w3id.org/carrefour/vocab#> ." in turtle
    assert "\ncis:SocialInnovation " in turtle and "<https://w3id.org/carrefour/vocab#SocialInnovation>" not in turtle
    app.extensions["carrefour"].aggregate.close()
