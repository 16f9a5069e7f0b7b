"""The embedded triple store: Oxigraph on disk."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox


def graph_iri(record_uri: str) -> str:
    return f"{record_uri}#graph"


class OxigraphStore:
    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.read_only = read_only
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Swap a record's graph for a new one in a single update, so readers never see half."""
        body = "\n".join(_ntriple(t) for t in triples)
        self._store.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    def drop_graph(self, graph: str) -> None:
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        ]

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def query(self, sparql: str, use_default_graph_as_union: bool = True) -> object:
        # Records live in named graphs; analysts expect to query "the data" without GRAPH clauses.
        return self._store.query(sparql, use_default_graph_as_union=use_default_graph_as_union)

    def canonical_dump(self) -> list[str]:
        """Every quad as a sorted list of N-Quads lines: two stores with equal content compare equal."""
        data = ox.serialize(self._store.quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS)
        return sorted(line for line in data.decode("utf-8").splitlines() if line)

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        """Release the on-disk lock now rather than at garbage collection, so the store can be reopened."""
        if self._store is not None:
            if not self.read_only:
                self._store.flush()
            self._store = None  # type: ignore[assignment]


def _ntriple(triple: ox.Triple) -> str:
    return f"{triple.subject} {triple.predicate} {triple.object} ."
