"""One contract for every triple-store backend: embedded Oxigraph and a real Apache Jena Fuseki.

Each contract test runs once per backend (``store`` is parametrised). Fuseki is fetched with Maven
if missing and started once for the session (tests/fuseki_server.py); tests empty its dataset
rather than restart it. The last tests harvest the sample platforms into both backends and
compare what they hold, then ask the portal's ``/sparql`` on the Fuseki backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from aggregator.aggregate import Aggregate, open_store
from aggregator.settings import Settings, load_settings
from aggregator.store.oxigraph import graph_iri
from aggregator.store.sparql import SparqlStore, StoreUnavailableError
from sample_platforms.server import run_in_background
from tests.fuseki_server import Fuseki, clear_dataset, free_port, start_fuseki, stop_fuseki
from tests.harvesting import harvest

pytestmark = pytest.mark.integration

BACKENDS = ["oxigraph", "fuseki"]
XSD = "http://www.w3.org/2001/XMLSchema#"
CIS = "https://w3id.org/carrefour/vocab#"
PROV_TIME = "<http://www.w3.org/ns/prov#generatedAtTime>"
EX = "https://carrefour.example.org/id/innovation/"
A, B = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b")
NAME = ox.NamedNode("https://schema.org/name")
NOTE = ox.NamedNode("https://schema.org/description")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
INNOVATION = ox.NamedNode(CIS + "SocialInnovation")


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype if ":" in datatype else XSD + datatype))


#: Literals a record may carry; numbers and date-times in canonical form (see test_numbers_keep_their_value).
TRICKY = [
    ox.Literal('Le "Jardin" d\'Émile'),
    ox.Literal("ligne 1\nligne 2\r\n\ttabulée"),
    ox.Literal("antislash \\ et \\u0041 écrits tels quels, C:\\dossier\\nouveau"),
    ox.Literal("accolades { } ; point . et # dièse <pas une IRI>"),
    ox.Literal("Économie sociale et solidaire", language="fr"),
    ox.Literal("Social economy", language="en-GB"),
    ox.Literal("innovación social", language="es-419"),
    ox.Literal("émoji 😀, espace insécable\u00a0, fine\u202f, arabe ابتكار, chinois 创新, contrôle \u0001"),
    ox.Literal("   espaces autour   "),
    ox.Literal(""),
    typed("2024-05-02", "date"),
    typed("2019-04", "gYearMonth"),
    typed("2012", "gYear"),
    typed("2024-05-02T10:00:00Z", "dateTime"),
    typed("2024-05-02T12:00:00+02:00", "dateTime"),
    typed("48.111", "decimal"),
    typed("-1.68", "decimal"),
    typed("42", "integer"),
    typed("true", "boolean"),
    typed("https://exemple.org/a?b=c&d=é", "anyURI"),
    typed("POINT(-1.680000 48.111000)", "http://www.opengis.net/ont/geosparql#wktLiteral"),
    typed("valeur", "https://w3id.org/carrefour/vocab#typeMaison"),
]


# servers --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def fuseki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuseki]:
    server = start_fuseki(tmp_path_factory.mktemp("fuseki"))
    yield server
    stop_fuseki(server)


def store_settings(backend: str, data_dir: Path, request: pytest.FixtureRequest, **extra: object) -> Settings:
    if backend == "oxigraph":
        return load_settings(environ={}, data_dir=data_dir, **extra)
    server: Fuseki = request.getfixturevalue("fuseki")
    clear_dataset(server.dataset_url)
    return load_settings(
        environ={}, data_dir=data_dir, store_backend="sparql", sparql_endpoint=server.dataset_url, **extra
    )


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A fresh, empty store of the backend, opened by the settings like the application does."""
    opened = open_store(store_settings(request.param, tmp_path, request))
    yield opened
    opened.close()


def fill(store) -> None:  # type: ignore[no-untyped-def]
    store.replace_graph(graph_iri(A.value), [ox.Triple(A, TYPE, INNOVATION), ox.Triple(A, NAME, ox.Literal("a"))])
    store.replace_graph(graph_iri(B.value), [ox.Triple(B, TYPE, INNOVATION), ox.Triple(B, NAME, ox.Literal("b"))])


