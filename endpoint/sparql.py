"""``/sparql``: the SPARQL 1.1 Protocol, read-only, with a query page in French for people.

Queries run on the union of the record graphs (analysts need no GRAPH clause). Updates are
refused with 403, whichever way they come (``update=`` or ``application/sparql-update``).
Federated queries (``SERVICE``) are refused with 400: the server must not call other addresses
for a visitor. Every query runs in a worker process, killed at ``sparql_timeout`` seconds (503),
and may return at most ``sparql_max_rows`` results (400); see docs/sparql.md.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, make_response, render_template, request

from aggregator.store.oxigraph import OxigraphStore
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


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: SPARQL's codepoint escapes, replaced in the whole query before parsing (SPARQL 1.1 § 19.2).
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: The lexemes that can hide a word: comments, strings (long ones first), IRIs, variables, names.
_LEXEME = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)
    | (?P<name>(?:[^\W\d][\w\-.]*)?:[\w\-.:%\\]*|[^\W\d][\w\-]*)
    | (?P<other>.)
    """,
    re.X | re.S,
)


def _unescape_codepoints(query: str) -> str:
    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _CODEPOINT.sub(char, query)


def keywords(query: str) -> list[str]:
    """The bare words of a query, upper-cased: not those inside strings, IRIs, comments, variables
    or prefixed names (``ex:service``, ``service:x``), after SPARQL's \\u escapes are applied."""
    return [
        m.group("name").upper()
        for m in _LEXEME.finditer(_unescape_codepoints(query))
        if m.lastgroup == "name" and ":" not in m.group("name")
    ]


def declares_dataset(query: str) -> bool:
    """Whether the query names its own dataset (FROM / FROM NAMED); if not, it sees every record graph."""
    return "FROM" in keywords(query)


def is_federated(query: str) -> bool:
    """Whether the query has a SERVICE clause (a federated query that would make the server call out)."""
    return "SERVICE" in keywords(query)


