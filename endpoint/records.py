"""Linked data: ``/id/innovation/<id>`` as HTML for people and as RDF by ``Accept``."""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request, url_for

from aggregator.innovation_graph import CIS, DCT, PROV, SCHEMA
from aggregator.store.oxigraph import graph_iri
from endpoint.app import carrefour, error_page
from endpoint.rdf import FORMAT_ALIASES, RDF_FORMATS, by_subject, first, language_of, serialize, theme_codes, values

bp = Blueprint("records", __name__)

RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
OFFERED = ["text/html", *RDF_FORMATS]


def negotiate() -> str | None:
    wanted = request.args.get("format", "").strip().lower()
    if wanted:
        return FORMAT_ALIASES.get(wanted, "")
    if not request.accept_mimetypes:
        return "text/html"
    return request.accept_mimetypes.best_match(OFFERED)


@bp.get("/id/innovation/<record_id>")
def innovation(record_id: str):  # type: ignore[no-untyped-def]
    app = carrefour()
    media_type = negotiate()
    if media_type == "":
        return error_page(
            400, f"Format « {request.args.get('format')} » inconnu. Formats proposés : html, ttl, jsonld, rdf, nt."
        )
    if media_type is None:
        response = error_page(
            406, "Aucun des formats demandés n'est disponible. Formats proposés : " + ", ".join(OFFERED) + "."
        )
        return response
    row = app.aggregate.listing.published_row(record_id) if RECORD_ID.match(record_id) else None
    if row is None:
        return _vary(
            error_page(
                404,
                f"Aucune innovation ne porte l'identifiant « {record_id} ».",
                hint="Cherchez-la par son titre depuis la page de recherche.",
            )
        )
    if row.deleted:
        return _vary(
            error_page(
                410,
                "Cette innovation a été retirée par la plateforme qui la publiait. Sa notice n'est plus diffusée.",
                hint=f"Retirée le {row.datestamp}.",
            )
        )
    uri = app.aggregate.record_uri(record_id)
    triples = app.aggregate.store.graph_triples(graph_iri(uri))
    if not triples:
        return _vary(error_page(404, f"La notice « {record_id} » est annoncée mais son contenu est introuvable."))
    if media_type != "text/html":
        response = Response(serialize(triples, media_type), content_type=_content_type(media_type))
        response.headers["Link"] = f'<{uri}>; rel="describes"'
        response.headers["Access-Control-Allow-Origin"] = "*"
        return _vary(response)
    view = record_view(record_id, uri, row.source_id, triples)
    view["same_as"] = same_innovation_elsewhere(record_id, uri)
    return _vary(Response(render_template("record.html", r=view)))


def same_innovation_elsewhere(record_id: str, uri: str) -> list[dict[str, str]]:
    """The other notices of the same innovation (owl:sameAs), each with its source, for the record page."""
    app = carrefour()
    cluster = app.aggregate.cluster_of(uri)
    if cluster is None:
        return []
    members = [cluster.canonical] if cluster.canonical else list(cluster.duplicates)
    if cluster.canonical:
        canonical = app.aggregate.cluster_of(app.aggregate.record_uri(cluster.canonical))
        members += [m for m in (canonical.duplicates if canonical else ()) if m != record_id]
    others = []
    for member in members:
        row = app.aggregate.listing.published_row(member)
        if row is not None and not row.deleted:
            others.append(
                {"page": url_for("records.innovation", record_id=member), "source": app.labels.source(row.source_id)}
            )
    return others


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type != "application/rdf+xml" else media_type


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


def record_view(record_id: str, uri: str, source_id: str, triples: list) -> dict[str, object]:  # type: ignore[type-arg]
    app = carrefour()
    labels = app.labels
    graph = by_subject(triples)
    inn = graph.get(uri, {})
    place = graph.get(f"{uri}#place", {})
    record = graph.get(f"{uri}#record", {})

    def org(iri: str) -> dict[str, str]:
        node = graph.get(iri, {})
        return {"uri": iri, "name": first(node, SCHEMA + "name") or iri, "actor": first(node, CIS + "actorTypeLabel")}

    codes = theme_codes(inn)
    return {
        "id": record_id,
        "uri": uri,
        "title": first(inn, DCT + "title") or record_id,
        "lang": language_of(inn, DCT + "title") or "fr",
        "summary": first(inn, DCT + "abstract"),
        "description": first(inn, DCT + "description"),
        "themes": [
            {"code": c, "label": labels.theme(c), "top": "/" not in c, "search": url_for("search.page", theme=c)}
            for c in codes
        ],
        "tags": values(inn, CIS + "tag"),
        "place": {
            "commune": first(place, SCHEMA + "name"),
            "postal_code": first(place, SCHEMA + "postalCode"),
            "department": first(place, CIS + "department"),
            "region": first(place, CIS + "region"),
            "insee": first(place, CIS + "inseeCode"),
            "lat": first(place, "http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
            "lon": first(place, "http://www.w3.org/2003/01/geo/wgs84_pos#long"),
        },
        "organisations": [org(o) for o in values(inn, CIS + "carriedBy")],
        "partners": [org(o) for o in values(inn, CIS + "partner")],
        "website": first(inn, SCHEMA + "url"),
        "started": first(inn, SCHEMA + "startDate"),
        "source": {"id": source_id, "label": labels.source(source_id), "homepage": labels.source_homepage(source_id)},
        "original": first(record, PROV + "wasDerivedFrom"),
        "harvested": first(record, PROV + "generatedAtTime"),
        "formats": [
            {
                "label": "Turtle",
                "href": url_for("records.innovation", record_id=record_id, format="ttl"),
                "type": "text/turtle",
            },
            {
                "label": "JSON-LD",
                "href": url_for("records.innovation", record_id=record_id, format="jsonld"),
                "type": "application/ld+json",
            },
            {
                "label": "RDF/XML",
                "href": url_for("records.innovation", record_id=record_id, format="rdf"),
                "type": "application/rdf+xml",
            },
            {
                "label": "N-Triples",
                "href": url_for("records.innovation", record_id=record_id, format="nt"),
                "type": "application/n-triples",
            },
        ],
    }
