"""The embedded search index: Tantivy on disk, with French analysis."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from aggregator.index.document import FACET_FIELDS, IndexDocument

# Tantivy does not save a registered analyzer with the index: the name is unique to us and
# the analyzer is registered again at every open.
FRENCH = "carrefour_fr_v1"

_TEXT_FIELDS = ("title", "summary", "description", "text")
_KEYWORD_FIELDS = ("theme", "subtheme", "region", "source", "canonical")
_STORED_ONLY = ("uri", "tags", "commune", "organisation", "url", "started", "duplicates", "sources")


def _french_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in _TEXT_FIELDS:
        builder.add_text_field(name, stored=name != "text", tokenizer_name=FRENCH)
    for name in _KEYWORD_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    for name in _STORED_ONLY:
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_float_field("lat", stored=True)
    builder.add_float_field("lon", stored=True)
    return builder.build()


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[dict[str, object]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class QueryError(ValueError):
    """A query the user wrote that the engine cannot read."""


class TantivyIndex:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(path))
        self._index.register_tokenizer(FRENCH, _french_analyzer())
        self._write_lock = threading.Lock()

    # writing ---------------------------------------------------------------------
    def write(self, upserts: list[IndexDocument], deletions: list[str] = ()) -> None:  # type: ignore[assignment]
        if not upserts and not deletions:
            return
        with self._write_lock:
            writer = self._index.writer(heap_size=64_000_000, num_threads=1)
            for doc_id in deletions:
                writer.delete_documents_by_term("id", doc_id)
            for doc in upserts:
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(self._to_tantivy(doc))
            writer.commit()
            writer.wait_merging_threads()
        self._index.reload()

    def clear(self) -> None:
        with self._write_lock:
            writer = self._index.writer(heap_size=64_000_000, num_threads=1)
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
        self._index.reload()

    def _to_tantivy(self, doc: IndexDocument) -> tantivy.Document:
        text = " ".join([doc.title, doc.summary, doc.description, *doc.tags, *doc.organisation, *doc.commune])
        values: dict[str, object] = {
            "id": doc.id,
            "uri": doc.uri,
            "title": doc.title,
            "summary": doc.summary,
            "description": doc.description,
            "text": text,
            # A cluster's canonical record is found under the source of every member.
            "source": [doc.source, *(s for s in doc.other_sources if s != doc.source)],
            "sources": [doc.source, *(s for s in doc.other_sources if s != doc.source)],
            "canonical": doc.canonical,
            "url": doc.url,
            "started": doc.started,
        }
        for name in ("theme", "subtheme", "tags", "region", "commune", "organisation", "duplicates"):
            if getattr(doc, name):
                values[name] = list(getattr(doc, name))
        if doc.lat is not None and doc.lon is not None:
            values["lat"], values["lon"] = doc.lat, doc.lon
        return tantivy.Document(**{k: v for k, v in values.items() if v not in ("", None)})

    # reading ---------------------------------------------------------------------
    def search(
        self,
        text: str = "",
        filters: dict[str, list[str]] | None = None,
        page: int = 1,
        page_size: int = 20,
        collapse: bool = True,
    ) -> SearchResults:
        """``collapse``: a record linked as a duplicate of another is left out; its canonical
        record stands for it (and is found under each member's source)."""
        query = self._build_query(text, filters or {}, collapse)
        searcher = self._index.searcher()
        offset = max(page - 1, 0) * page_size
        result = searcher.search(query, limit=page_size, offset=offset, count=True)
        hits = [self._stored(searcher.doc(address)) | {"score": score} for score, address in result.hits]
        aggregations = searcher.aggregate(
            query, {name: {"terms": {"field": name, "size": 100}} for name in FACET_FIELDS}
        )
        facets = {
            name: [(b["key"], b["doc_count"]) for b in aggregations.get(name, {}).get("buckets", [])]
            for name in FACET_FIELDS
        }
        return SearchResults(total=result.count or 0, hits=hits, facets=facets)

    def get(self, doc_id: str) -> dict[str, object] | None:
        searcher = self._index.searcher()
        result = searcher.search(tantivy.Query.term_query(self._schema, "id", doc_id), limit=1)
        return self._stored(searcher.doc(result.hits[0][1])) if result.hits else None

    def count(self) -> int:
        return self._index.searcher().num_docs

    def all_documents(self) -> list[dict[str, object]]:
        """Every stored document, sorted by id: equal contents compare equal."""
        searcher = self._index.searcher()
        total = searcher.num_docs
        if total == 0:
            return []
        result = searcher.search(tantivy.Query.all_query(), limit=total)
        return sorted((self._stored(searcher.doc(a)) for _, a in result.hits), key=lambda d: str(d["id"]))

    def _build_query(self, text: str, filters: dict[str, list[str]], collapse: bool = False) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if collapse:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.regex_query(self._schema, "canonical", ".+")))
        text = text.strip()
        if text:
            clauses.append((tantivy.Occur.Must, self._parse_text(text)))
        for name, values in sorted(filters.items()):
            if name not in _KEYWORD_FIELDS or not values:
                continue
            alternatives = [
                (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, name, value)) for value in values
            ]
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alternatives)))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def _parse_text(self, text: str) -> tantivy.Query:
        # People type punctuation, not query syntax: when the syntax does not parse, the
        # words alone are searched rather than answering with an error.
        for candidate in (text, " ".join(re.findall(r"\w+", text))):
            if not candidate:
                break
            try:
                return self._index.parse_query(
                    candidate, ["title", "text"], field_boosts={"title": 2.0}, conjunction_by_default=True
                )
            except ValueError as exc:
                error = exc
        raise QueryError(f"Requête illisible : {text!r} ({error if candidate else 'aucun mot'})")

    @staticmethod
    def _stored(doc: tantivy.Document) -> dict[str, object]:
        data = doc.to_dict()
        single = {"id", "uri", "title", "summary", "description", "source", "url", "started", "lat", "lon", "canonical"}
        return {k: (v[0] if k in single and v else v) for k, v in data.items()}