class QueryLimitError(Exception):
    """A query stopped by the limits of the endpoint (time, number of results)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _timeout_error(timeout: float) -> QueryLimitError:
    return QueryLimitError(
        503,
        f"La requête a dépassé la durée permise ({timeout:g} s) et a été interrompue : "
        "restreignez-la (motifs plus précis, FILTER, LIMIT) avant de la relancer.",
    )


def _rows_error(max_rows: int) -> QueryLimitError:
    return QueryLimitError(
        400,
        f"La requête donne plus de {max_rows} résultats, le maximum permis : restreignez-la "
        "(motifs plus précis, FILTER) ou ajoutez LIMIT (et OFFSET pour la suite).",
    )


# Evaluation with limits -------------------------------------------------------------------
def _term_json(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise ValueError(f"terme inattendu dans les résultats : {term!r}")


def _collect(result: object, max_rows: int, deadline: float | None = None) -> tuple[str, object]:
    """Read a result within the limits: ("ask", bool), ("select", JSON bytes), ("graph", N-Triples
    bytes), or ("too_many", n) / ("timeout", None). Results are read lazily, so a result too big is
    never read whole."""
    if isinstance(result, ox.QueryBoolean):
        return "ask", bool(result)
    count = 0
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        bindings = []
        for solution in result:
            count += 1
            if count > max_rows:
                return "too_many", max_rows
            if deadline is not None and time.monotonic() > deadline:
                return "timeout", None
            bindings.append({v: _term_json(solution[v]) for v in variables if solution[v] is not None})
        body = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return "select", json.dumps(body, ensure_ascii=False).encode("utf-8")
    triples = []
    for triple in result:  # type: ignore[attr-defined]
        count += 1
        if count > max_rows:
            return "too_many", max_rows
        if deadline is not None and time.monotonic() > deadline:
            return "timeout", None
        triples.append(triple)
    return "graph", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _worker(store_dir: str, query: str, max_rows: int, timeout: float, conn: Connection) -> None:
    """Run in a worker process: evaluate on a read-only view of the store and send the outcome."""
    deadline = time.monotonic() + timeout
    try:
        store = ox.Store.read_only(store_dir)
        result = store.query(query, use_default_graph_as_union=not declares_dataset(query))
        outcome = _collect(result, max_rows, deadline)
    except SyntaxError as exc:
        outcome = ("syntax", str(exc))
    except Exception as exc:  # noqa: BLE001 — whatever it is, the parent answers it
        outcome = ("error", str(exc))
    try:
        conn.send(outcome)
    finally:
        conn.close()


_CONTEXT: multiprocessing.context.BaseContext | None = None


def _context() -> multiprocessing.context.BaseContext:
    """A forkserver: workers are forked from a small clean process, not from the threaded server."""
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pyoxigraph", "endpoint.sparql"])
        _CONTEXT = context
    return _CONTEXT


def _in_worker(store_dir: str, query: str, max_rows: int, timeout: float) -> tuple[str, object]:
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(  # type: ignore[attr-defined]
        target=_worker, args=(store_dir, query, max_rows, timeout, sender), daemon=True, name="carrefour-sparql"
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return "timeout", None
        return receiver.recv()  # type: ignore[no-any-return]
    except EOFError:
        return "crashed", process.exitcode
    finally:
        if process.is_alive():
            process.kill()  # stops the evaluation, and its use of the CPU, now
        process.join()
        receiver.close()
        process.close()


def _store_on_disk(store: object) -> str | None:
    """The folder of an Oxigraph store on disk, which a worker process can open read-only."""
    if not isinstance(store, OxigraphStore):
        return None
    path = getattr(store, "path", None) or carrefour().aggregate.settings.store_dir
    return str(path) if (Path(path) / "CURRENT").exists() else None


@dataclass
class Limits:
    timeout: float
    max_rows: int


def evaluate(query: str) -> object:
    """Evaluate a query within the limits of the settings: a pyoxigraph result (solutions or boolean)
    or a list of triples. Raises SyntaxError, QueryLimitError, StoreUnavailableError, or ValueError."""
    app = carrefour()
    limits = Limits(float(app.settings.sparql_timeout), int(app.settings.sparql_max_rows))
    store = app.aggregate.store
    path = _store_on_disk(store)
    if path is not None:
        kind, value = _in_worker(path, query, limits.max_rows, limits.timeout)
    else:
        # A remote store: the server evaluates (within http_timeout), its results are read here with a
        # deadline. (Or a store only in memory, which a worker cannot open: a new, empty store.)
        deadline = time.monotonic() + limits.timeout
        union = not declares_dataset(query)
        kind, value = _collect(store.query(query, use_default_graph_as_union=union), limits.max_rows, deadline)
    if kind == "syntax":
        raise SyntaxError(value)
    if kind == "error":
        raise ValueError(value)
    if kind == "crashed":
        raise QueryLimitError(503, "L'évaluation de la requête a échoué (processus arrêté) : restreignez la requête.")
    if kind == "timeout":
        raise _timeout_error(limits.timeout)
    if kind == "too_many":
        raise _rows_error(limits.max_rows)
    if kind == "ask":
        return ox.parse_query_results(json.dumps({"head": {}, "boolean": value}), format=ox.QueryResultsFormat.JSON)
    if kind == "select":
        return ox.parse_query_results(value, format=ox.QueryResultsFormat.JSON)  # type: ignore[arg-type]
    return [ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(value, format=ox.RdfFormat.N_TRIPLES)]  # type: ignore[arg-type]


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
    if is_federated(query):
        return _problem(
            400,
            "Les requêtes fédérées (SERVICE) sont refusées : ce point d'accès n'interroge que les "
            "données de Carrefour. Retirez la clause SERVICE.",
            query,
        )
    try:
        result = evaluate(query)
    except SyntaxError as exc:
        return _problem(400, f"Requête SPARQL invalide : {exc}", query)
    except QueryLimitError as exc:
        log.info("Requête SPARQL arrêtée (%s) : %s", exc.status, query[:500])
        return _problem(exc.status, exc.message, query)
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
    if isinstance(result, (ox.QueryTriples, list)):
        media_type = (
            forced if forced in GRAPH_FORMATS else (accept.best_match(GRAPH_FORMATS) if accept else GRAPH_FORMATS[0])
        )
        if media_type is None:
            return _problem(406, "Format non disponible pour un graphe : " + ", ".join(GRAPH_FORMATS) + ".")
        fmt = RDF_FORMATS[media_type][0]
        triples = list(_triples(result))
        body = (
            ox.serialize(triples, format=fmt)
            if fmt != ox.RdfFormat.TURTLE
            else ox.serialize(triples, format=fmt, prefixes=PREFIXES)
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


def _triples(result: ox.QueryTriples | list[ox.Triple]):  # type: ignore[no-untyped-def]
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
