"""The aggregate: the store, the search index and the state database, opened together.

Publishing a record goes through here so that the three never disagree: the store first (the
source of truth), then the listing, then the index derived from the store.

The URIs of records embed ``base_url``. The one the data was first written under is recorded in
the data directory (file ``base_url``); an aggregate opened with another ``base_url`` setting keeps
minting and reading URIs under the recorded one (``aggregate.settings.base_url``) and logs a
warning, so that data written under one address is never lost under another.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os

import pyoxigraph as ox

from aggregator.enrich import Enricher
from aggregator.enrich.themes import ThemeScheme, load_theme_scheme
from aggregator.index.document import IndexDocument
from aggregator.index.from_store import ClusterInfo, document_from_triples
from aggregator.index.tantivy import TantivyIndex
from aggregator.innovation_graph import OWL, PROV, RecordContext, innovation_triples
from aggregator.listing import Listing
from aggregator.mapped import MappedRecord
from aggregator.settings import Settings
from aggregator.state import StateDB
from aggregator.store.oxigraph import OxigraphStore, graph_iri
from aggregator.text import slugify
from aggregator.validate import load_validator

log = logging.getLogger(__name__)

_VOLATILE = {PROV + "generatedAtTime"}
#: File of the data directory that records the base_url the data's URIs were minted under.
BASE_URL_FILE = "base_url"


def _same_content(old: list[ox.Triple], new: list[ox.Triple]) -> bool:
    """Equal but for the time of mapping, which says when we looked, not what the record says."""

    def key(triples: list[ox.Triple]) -> set[str]:
        return {str(t) for t in triples if t.predicate.value not in _VOLATILE}

    return key(old) == key(new)


class BackendError(ValueError):
    """A backend setting that names no known backend, or lacks its address."""


def open_store(settings: Settings, read_only: bool = False):  # type: ignore[no-untyped-def]
    """The triple store the settings choose; every backend offers the methods of OxigraphStore."""
    if settings.store_backend == "oxigraph":
        return OxigraphStore(settings.store_dir, read_only=read_only)
    if settings.store_backend == "sparql":
        if not settings.sparql_endpoint:
            raise BackendError("store_backend = sparql demande sparql_endpoint (voir docs/settings.md)")
        from aggregator.store.sparql import SparqlStore

        return SparqlStore(settings.sparql_endpoint, read_only=read_only)
    raise BackendError(f"store_backend « {settings.store_backend} » inconnu (oxigraph ou sparql)")


def open_index(settings: Settings):  # type: ignore[no-untyped-def]
    """The search index the settings choose; every backend offers the methods of TantivyIndex."""
    if settings.index_backend == "tantivy":
        return TantivyIndex(settings.index_dir)
    if settings.index_backend == "solr":
        if not settings.solr_url:
            raise BackendError("index_backend = solr demande solr_url (voir docs/settings.md)")
        from aggregator.index.solr import SolrIndex

        return SolrIndex(settings.solr_url)
    raise BackendError(f"index_backend « {settings.index_backend} » inconnu (tantivy ou solr)")


def recorded_base_url(settings: Settings) -> str | None:
    """The base_url the data of this data directory was written under, if recorded."""
    try:
        recorded = (settings.data_dir / BASE_URL_FILE).read_text(encoding="utf-8").strip().rstrip("/")
    except FileNotFoundError:
        return None
    return recorded or None


def record_base_url(settings: Settings, base_url: str) -> None:
    path = settings.data_dir / BASE_URL_FILE
    tmp = path.with_name(BASE_URL_FILE + ".tmp")
    tmp.write_text(base_url + "\n", encoding="utf-8")
    os.replace(tmp, path)


class Aggregate:
    def __init__(self, settings: Settings, read_only: bool = False) -> None:
        self.settings = settings
        self.read_only = read_only
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = open_store(settings, read_only)
        self.index = open_index(settings)
        self.state = StateDB(settings.state_path)
        self.listing = Listing(settings.state_path)
        self._base_url_recorded = False
        self._settle_base_url()
        self.themes: ThemeScheme = load_theme_scheme(settings.vocab_dir)
        self.enricher = Enricher.for_vocabulary(settings.vocab_dir, settings.data_dir)
        self.validator = load_validator(settings.vocab_dir) if (settings.vocab_dir / "shapes.ttl").exists() else None

    def _settle_base_url(self) -> None:
        """Use the base_url the existing data was written under (recorded, or found in the store)."""
        recorded = recorded_base_url(self.settings)
        if recorded is None:
            recorded = self._base_url_of_existing_data()
            if recorded is not None and not self.read_only:
                record_base_url(self.settings, recorded)
        if recorded is None:
            return  # a new aggregate: recorded when it is first written
        self._base_url_recorded = True
        if recorded != self.settings.base_url:
            log.warning(
                "Les données de %s ont été écrites sous l'adresse %s, mais le réglage base_url vaut %s : "
                "les URI des notices restent formées sous %s (celles des données existantes). Pour changer "
                "vraiment d'adresse, reconstruisez les données dans un nouveau dossier (voir docs/oai-pmh.md).",
                self.settings.data_dir,
                recorded,
                self.settings.base_url,
                recorded,
            )
            self.settings = dataclasses.replace(self.settings, base_url=recorded)

    def _base_url_of_existing_data(self) -> str | None:
        """For data written before base_url was recorded: read it off a record's graph in the store."""
        for row in self.listing.published_page(None, 20):
            if row.deleted:
                continue
            suffix = f"/id/innovation/{row.record_id}#graph"
            found = self.store.query(
                f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRENDS(STR(?g), {json.dumps(suffix)})) }} LIMIT 1",
                use_default_graph_as_union=False,
            )
            for binding in found:  # type: ignore[attr-defined]
                return str(binding["g"].value)[: -len(suffix)]
        return None

    def _remember_base_url(self) -> None:
        if not self._base_url_recorded and not self.read_only:
            record_base_url(self.settings, self.settings.base_url)
            self._base_url_recorded = True

    def close(self) -> None:
        self.store.close()
        self.state.close()
        self.listing.close()

    def record_uri(self, record_id: str) -> str:
        return f"{self.settings.base_url}/id/innovation/{record_id}"

    def put(self, mapped: MappedRecord, ctx: RecordContext) -> IndexDocument:
        """Enrich, validate and store a mapped record; return its search document (indexed in batches).

        Raises ``MappingError`` (no title) or its subclass ``InvalidRecordError`` (SHACL violations):
        such a record is not published, and a version published before stays as it was.
        """
        self.enricher.enrich(mapped)
        triples = innovation_triples(mapped, ctx, self.themes)
        if self.validator is not None:
            self.validator.check(triples)
        if ctx.base_url != self.settings.base_url:
            # URIs are minted under the address of the data (see the module's docstring).
            ctx = dataclasses.replace(ctx, base_url=self.settings.base_url)
        self._remember_base_url()
        graph = graph_iri(ctx.uri)
        previous = self.store.graph_triples(graph)
        row = self.listing.published_row(ctx.record_id)
        if row is not None and not row.deleted and _same_content(previous, triples):
            # Nothing a partner could see has changed: the datestamp and the graph stay as they are.
            return document_from_triples(ctx.record_id, ctx.uri, ctx.source_id, previous, self.cluster_of(ctx.uri))
        self.store.replace_graph(graph, triples)
        document = document_from_triples(ctx.record_id, ctx.uri, ctx.source_id, triples, self.cluster_of(ctx.uri))
        # Region sets are named after the region as written, so ListSets needs no store look-up.
        names = {f"region:{slugify(region)}": region for region in document.region}
        self.listing.publish(ctx.record_id, ctx.source_id, self.sets_of(document), names=names)
        return document

    def withdraw(self, record_id: str, source_id: str) -> None:
        """The source deleted the record: empty its graph, keep a tombstone in the listing."""
        self._remember_base_url()
        self.store.drop_graph(graph_iri(self.record_uri(record_id)))
        # The tombstone keeps the record's sets: a partner harvesting one set must see the deletion.
        previous = self.listing.published_row(record_id)
        sets = list(previous.sets) if previous else [f"source:{source_id}"]
        self.listing.publish(record_id, source_id, sets, deleted=True)

    @staticmethod
    def sets_of(document: IndexDocument) -> list[str]:
        """OAI-PMH sets of a record; hierarchical specs list every level (theme:ENV and theme:ENV:ALI)."""
        sets = [f"source:{document.source}"]
        sets += [f"theme:{code}" for code in document.theme]
        sets += [f"theme:{code.replace('/', ':')}" for code in document.subtheme]
        sets += [f"region:{slugify(region)}" for region in document.region]
        return sets

    def document(self, record_id: str) -> IndexDocument | None:
        row = self.listing.published_row(record_id)
        if row is None or row.deleted:
            return None
        uri = self.record_uri(record_id)
        triples = self.store.graph_triples(graph_iri(uri))
        return document_from_triples(record_id, uri, row.source_id, triples, self.cluster_of(uri))

    # duplicates ----------------------------------------------------------------------
    @property
    def duplicates_prefix(self) -> str:
        """Named graphs of the owl:sameAs links, one per cluster of duplicates."""
        return f"{self.settings.base_url}/graph/duplicates/"

    def record_id_of(self, uri: str) -> str:
        return uri.removeprefix(f"{self.settings.base_url}/id/innovation/")

    def cluster_of(self, uri: str) -> ClusterInfo | None:
        """The record's place in a cluster of duplicates, from the owl:sameAs graphs of the store."""
        prefix = self.duplicates_prefix
        rows = self.store.query(
            f"""SELECT ?canonical WHERE {{ GRAPH ?g {{ <{uri}> <{OWL}sameAs> ?canonical }}
            FILTER(STRSTARTS(STR(?g), "{prefix}")) }} LIMIT 1""",
            use_default_graph_as_union=False,
        )
        for row in rows:  # type: ignore[attr-defined]
            return ClusterInfo(canonical=self.record_id_of(row["canonical"].value))
        rows = self.store.query(
            f"""SELECT ?member WHERE {{ GRAPH ?g {{ ?member <{OWL}sameAs> <{uri}> }}
            FILTER(STRSTARTS(STR(?g), "{prefix}")) }} ORDER BY ?member""",
            use_default_graph_as_union=False,
        )
        members = [self.record_id_of(r["member"].value) for r in rows]  # type: ignore[attr-defined]
        if not members:
            return None
        sources = []
        for member in members:
            row = self.listing.published_row(member)
            if row is not None and not row.deleted and row.source_id not in sources:
                sources.append(row.source_id)
        return ClusterInfo(duplicates=tuple(members), other_sources=tuple(sources))
