"""``/vocab``: the vocabulary for people (French HTML) and for programs (Turtle, N-Triples or JSON-LD,
by ``Accept`` or ``?format=``), and its JSON-LD context at ``/vocab/context.jsonld``."""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from endpoint.app import carrefour

bp = Blueprint("vocab", __name__)

FILES = ("carrefour.ttl", "schemes.ttl", "themes.ttl", "shapes.ttl")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


_PREFIX = re.compile(r"@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]+)>", re.IGNORECASE)


def _prefixes() -> dict[str, str]:
    """The prefixes the vocabulary files declare, so that the Turtle served reads like them."""
    found: dict[str, str] = {}
    for name in FILES:
        path = carrefour().settings.vocab_dir / name
        if path.exists():
            for prefix, iri in _PREFIX.findall(path.read_text(encoding="utf-8")):
                if prefix:
                    found.setdefault(prefix, iri)
    return found


def _graph() -> ox.Store:
    store = ox.Store()
    for name in FILES:
        path = carrefour().settings.vocab_dir / name
        if path.exists():
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return store


def _label(values: dict[str, list[ox.Literal]], predicate: str, lang: str) -> str:
    found = [v.value for v in values.get(predicate, []) if getattr(v, "language", None) == lang]
    return found[0] if found else ""


@bp.get("/vocab")
def page():  # type: ignore[no-untyped-def]
    best = request.accept_mimetypes.best_match(
        ["text/html", "text/turtle", "application/n-triples", "application/ld+json"], "text/html"
    )
    wanted = request.args.get("format", "")
    graph = _graph()
    if wanted in ("ttl", "turtle") or (not wanted and best == "text/turtle"):
        body = ox.serialize(graph, format=ox.RdfFormat.TURTLE, prefixes=_prefixes())
        response = Response(body, content_type="text/turtle; charset=utf-8")
    elif wanted in ("jsonld", "json-ld") or (not wanted and best == "application/ld+json"):
        body = ox.serialize(graph, format=ox.RdfFormat.JSON_LD, prefixes=_prefixes())
        response = Response(body, content_type="application/ld+json")
    elif wanted in ("nt",) or (not wanted and best == "application/n-triples"):
        response = Response(ox.serialize(graph, format=ox.RdfFormat.N_TRIPLES), content_type="application/n-triples")
    else:
        nodes: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type: ignore[type-arg]
        for quad in graph:
            nodes[quad.subject.value][quad.predicate.value].append(quad.object)
        kinds = {OWL + "Class": "Classes", OWL + "ObjectProperty": "Relations", OWL + "DatatypeProperty": "Attributs"}
        terms: dict[str, list[dict[str, str]]] = {label: [] for label in kinds.values()}
        schemes: dict[str, dict[str, object]] = {}
        for iri, values in sorted(nodes.items()):
            types = {t.value for t in values.get(RDF_TYPE, [])}
            for kind, label in kinds.items():
                if kind in types:
                    terms[label].append(
                        {
                            "iri": iri,
                            "name": iri.rsplit("#", 1)[-1],
                            "fr": _label(values, RDFS + "label", "fr"),
                            "en": _label(values, RDFS + "label", "en"),
                            "comment": _label(values, RDFS + "comment", "fr"),
                        }
                    )
            if SKOS + "ConceptScheme" in types:
                schemes[iri] = {"label": _label(values, SKOS + "prefLabel", "fr"), "concepts": []}
        for iri, values in sorted(nodes.items()):
            for scheme in values.get(SKOS + "inScheme", []):
                if scheme.value in schemes:
                    schemes[scheme.value]["concepts"].append(  # type: ignore[union-attr]
                        {
                            "iri": iri,
                            "notation": values[SKOS + "notation"][0].value if values.get(SKOS + "notation") else "",
                            "label": _label(values, SKOS + "prefLabel", "fr"),
                            "alt": sorted(v.value for v in values.get(SKOS + "altLabel", [])),
                        }
                    )
        html = render_template("vocab.html", terms=terms, schemes=schemes)
        response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/vocab/context.jsonld")
def context():  # type: ignore[no-untyped-def]
    """The JSON-LD context of the vocabulary's terms (``vocab/context.jsonld``), for documents to reference."""
    path = carrefour().settings.vocab_dir / "context.jsonld"
    if not path.exists():
        abort(404)
    response = Response(path.read_bytes(), content_type="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
