import pyoxigraph as ox

from aggregator.store.oxigraph import OxigraphStore, graph_iri

A = ox.NamedNode("https://carrefour.example.org/id/innovation/a")
NAME = ox.NamedNode("https://schema.org/name")


def test_replace_graph_swaps_the_whole_record(tmp_path) -> None:
    store = OxigraphStore(tmp_path / "store")
    graph = graph_iri(A.value)
    store.replace_graph(graph, [ox.Triple(A, NAME, ox.Literal("Ancien titre", language="fr"))])
    store.replace_graph(graph, [ox.Triple(A, NAME, ox.Literal('Nouveau "titre"\navec retour', language="fr"))])
    assert [t.object.value for t in store.graph_triples(graph)] == ['Nouveau "titre"\navec retour']


def test_drop_graph_empties_the_record_only(tmp_path) -> None:
    store = OxigraphStore(tmp_path / "store")
    b = ox.NamedNode("https://carrefour.example.org/id/innovation/b")
    store.replace_graph(graph_iri(A.value), [ox.Triple(A, NAME, ox.Literal("a"))])
    store.replace_graph(graph_iri(b.value), [ox.Triple(b, NAME, ox.Literal("b"))])
    store.drop_graph(graph_iri(A.value))
    assert not store.has_graph(graph_iri(A.value))
    assert store.has_graph(graph_iri(b.value))


def test_queries_see_the_union_of_record_graphs_and_dump_is_canonical(tmp_path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(graph_iri(A.value), [ox.Triple(A, NAME, ox.Literal("a"))])
    rows = list(store.query("SELECT ?n WHERE { ?s <https://schema.org/name> ?n }"))
    assert [r["n"].value for r in rows] == ["a"]
    assert store.canonical_dump() == sorted(store.canonical_dump())
    assert len(store.canonical_dump()) == 1


def test_store_survives_reopening(tmp_path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(graph_iri(A.value), [ox.Triple(A, NAME, ox.Literal("a"))])
    store.flush()
    del store
    assert OxigraphStore(tmp_path / "store").has_graph(graph_iri(A.value))
