"""The search index at scale: an Apache Solr core (or SolrCloud collection), with French analysis.

Same methods and answers as ``TantivyIndex``: the configset in ``solr_config/configset`` gives the
same fields and the same French analysis, and this module the same query, filter, facet and
collapse semantics. Solr is reached over HTTP with ``requests`` (JSON in, JSON out).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import requests

from aggregator.index.document import FACET_FIELDS, IndexDocument
from aggregator.index.tantivy import QueryError, SearchResults

__all__ = ["QueryError", "SearchResults", "SolrError", "SolrIndex"]

_KEYWORD_FIELDS = ("theme", "subtheme", "region", "source", "canonical")
_MULTI = ("theme", "subtheme", "tags", "region", "commune", "organisation", "duplicates", "sources")
#: Stored fields, as TantivyIndex returns them (``text`` is searched, not stored).
_STORED = ("id", "uri", "title", "summary", "description", "source", "sources", "canonical", "url", "started")
_STORED += ("theme", "subtheme", "tags", "region", "commune", "organisation", "duplicates", "lat", "lon")
_FL = ",".join(_STORED)
#: Size of a page of ``all_documents`` (cursor paging, so any number of documents).
_CURSOR_ROWS = 1000
_TIMEOUT = 60.0
#: The user's words (parameter ``qq``), read by the standard parser over one field, every word required.
_USER_QUERY = "{{!lucene df={field} q.op=AND sow=true v=$qq}}"


class SolrError(RuntimeError):
    """Solr did not answer, or answered with an error that is not the user's query."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status of Solr's answer; None when Solr did not answer.
        self.status = status


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class SolrIndex:
    def __init__(self, url: str, timeout: float = _TIMEOUT) -> None:
        """``url``: the core's or collection's address, e.g. ``http://127.0.0.1:8983/solr/carrefour``."""
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()

    # HTTP ----------------------------------------------------------------------------
    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _request(self, method: str, handler: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._session.request(method, f"{self.url}/{handler}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise SolrError(f"Solr ne répond pas à {self.url} : {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200:
            message = (body.get("error") or {}).get("msg") if isinstance(body, dict) else None
            raise SolrError(
                f"Solr ({self.url}/{handler}) a répondu {response.status_code} : {message or response.text[:300]}",
                response.status_code,
            )
        return body

    def _update(self, body: object, commit: bool) -> None:
        params = {"commit": "true"} if commit else {}
        self._request("POST", "update", params=params, json=body)

    def _select(self, params: dict[str, Any] | list[tuple[str, Any]]) -> dict[str, Any]:
        # POST: long queries and many filters do not meet the limit on URL length.
        return self._request("POST", "select", data=params)

    # writing -------------------------------------------------------------------------
    def write(self, upserts: list[IndexDocument], deletions: list[str] = ()) -> None:  # type: ignore[assignment]
        """Deletions first, then upserts (a document replaces the one with its id); committed, so
        that the next search sees them."""
        if not upserts and not deletions:
            return
        if deletions:
            self._update({"delete": list(deletions)}, commit=not upserts)
        if upserts:
            self._update([self._to_solr(doc) for doc in upserts], commit=True)

    def clear(self) -> None:
        self._update({"delete": {"query": "*:*"}}, commit=True)

    @staticmethod
    def _to_solr(doc: IndexDocument) -> dict[str, object]:
        text = " ".join([doc.title, doc.summary, doc.description, *doc.tags, *doc.organisation, *doc.commune])
        sources = [doc.source, *(s for s in doc.other_sources if s != doc.source)]
        values: dict[str, object] = {
            "id": doc.id,
            "uri": doc.uri,
            "title": doc.title,
            "summary": doc.summary,
            "description": doc.description,
            "text": text,
            # A cluster's canonical record is found under the source of every member.
            "source": sources,
            "sources": sources,
            "canonical": doc.canonical,
            "url": doc.url,
            "started": doc.started,
        }
        for name in ("theme", "subtheme", "tags", "region", "commune", "organisation", "duplicates"):
            if getattr(doc, name):
                values[name] = list(getattr(doc, name))
        if doc.lat is not None and doc.lon is not None:
            values["lat"], values["lon"] = doc.lat, doc.lon
        # As in Tantivy, empty values are not indexed (a filter on "canonical" means "has one").
        cleaned: dict[str, object] = {}
        for key, value in values.items():
            if isinstance(value, list):
                value = [v for v in value if v not in ("", None)]
                if not value:
                    continue
            elif value in ("", None):
                continue
            cleaned[key] = value
        return cleaned

    # reading -------------------------------------------------------------------------
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
        params: list[tuple[str, Any]] = [
            ("fl", _FL + ",score"),
            ("start", max(page - 1, 0) * page_size),
            ("rows", max(page_size, 0)),
            ("sort", "score desc,id asc"),
            ("facet", "true"),
            ("facet.limit", 100),
            ("facet.mincount", 1),
            ("facet.sort", "count"),
            ("json.nl", "arrarr"),
            *(("facet.field", name) for name in FACET_FIELDS),
            *(("fq", fq) for fq in self._filter_queries(filters or {}, collapse)),
        ]
        body = self._search_text(text, params)
        response = body["response"]
        hits = [self._stored(d) | {"score": float(d.get("score", 0.0))} for d in response["docs"]]
        fields = body.get("facet_counts", {}).get("facet_fields", {})
        facets = {name: [(str(v), int(c)) for v, c in fields.get(name, [])] for name in FACET_FIELDS}
        return SearchResults(total=int(response["numFound"]), hits=hits, facets=facets)

    def get(self, doc_id: str) -> dict[str, object] | None:
        body = self._select({"q": "*:*", "fq": "{!term f=id}" + doc_id, "fl": _FL, "rows": 1})
        docs = body["response"]["docs"]
        return self._stored(docs[0]) if docs else None

    def count(self) -> int:
        return int(self._select({"q": "*:*", "rows": 0})["response"]["numFound"])

    def all_documents(self) -> list[dict[str, object]]:
        """Every stored document, sorted by id: equal contents compare equal."""
        documents: list[dict[str, object]] = []
        cursor = "*"
        while True:
            body = self._select({"q": "*:*", "fl": _FL, "rows": _CURSOR_ROWS, "sort": "id asc", "cursorMark": cursor})
            documents.extend(self._stored(d) for d in body["response"]["docs"])
            if body.get("nextCursorMark", cursor) == cursor:
                break
            cursor = body["nextCursorMark"]
        return sorted(documents, key=lambda d: str(d["id"]))

    @staticmethod
    def _filter_queries(filters: dict[str, list[str]], collapse: bool) -> list[str]:
        fqs = []
        if collapse:
            fqs.append("-canonical:[* TO *]")
        for name, values in sorted(filters.items()):
            if name not in _KEYWORD_FIELDS or not values:
                continue
            # Values of one field combine with OR, fields with AND (as TantivyIndex).
            fqs.append(f"{name}:(" + " OR ".join(_quoted(v) for v in values) + ")")
        return fqs

    def _search_text(self, text: str, params: list[tuple[str, Any]]) -> dict[str, Any]:
        text = text.strip()
        if not text:
            return self._select([("q", "*:*"), *params])
        # The user's query is read by Solr's standard parser (the syntax Tantivy reads too: words,
        # "phrases", field:value, AND/OR/NOT, +/-, parentheses), every word required, over all the
        # text; a match in the title counts double. People type punctuation, not query syntax: when
        # the syntax does not parse, the words alone are searched rather than answering with an error.
        everywhere, in_title = _USER_QUERY.format(field="text"), _USER_QUERY.format(field="title")
        query = f"{{!lucene q.op=OR}}+_query_:{everywhere} _query_:{in_title}^2"
        error: Exception | None = None
        candidate = text
        for candidate in (text, " ".join(re.findall(r"\w+", text))):
            if not candidate:
                break
            try:
                return self._select([("q", query), ("qq", candidate), *params])
            except SolrError as exc:
                if exc.status != 400:  # a syntax error; anything else is no fault of the user
                    raise
                error = exc
        reason = str(error).split("\n", 1)[0] if candidate and error else "aucun mot"
        raise QueryError(f"Requête illisible : {text!r} ({reason})")

    @staticmethod
    def _stored(doc: dict[str, Any]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key in _STORED:
            if key not in doc:
                continue
            value = doc[key]
            if key in _MULTI:
                out[key] = list(value) if isinstance(value, list) else [value]
            elif isinstance(value, list):
                out[key] = value[0] if value else value
            else:
                out[key] = value
        return out
