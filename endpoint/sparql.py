"""``/sparql``: the SPARQL 1.1 Protocol, read-only, with a query page in French for people.

Queries run on the union of the record graphs (analysts need no GRAPH clause). Updates are
refused with 403, whichever way they come (``update=`` or ``application/sparql-update``).
"""

from __future__ import annotations

import logging

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, make_response, render_template, request

from aggregator.store.sparql import StoreUnavailableError
from endpoint.app import carrefour
from endpoint.rdf import PREFIXES, RDF_FORMATS

log = logging.getLogger(__name__)
bp = Blueprint("sparql", __name__)

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: Aliases accepted for results, as some clients ask for them.
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
}
GRAPH_FORMATS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
FORMAT_PARAM = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}

EXAMPLE_QUERY = """PREFIX cis: <https://w3id.org/carrefour/vocab#>

SELECT (COUNT(?innovation) AS ?innovations)
WHERE { ?innovation a cis:SocialInnovation }"""

MORE_EXAMPLES = [
    (
        "Innovations par région",
        """PREFIX cis: <https://w3id.org/carrefour/vocab#>
PREFIX schema: <https://schema.org/>

SELECT ?region (COUNT(DISTINCT ?innovation) AS ?innovations)
WHERE {
  ?innovation a cis:SocialInnovation ; schema:location ?lieu .
  ?lieu cis:region ?region .
}
GROUP BY ?region
ORDER BY DESC(?innovations)""",
    ),
    (
        "Dix innovations et leur porteur",
        """PREFIX cis: <https://w3id.org/carrefour/vocab#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>

SELECT ?innovation ?titre ?porteur
WHERE {
  ?innovation a cis:SocialInnovation ; dcterms:title ?titre .
  OPTIONAL { ?innovation cis:carriedBy/schema:name ?porteur }
}
LIMIT 10""",
    ),
]


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept"
    return response


def _problem(status: int, message: str, query: str = "") -> Response:
    """A protocol error: plain text for programs, the query page for people."""
    if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html" and _wants_html():
        response = make_response(
            render_template(
                "sparql.html",
                query=query or EXAMPLE_QUERY,
                error=message,
                examples=MORE_EXAMPLES,
                example=EXAMPLE_QUERY,
            )
        )
    else:
        response = make_response(message + "\n")
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.status_code = status
    return _cors(response)


def _wants_html() -> bool:
    if request.values.get("format", "").lower() == "html":
        return True
    accept = request.accept_mimetypes
    html = accept["text/html"]
    others = max([accept[t] for t in (*RESULT_FORMATS, *GRAPH_FORMATS, "application/json")] + [0])
    # Only an explicit text/html preferred over every results type makes a page (browsers do that).
    return bool(html) and "text/html" in {v for v, _ in accept} and html >= others


