"""The triple store at scale: a SPARQL 1.1 Query/Update server (Apache Jena Fuseki is the reference).

``SparqlStore`` offers exactly the methods of ``OxigraphStore`` and answers with the same
pyoxigraph objects, so the rest of Carrefour cannot tell the two apart:

* SELECT and ASK: the server's SPARQL JSON (or XML) results read by ``pyoxigraph.parse_query_results``,
  which gives ``QuerySolutions`` / ``QueryBoolean``;
* CONSTRUCT and DESCRIBE: the server's N-Triples loaded in a small in-memory Oxigraph store and read
  back with ``CONSTRUCT WHERE { ?s ?p ?o }``, which gives a genuine ``QueryTriples`` that
  ``endpoint/sparql.py`` serializes like an Oxigraph result.

The union default graph. Records live in named graphs and analysts query "the data" without
GRAPH clauses, so ``query(..., use_default_graph_as_union=True)`` must see the union of the named
graphs as default graph *and* every named graph in ``GRAPH ?g``. The SPARQL Protocol's
``default-graph-uri=urn:x-arq:UnionGraph`` does the first but, as the protocol says, leaves the
query with no named graph at all, which breaks queries mixing both. So the dataset offers two
query services: ``/query`` (the dataset as stored) and ``/union`` (the same TDB2 dataset with
``tdb:unionDefaultGraph`` set on that service only): see ``servers/fuseki/carrefour.ttl``.

Each ``replace_graph`` is one SPARQL Update request (``DROP SILENT GRAPH`` then ``INSERT DATA``):
Fuseki runs a request in one write transaction, so readers never see a half-replaced record.

Known difference: TDB2 stores numbers and date-times as values, so a non-canonical lexical form
comes back canonical (``"01"^^xsd:integer`` → ``"1"``, ``"48.110"^^xsd:decimal`` → ``"48.11"``,
``"…00.500Z"`` → ``"…00.5Z"``, ``"1.0E3"^^xsd:double`` → ``"1000.0e0"``). Equal values, other strings.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import requests

#: Media types asked of the server: results for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE.
ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, application/n-triples;q=0.8"
RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class StoreUnavailableError(ConnectionError):
    """The SPARQL server cannot be reached or cannot serve now (down, overloaded, timed out, misconfigured)."""


class SparqlStore:
    """A dataset on a SPARQL 1.1 server, one named graph per record, like ``OxigraphStore``.

    ``endpoint`` is the dataset's address (Fuseki: ``http://127.0.0.1:3030/carrefour``); the services
    default to Fuseki's layout of ``servers/fuseki/carrefour.ttl`` and can be given one by one for
    another server (``union_url`` must be a query service whose default graph is the union of the
    named graphs, named graphs still visible).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        query_url: str | None = None,
        union_url: str | None = None,
        update_url: str | None = None,
        timeout: float = 120.0,
        connect_timeout: float = 5.0,
        read_only: bool = False,
    ) -> None:
        dataset = endpoint.rstrip("/")
        for service in ("/sparql", "/query", "/union", "/update"):
            # An address copied from Fuseki's page names a service; the dataset is its parent.
            if dataset.endswith(service):
                dataset = dataset[: -len(service)]
        self.endpoint = dataset
        self.query_url = query_url or f"{dataset}/query"
        self.union_url = union_url or f"{dataset}/union"
        self.update_url = update_url or f"{dataset}/update"
        self.timeout = (connect_timeout, timeout)
        self.read_only = read_only
        self._session: requests.Session | None = requests.Session()
        self._session.headers["User-Agent"] = "Carrefour (SparqlStore)"

    # the store contract ------------------------------------------------------------------
    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Swap a record's graph for a new one in a single update request, so readers never see half."""
        name = _iri(graph)
        body = "\n".join(_ntriple(t) for t in triples)
        self._update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}")

    def drop_graph(self, graph: str) -> None:
        self._update(f"DROP SILENT GRAPH {_iri(graph)}")

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}", False)
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[attr-defined]

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}", False))

    def query(self, sparql: str, use_default_graph_as_union: bool = True) -> object:
        """SELECT/ASK/CONSTRUCT/DESCRIBE on the server; pyoxigraph result objects, as ``OxigraphStore.query``.

        Raises ``SyntaxError`` for a query the server refuses (400), ``StoreUnavailableError`` when the
        server is unreachable, times out or fails.
        """
        url = self.union_url if use_default_graph_as_union else self.query_url
        response = self._post(url, {"query": sparql}, {"Accept": ACCEPT}, "requête")
        if response.status_code == 400:
            raise SyntaxError(_server_message(response))
        self._check(response, url, "requête")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type in RESULTS:
            return ox.parse_query_results(response.content, format=RESULTS[media_type])
        if media_type in GRAPHS:
            return _query_triples(response.content, GRAPHS[media_type])
        raise StoreUnavailableError(
            f"Le serveur SPARQL {url} a répondu dans un format inattendu (« {media_type or 'absent'} »)."
        )

    def canonical_dump(self) -> list[str]:
        """Every quad as a sorted list of N-Quads lines: two stores with equal content compare equal."""
        rows = self.query("SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", False)
        quads = [
            ox.Quad(r["s"], r["p"], r["o"], r["g"] if r["g"] is not None else ox.DefaultGraph())
            for r in rows  # type: ignore[attr-defined]
        ]
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        return sorted(line for line in data.decode("utf-8").splitlines() if line)

    def flush(self) -> None:
        """Nothing to do: the server commits each update request before answering."""

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # HTTP ------------------------------------------------------------------------------
    def ping(self) -> bool:
        """Whether the dataset answers a trivial query (used by tests and health checks)."""
        try:
            return bool(self.query("ASK {}", False))
        except (StoreUnavailableError, SyntaxError):
            return False

    def _update(self, sparql: str) -> None:
        if self.read_only:
            raise PermissionError("Le magasin SPARQL est ouvert en lecture seule : mise à jour refusée.")
        response = self._post(
            self.update_url,
            sparql.encode("utf-8"),
            {"Content-Type": "application/sparql-update; charset=utf-8"},
            "mise à jour",
        )
        if response.status_code == 400:
            raise ValueError(f"Mise à jour SPARQL refusée par {self.update_url} : {_server_message(response)}")
        self._check(response, self.update_url, "mise à jour")

    def _post(self, url: str, data: object, headers: dict[str, str], what: str) -> requests.Response:
        if self._session is None:
            raise StoreUnavailableError(f"Le magasin SPARQL {self.endpoint} a été fermé.")
        try:
            return self._session.post(url, data=data, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise StoreUnavailableError(
                f"Le serveur SPARQL {url} n'a pas répondu à temps ({what}, délai {self.timeout[1]:g} s)."
            ) from exc
        except requests.RequestException as exc:
            raise StoreUnavailableError(
                f"Le serveur SPARQL {self.endpoint} est injoignable ({what}) : vérifiez qu'il est démarré "
                f"(voir docs/backends.md). Détail : {exc.__class__.__name__}."
            ) from exc

    def _check(self, response: requests.Response, url: str, what: str) -> None:
        if response.status_code < 300:
            return
        if response.status_code in (404, 405):  # Fuseki answers 405 for a dataset it does not serve
            raise StoreUnavailableError(
                f"Le service SPARQL {url} n'existe pas (HTTP {response.status_code}) : le jeu de données ou "
                "le service est absent. "
                "Démarrez Fuseki avec servers/fuseki/carrefour.ttl (voir docs/backends.md)."
            )
        if response.status_code in (401, 403):
            raise StoreUnavailableError(f"Le serveur SPARQL refuse la {what} ({response.status_code}) sur {url}.")
        raise StoreUnavailableError(
            f"Le serveur SPARQL a échoué ({what}, HTTP {response.status_code}) sur {url} : {_server_message(response)}"
        )


def _iri(value: str) -> str:
    """``<iri>``, checked: a graph name never carries a SPARQL injection."""
    return str(ox.NamedNode(value))


def _ntriple(triple: ox.Triple) -> str:
    # pyoxigraph writes terms in N-Triples syntax, which is also valid SPARQL (escapes included).
    return f"{triple.subject} {triple.predicate} {triple.object} ."


def _query_triples(data: bytes, fmt: ox.RdfFormat) -> ox.QueryTriples:
    """A CONSTRUCT/DESCRIBE answer as a real ``pyoxigraph.QueryTriples`` (what the endpoint serializes)."""
    memory = ox.Store()
    memory.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(data, format=fmt))
    result = memory.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _server_message(response: requests.Response) -> str:
    text = " ".join(response.text.split())
    return text[:500] or response.reason or f"HTTP {response.status_code}"
