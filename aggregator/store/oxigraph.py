"""The embedded triple store: Oxigraph on disk.

Oxigraph (RocksDB) lets one process write a store at a time: a second writer fails on the store's
``LOCK`` file (``StoreLockedError`` here). A reader that never writes — the portal — opens the store
read-only, which takes no lock, next to a writing ``carrefour harvest``. A read-only store is a
snapshot as of its opening: ``refresh()`` reopens it when the writer has changed the store's files
since (each write appends to RocksDB's log, so the files' names and sizes are a reliable marker).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

#: Attempts at opening a store read-only while the writer swaps files (compaction) under it.
_READ_ONLY_ATTEMPTS = 5


class StoreLockedError(OSError):
    """Another process is writing the store: Oxigraph allows one writer at a time."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"le triplestore {path} est déjà ouvert en écriture par un autre processus ({detail})")
        self.path = path


def _is_lock_error(exc: OSError) -> bool:
    return "lock" in str(exc).lower()


def change_marker(path: Path) -> tuple[tuple[str, int, int], ...] | None:
    """What changes whenever the writer changes the store: its files' names, sizes and times.

    None while the store does not exist yet. RocksDB's info logs (LOG*) are left out: the writer
    adds statistics to them without changing any data.
    """
    try:
        with os.scandir(path) as entries:
            marker = []
            for entry in entries:
                if entry.name.startswith("LOG") or not entry.is_file():
                    continue
                try:
                    stat = entry.stat()
                except FileNotFoundError:  # deleted by a compaction while listed
                    continue
                marker.append((entry.name, stat.st_size, stat.st_mtime_ns))
    except (FileNotFoundError, NotADirectoryError):
        return None
    return tuple(sorted(marker)) if (path / "CURRENT").exists() else None


def graph_iri(record_uri: str) -> str:
    return f"{record_uri}#graph"


class OxigraphStore:
    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._marker: tuple[tuple[str, int, int], ...] | None = None
        self._refresh_lock = threading.Lock()
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._marker = change_marker(path)
            # A store no harvest has created yet reads as empty, until refresh() finds it on disk.
            self._store = ox.Store() if self._marker is None else self._open_read_only(path)
        else:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self._store = ox.Store(str(path))
            except OSError as exc:
                if _is_lock_error(exc):
                    raise StoreLockedError(path, str(exc)) from exc
                raise

    @staticmethod
    def _open_read_only(path: Path) -> ox.Store:
        # The writer may delete a file (compaction) between the moment RocksDB lists it and the
        # moment it opens it: that open fails and is tried again.
        for attempt in range(1, _READ_ONLY_ATTEMPTS + 1):
            try:
                return ox.Store.read_only(str(path))
            except (OSError, RuntimeError):
                if attempt == _READ_ONLY_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def refresh(self) -> bool:
        """A read-only store: reopen it if the writer changed it since; True if it was reopened.

        Cheap when nothing changed (one listing of the store's folder). A store that cannot be
        reopened right now keeps serving its last snapshot and is tried again at the next call.
        """
        if not self.read_only or self.path is None:
            return False
        marker = change_marker(self.path)
        if marker == self._marker or marker is None:
            return False
        with self._refresh_lock:
            if marker == self._marker:
                return False
            try:
                store = self._open_read_only(self.path)
            except (OSError, RuntimeError):
                return False
            # Readers still iterating the previous snapshot keep it alive until they finish.
            self._store, self._marker = store, marker
        return True

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Swap a record's graph for a new one in a single update, so readers never see half."""
        body = "\n".join(_ntriple(t) for t in triples)
        self._store.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    def drop_graph(self, graph: str) -> None:
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        triples = self._graph_triples(graph)
        # A read-only snapshot may predate a record the listing already shows: look again.
        if not triples and self.read_only and self.refresh():
            triples = self._graph_triples(graph)
        return triples

    def _graph_triples(self, graph: str) -> list[ox.Triple]:
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