def _read_query() -> tuple[str | None, str | None]:
    """(query, update) from the three ways of the protocol; raises ValueError on a protocol error."""
    content_type = (request.mimetype or "").lower()
    if request.method == "GET":
        queries, updates = request.args.getlist("query"), request.args.getlist("update")
    elif content_type == "application/sparql-query":
        queries, updates = [request.get_data(as_text=True)], []
    elif content_type == "application/sparql-update":
        queries, updates = [], [request.get_data(as_text=True)]
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        queries, updates = request.form.getlist("query"), request.form.getlist("update")
    else:
        raise ValueError(
            f"Type de contenu « {content_type or 'absent'} » non pris en charge : envoyez la requête en "
            "application/sparql-query ou en formulaire (application/x-www-form-urlencoded, champ query)."
        )
    if len(queries) > 1:
        raise ValueError("Un seul paramètre query est permis par requête.")
    return (queries[0] if queries else None), (updates[0] if updates else None)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():  # type: ignore[no-untyped-def]
    try:
        query, update = _read_query()
    except ValueError as exc:
        status = 415 if "Type de contenu" in str(exc) else 400
        return _problem(status, str(exc))
    if update is not None:
        return _problem(
            403,
            "Ce point d'accès SPARQL est en lecture seule : les mises à jour (SPARQL Update) "
            "sont refusées. Seules les requêtes SELECT, ASK, CONSTRUCT et DESCRIBE sont permises.",
        )
    if query is None or not query.strip():
        if request.method == "GET" and not request.args.get("query"):
            return make_response(
                render_template(
                    "sparql.html", query=EXAMPLE_QUERY, error=None, examples=MORE_EXAMPLES, example=EXAMPLE_QUERY
                )
            )
        return _problem(400, "La requête SPARQL est vide : écrivez une requête dans le paramètre query.")
    if request.values.getlist("default-graph-uri") or request.values.getlist("named-graph-uri"):
        return _problem(
            400,
            "Les paramètres default-graph-uri et named-graph-uri ne sont pas pris en charge : "
            "les requêtes portent sur l'union de toutes les notices (utilisez GRAPH au besoin).",
            query,
        )
    try:
        result = carrefour().aggregate.store.query(query)
    except SyntaxError as exc:
        return _problem(400, f"Requête SPARQL invalide : {exc}", query)
    except StoreUnavailableError as exc:
        log.warning("Triplestore indisponible : %s", exc)
        response = _problem(
            503, "Le triplestore est momentanément indisponible : réessayez dans quelques instants.", query
        )
        response.headers["Retry-After"] = "30"
        return response
    except (ValueError, OSError, RuntimeError) as exc:
        log.warning("Requête SPARQL en échec : %s", exc)
        return _problem(400, f"La requête n'a pas pu être évaluée : {exc}", query)
    return _answer(result, query)


def _answer(result: object, query: str) -> Response:
    forced = FORMAT_PARAM.get(request.values.get("format", "").lower())
    accept = request.accept_mimetypes
    if isinstance(result, ox.QueryTriples):
        media_type = (
            forced if forced in GRAPH_FORMATS else (accept.best_match(GRAPH_FORMATS) if accept else GRAPH_FORMATS[0])
        )
        if media_type is None:
            return _problem(406, "Format non disponible pour un graphe : " + ", ".join(GRAPH_FORMATS) + ".")
        fmt = RDF_FORMATS[media_type][0]
        body = (
            result.serialize(format=fmt)
            if fmt != ox.RdfFormat.TURTLE
            else ox.serialize(list(_triples(result)), format=fmt, prefixes=PREFIXES)
        )
        return _cors(Response(body, content_type=f"{media_type}; charset=utf-8"))
    if _wants_html() or forced == "text/html":
        table = _html_table(result)
        return make_response(
            render_template(
                "sparql.html", query=query, error=None, table=table, examples=MORE_EXAMPLES, example=EXAMPLE_QUERY
            )
        )
    offered = [*RESULT_FORMATS, *RESULT_ALIASES]
    media_type = (
        forced
        if forced in RESULT_FORMATS
        else (accept.best_match(offered) if accept else "application/sparql-results+json")
    )
    if media_type is None:
        return _problem(406, "Format non disponible pour des résultats : " + ", ".join(RESULT_FORMATS) + ".")
    media_type = RESULT_ALIASES.get(media_type, media_type)
    body = result.serialize(format=RESULT_FORMATS[media_type])  # type: ignore[attr-defined]
    return _cors(Response(body, content_type=f"{media_type}; charset=utf-8"))


def _triples(result: ox.QueryTriples):  # type: ignore[no-untyped-def]
    yield from result


def _html_table(result: object) -> dict[str, object]:
    if isinstance(result, ox.QueryBoolean):
        return {"boolean": bool(result)}
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    rows = []
    for i, solution in enumerate(result):
        if i >= 1000:
            break
        rows.append([(solution[v].value if solution[v] is not None else "") for v in variables])
    return {"variables": variables, "rows": rows, "truncated": len(rows) >= 1000}


__all__ = ["bp", "EXAMPLE_QUERY", "jsonify"]