# the contract ---------------------------------------------------------------------------
def test_the_settings_choose_the_backend(store, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    expected = "SparqlStore" if "fuseki" in request.node.callspec.id else "OxigraphStore"
    assert type(store).__name__ == expected


def test_graph_triples_give_back_every_literal_exactly(store) -> None:  # type: ignore[no-untyped-def]
    graph = graph_iri(A.value)
    triples = [ox.Triple(A, ox.NamedNode(f"https://exemple.org/p{i}"), lit) for i, lit in enumerate(TRICKY)]
    triples.append(ox.Triple(A, TYPE, INNOVATION))
    store.replace_graph(graph, triples)
    got = store.graph_triples(graph)
    assert all(isinstance(t, ox.Triple) for t in got)
    assert sorted(str(t) for t in got) == sorted(str(t) for t in triples)
    by_value = {t.predicate.value: t.object for t in got}
    assert by_value["https://exemple.org/p1"].value == "ligne 1\nligne 2\r\n\ttabulée"
    assert by_value["https://exemple.org/p5"].language == "en-gb"  # Oxigraph writes tags in lower case
    assert by_value["https://exemple.org/p7"].value == TRICKY[7].value


def test_replace_graph_swaps_the_whole_record_and_leaves_others(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    graph = graph_iri(A.value)
    new = [ox.Triple(A, NAME, ox.Literal('Nouveau "titre"\navec retour', language="fr"))]
    store.replace_graph(graph, new)
    assert [str(t) for t in store.graph_triples(graph)] == [str(t) for t in new]
    assert len(store.graph_triples(graph_iri(B.value))) == 2
    store.replace_graph(graph, new)  # idempotent
    assert len(store.graph_triples(graph)) == 1


def test_drop_and_has_graph(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    assert store.has_graph(graph_iri(A.value)) and store.has_graph(graph_iri(B.value))
    store.drop_graph(graph_iri(A.value))
    assert not store.has_graph(graph_iri(A.value))
    assert store.graph_triples(graph_iri(A.value)) == []
    assert store.has_graph(graph_iri(B.value))
    store.drop_graph(graph_iri(A.value))  # silent on a missing graph
    store.drop_graph(EX + "never-stored#graph")
    assert not store.has_graph(EX + "never-stored#graph")


def test_a_record_replaced_by_nothing_is_gone(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    store.replace_graph(graph_iri(A.value), [])
    assert store.graph_triples(graph_iri(A.value)) == []
    assert not store.has_graph(graph_iri(A.value))


def test_select_sees_the_union_of_record_graphs(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    rows = store.query("SELECT ?n WHERE { ?s <https://schema.org/name> ?n } ORDER BY ?n")
    assert isinstance(rows, ox.QuerySolutions)
    assert [v.value for v in rows.variables] == ["n"]
    assert [r["n"].value for r in rows] == ["a", "b"]
    as_stored = store.query("SELECT ?n WHERE { ?s <https://schema.org/name> ?n }", use_default_graph_as_union=False)
    assert list(as_stored) == []


def test_union_queries_still_see_named_graphs(store) -> None:  # type: ignore[no-untyped-def]
    """Queries mixing the union default graph and GRAPH ?g (the duplicates look-ups do) work alike."""
    fill(store)
    rows = store.query("SELECT ?g ?n WHERE { ?s <https://schema.org/name> ?n . GRAPH ?g { ?s a ?t } } ORDER BY ?n")
    assert [(r["g"].value, r["n"].value) for r in rows] == [(graph_iri(A.value), "a"), (graph_iri(B.value), "b")]
    for union in (True, False):
        rows = store.query(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{EX}")) }} ORDER BY ?g',
            use_default_graph_as_union=union,
        )
        assert [r["g"].value for r in rows] == [graph_iri(A.value), graph_iri(B.value)]


def test_ask(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    yes = store.query(f"ASK {{ <{A.value}> a <{INNOVATION.value}> }}")
    no = store.query(f"ASK {{ <{A.value}> <https://schema.org/name> 'b' }}")
    assert isinstance(yes, ox.QueryBoolean) and isinstance(no, ox.QueryBoolean)
    assert bool(yes) and not bool(no)
    assert not bool(store.query(f"ASK {{ <{A.value}> ?p ?o }}", use_default_graph_as_union=False))


def test_construct_and_describe_give_triples_the_endpoint_serializes(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    store.replace_graph(graph_iri(EX + "c"), [ox.Triple(ox.NamedNode(EX + "c"), NOTE, TRICKY[1])])
    result = store.query("CONSTRUCT { ?s <https://schema.org/name> ?n } WHERE { ?s <https://schema.org/name> ?n }")
    assert isinstance(result, ox.QueryTriples)
    assert sorted(str(t) for t in result) == sorted(
        str(ox.Triple(s, NAME, ox.Literal(n))) for s, n in ((A, "a"), (B, "b"))
    )
    multi = store.query(f"CONSTRUCT WHERE {{ <{EX}c> ?p ?o }}")
    assert [t.object for t in multi] == [TRICKY[1]]
    described = store.query(f"DESCRIBE <{A.value}>")
    assert isinstance(described, ox.QueryTriples)
    assert {str(t) for t in described} >= {str(ox.Triple(A, NAME, ox.Literal("a")))}
    turtle = store.query(f"CONSTRUCT WHERE {{ <{A.value}> ?p ?o }}").serialize(format=ox.RdfFormat.TURTLE)
    assert b"<https://schema.org/name>" in turtle


def test_select_results_serialize_like_oxigraph_results(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    rows = store.query("SELECT ?s ?n WHERE { ?s <https://schema.org/name> ?n } ORDER BY ?n")
    csv = rows.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8")
    assert csv.splitlines() == ["s,n", f"{A.value},a", f"{B.value},b"]


def test_invalid_queries_raise_syntax_error(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SyntaxError):
        store.query("SELEC ?x WHERE { ?x ?y ?z }")


def test_numbers_keep_their_value(store) -> None:  # type: ignore[no-untyped-def]
    """TDB2 stores numbers and date-times as values: non-canonical forms come back canonical, equal in value.

    Carrefour writes canonical forms (aggregator/innovation_graph.py), so both backends hold the same strings.
    """
    odd = [typed("01", "integer"), typed("48.110", "decimal"), typed("2024-05-02T10:00:00.500Z", "dateTime")]
    store.replace_graph(graph_iri(A.value), [ox.Triple(A, ox.NamedNode(f"{EX}n{i}"), v) for i, v in enumerate(odd)])
    row = next(iter(store.query(f"SELECT * WHERE {{ <{A.value}> <{EX}n0> ?i ; <{EX}n1> ?d ; <{EX}n2> ?t }}")))
    assert int(row["i"].value) == 1 and float(row["d"].value) == 48.11
    same_values = f'?i = 1 && ?d = 48.11 && ?t = "2024-05-02T10:00:00.5Z"^^<{XSD}dateTime>'
    assert bool(store.query(f"ASK {{ <{A.value}> <{EX}n0> ?i ; <{EX}n1> ?d ; <{EX}n2> ?t FILTER({same_values}) }}"))


def test_flush_and_close(store) -> None:  # type: ignore[no-untyped-def]
    fill(store)
    store.flush()
    store.close()
    store.close()  # twice is harmless


# both backends side by side -------------------------------------------------------------
def test_canonical_dumps_are_equal(fuseki: Fuseki, tmp_path: Path) -> None:
    clear_dataset(fuseki.dataset_url)
    stores = [open_store(load_settings(environ={}, data_dir=tmp_path)), SparqlStore(fuseki.dataset_url)]
    triples = [ox.Triple(A, ox.NamedNode(f"https://exemple.org/p{i}"), lit) for i, lit in enumerate(TRICKY)]
    for s in stores:
        fill(s)
        s.replace_graph(graph_iri(A.value), triples)
        s.replace_graph(EX + "autre", [ox.Triple(B, NOTE, TRICKY[0])])
    oxigraph, sparql = (s.canonical_dump() for s in stores)
    assert oxigraph == sparql
    assert len(oxigraph) == len(TRICKY) + 2 + 1
    assert oxigraph == sorted(oxigraph)
    for s in stores:
        s.close()


# a server that is down ------------------------------------------------------------------
def test_a_server_that_is_down_gives_a_french_error() -> None:
    down = SparqlStore(f"http://127.0.0.1:{free_port()}/carrefour", connect_timeout=2)
    with pytest.raises(StoreUnavailableError, match="injoignable"):
        down.query("ASK {}")
    with pytest.raises(StoreUnavailableError, match="injoignable"):
        down.replace_graph(graph_iri(A.value), [])
    assert not down.ping()


def test_graph_names_cannot_inject_sparql(fuseki: Fuseki) -> None:
    clear_dataset(fuseki.dataset_url)
    sparql = SparqlStore(fuseki.dataset_url)
    fill(sparql)
    for evil in ("http://x> ; DROP ALL ; #", "http://x>", "pas une IRI"):
        with pytest.raises(ValueError):
            sparql.drop_graph(evil)
    assert sparql.has_graph(graph_iri(A.value))
    sparql.close()


def test_a_missing_dataset_names_the_configuration(fuseki: Fuseki) -> None:
    with pytest.raises(StoreUnavailableError, match="carrefour.ttl"):
        SparqlStore(f"{fuseki.url}/absent").query("ASK {}")


def test_the_sparql_page_does_not_crash_when_the_server_is_down(tmp_path: Path) -> None:
    from endpoint.app import create_app

    settings = load_settings(
        environ={},
        data_dir=tmp_path,
        store_backend="sparql",
        sparql_endpoint=f"http://127.0.0.1:{free_port()}/carrefour",
    )
    client = create_app(settings).test_client()
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/plain"})
    assert response.status_code == 503
    assert "indisponible" in response.get_data(as_text=True) and response.headers["Retry-After"] == "30"


# end to end: the sample platforms into both backends -------------------------------------
@pytest.fixture(scope="module")
def samples_url() -> Iterator[str]:
    with run_in_background() as samples:
        yield samples.url


def harvest_all(settings: Settings, full: bool = False) -> dict[str, object]:
    return harvest(settings, full=full)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def harvested(
    samples_url: str, fuseki: Fuseki, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Settings, dict[str, object]]]:
    clear_dataset(fuseki.dataset_url)
    out = {}
    for backend in BACKENDS:
        extra = {"store_backend": "sparql", "sparql_endpoint": fuseki.dataset_url} if backend == "fuseki" else {}
        settings = load_settings(
            environ={}, data_dir=tmp_path_factory.mktemp(f"harvest-{backend}"), samples_url=samples_url, **extra
        )
        out[backend] = (settings, harvest_all(settings))
    return out


def without_harvest_time(dump: list[str]) -> list[str]:
    return sorted(re.sub(rf'{re.escape(PROV_TIME)} "[^"]*"', f'{PROV_TIME} "…"', line) for line in dump)


def test_harvests_into_both_backends_store_the_same_quads(harvested) -> None:  # type: ignore[no-untyped-def]
    dumps = {}
    for backend, (settings, runs) in harvested.items():
        assert all(run.status == "ok" and run.failed == 0 for run in runs.values()), backend
        aggregate = Aggregate(settings, read_only=True)
        dumps[backend] = without_harvest_time(aggregate.store.canonical_dump())
        aggregate.close()
    assert len(dumps["oxigraph"]) > 5000
    missing = sorted(set(dumps["oxigraph"]) - set(dumps["fuseki"]))
    extra = sorted(set(dumps["fuseki"]) - set(dumps["oxigraph"]))
    assert (missing[:5], extra[:5]) == ([], [])
    assert dumps["fuseki"] == dumps["oxigraph"]


def test_the_portal_sparql_endpoint_counts_innovations_on_fuseki(harvested) -> None:  # type: ignore[no-untyped-def]
    from endpoint.app import create_app

    expected = {}
    for backend, (settings, runs) in harvested.items():
        client = create_app(settings).test_client()
        response = client.get(
            "/sparql",
            query_string={"query": f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a <{CIS}SocialInnovation> }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        expected[backend] = int(response.get_json()["results"]["bindings"][0]["n"]["value"])
        assert expected[backend] == sum(run.new for run in runs.values())  # type: ignore[attr-defined]
    assert expected["fuseki"] == expected["oxigraph"] >= 300

    settings, _ = harvested["fuseki"]
    client = create_app(settings).test_client()
    construct = client.get(
        "/sparql",
        query_string={"query": f"CONSTRUCT WHERE {{ ?i a <{CIS}SocialInnovation> }} LIMIT 5"},
        headers={"Accept": "text/turtle"},
    )
    assert construct.status_code == 200
    assert construct.content_type.startswith("text/turtle")
    assert len(list(ox.parse(construct.data, format=ox.RdfFormat.TURTLE))) == 5
    page = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "html"})
    assert page.status_code == 200


def test_a_second_full_harvest_into_fuseki_changes_nothing(harvested) -> None:  # type: ignore[no-untyped-def]
    """Every record is found unchanged and the store stays as it was (the dump equality above shows that
    Fuseki's graphs also compare equal to the crosswalk's, which Aggregate.put relies on)."""
    settings, first = harvested["fuseki"]
    aggregate = Aggregate(settings)
    before = aggregate.store.canonical_dump()
    aggregate.close()
    second = harvest_all(settings, full=True)
    for source_id, run in second.items():
        assert run.status == "ok", (source_id, run.errors)  # type: ignore[attr-defined]
        assert (run.new, run.updated, run.deleted, run.failed) == (0, 0, 0, 0), source_id  # type: ignore[attr-defined]
    aggregate = Aggregate(settings)
    assert aggregate.store.canonical_dump() == before
    aggregate.close()
