import pyoxigraph as ox
import pytest

from aggregator.store.oxigraph import OxigraphStore, StoreLockedError, graph_iri

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


# One writer, readers beside it: the portal reads a read-only store and reopens it after a harvest.


def _names(store: OxigraphStore) -> list[str]:
    return sorted(r["n"].value for r in store.query("SELECT ?n WHERE { ?s <https://schema.org/name> ?n }"))


def test_a_read_only_store_on_a_missing_folder_reads_empty_and_creates_nothing(tmp_path) -> None:
    path = tmp_path / "store"
    reader = OxigraphStore(path, read_only=True)
    assert _names(reader) == [] and not reader.refresh()
    assert not path.exists(), "the reader writes nothing, not even the folder"
    writer = OxigraphStore(path)
    writer.replace_graph(graph_iri(A.value), [ox.Triple(A, NAME, ox.Literal("a"))])
    assert reader.refresh() and _names(reader) == ["a"]
    writer.close()


def test_a_read_only_store_beside_the_writer_sees_its_writes_after_refresh(tmp_path) -> None:
    path = tmp_path / "store"
    writer = OxigraphStore(path)
    writer.replace_graph(graph_iri(A.value), [ox.Triple(A, NAME, ox.Literal("a"))])
    reader = OxigraphStore(path, read_only=True)
    assert _names(reader) == ["a"]
    b = ox.NamedNode("https://carrefour.example.org/id/innovation/b")
    writer.replace_graph(graph_iri(b.value), [ox.Triple(b, NAME, ox.Literal("b"))])
    assert _names(reader) == ["a"], "a snapshot until refreshed"
    assert reader.refresh() and _names(reader) == ["a", "b"]
    writer.drop_graph(graph_iri(A.value))
    # A graph the snapshot lacks is looked for again in the store as it is now.
    c = ox.NamedNode("https://carrefour.example.org/id/innovation/c")
    writer.replace_graph(graph_iri(c.value), [ox.Triple(c, NAME, ox.Literal("c"))])
    assert [t.object.value for t in reader.graph_triples(graph_iri(c.value))] == ["c"]
    assert _names(reader) == ["b", "c"]
    writer.close()
    reader.refresh()
    assert not reader.refresh(), "nothing changed since: no reopening"
    reader.close()


def test_a_second_writer_gets_a_store_locked_error(tmp_path) -> None:
    writer = OxigraphStore(tmp_path / "store")
    with pytest.raises(StoreLockedError, match="déjà ouvert en écriture"):
        OxigraphStore(tmp_path / "store")
    writer.close()
    OxigraphStore(tmp_path / "store").close()
