"""The search page ``/``, the same search as JSON, ``/api/search``, and the located results of the
search for the page's map, ``/api/search/points``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request, url_for

from aggregator.index.document import FACET_FIELDS
from aggregator.index.tantivy import QueryError, SearchResults
from endpoint.app import carrefour

bp = Blueprint("search", __name__)

MAX_QUERY_LENGTH = 500
MAX_PAGE = 10_000
#: The map shows at most this many results (the best ranked); the list below it gives them all.
MAX_POINTS = 2000
FACET_NAMES = {"theme": "Thématique", "region": "Région", "source": "Source"}


class BadSearchError(ValueError):
    """A parameter of the search that cannot be used; the message is for people, in French."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The query string of this search, changed: used for pagination and filter links."""
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        page = changes.get("page", 1)
        pairs: list[tuple[str, str]] = []
        if q:
            pairs.append(("q", str(q)))
        for name in FACET_FIELDS:
            pairs.extend((name, value) for value in filters.get(name, []))  # type: ignore[union-attr]
        if page and page != 1:
            pairs.append(("page", str(page)))
        return pairs

    def url(self, endpoint: str = "search.page", **changes: object) -> str:
        query = urlencode(self.params(**changes))
        return url_for(endpoint) + (f"?{query}" if query else "")

    def without(self, name: str, value: str) -> str:
        filters = {k: [v for v in vs if not (k == name and v == value)] for k, vs in self.filters.items()}
        return self.url(filters=filters)


def parse_request() -> SearchRequest:
    args = request.args
    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise BadSearchError(f"La recherche est trop longue ({len(q)} caractères, {MAX_QUERY_LENGTH} au plus).")
    raw_page = args.get("page", "1").strip() or "1"
    try:
        page = int(raw_page)
    except ValueError:
        raise BadSearchError(f"Le numéro de page « {raw_page} » n'est pas un nombre entier.") from None
    if not 1 <= page <= MAX_PAGE:
        raise BadSearchError(f"Le numéro de page doit être compris entre 1 et {MAX_PAGE}.")
    labels = carrefour().labels
    filters: dict[str, list[str]] = {}
    for name in FACET_FIELDS:
        values = []
        for value in args.getlist(name):
            value = value.strip()
            if not value or value in values:
                continue
            if name == "theme" and not labels.is_theme(value):
                raise BadSearchError(
                    f"La thématique « {value} » n'existe pas. Choisissez une thématique dans la liste des filtres."
                )
            values.append(value)
        if values:
            filters[name] = values
    unknown = sorted(set(args) - {"q", "page", *FACET_FIELDS})
    if unknown:
        raise BadSearchError(
            f"Paramètre inconnu : {', '.join(unknown)}. Paramètres acceptés : q, theme, region, source, page."
        )
    return SearchRequest(q=q, filters=filters, page=page)


def run_search(search: SearchRequest, page: int | None = None, page_size: int | None = None) -> SearchResults:
    app = carrefour()
    index_filters: dict[str, list[str]] = {}
    for name, values in search.filters.items():
        if name == "theme":
            top = [v for v in values if "/" not in v]
            sub = [v for v in values if "/" in v]
            if top:
                index_filters["theme"] = top
            if sub:
                index_filters["subtheme"] = sub
        else:
            index_filters[name] = values
    return app.aggregate.index.search(
        search.q,
        filters=index_filters,
        page=page or search.page,
        page_size=page_size or app.settings.search_page_size,
    )


def facet_counts(search: SearchRequest, results: SearchResults) -> dict[str, dict[str, int]]:
    """Counts per facet value. A facet with a selection is counted without its own filter, so that
    its other values stay offered (values of one facet combine with OR, facets with AND)."""
    counts = {name: dict(results.facets.get(name, [])) for name in FACET_FIELDS}
    for name in FACET_FIELDS:
        if search.filters.get(name):
            others = {k: v for k, v in search.filters.items() if k != name}
            counts[name] = dict(run_search(SearchRequest(search.q, others), 1, 1).facets.get(name, []))
    for value in search.filters.get("theme", []):
        if "/" in value:  # sub-themes are no facet of their own: count the chosen one
            only = dict(search.filters) | {"theme": [value]}
            counts["theme"][value] = run_search(SearchRequest(search.q, only), 1, 1).total
    return counts


def _as_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def result_item(hit: dict[str, object]) -> dict[str, object]:
    labels = carrefour().labels
    record_id = str(hit.get("id", ""))
    summary = str(hit.get("summary") or "") or _shorten(str(hit.get("description") or ""), 300)
    source = str(hit.get("source") or "")
    themes = _as_list(hit.get("theme"))
    return {
        "id": record_id,
        "uri": str(hit.get("uri") or ""),
        "page": url_for("records.innovation", record_id=record_id),
        "title": str(hit.get("title") or record_id),
        "summary": summary,
        "commune": _as_list(hit.get("commune")),
        "region": _as_list(hit.get("region")),
        "organisation": _as_list(hit.get("organisation")),
        "source": source,
        "source_label": labels.source(source),
        # A duplicated innovation is shown once, with every source that publishes it.
        "sources": [{"id": s, "label": labels.source(s)} for s in (_as_list(hit.get("sources")) or [source])],
        "duplicates": _as_list(hit.get("duplicates")),
        "themes": [{"code": code, "label": labels.theme(code)} for code in themes],
        "website": str(hit.get("url") or ""),
        "lat": hit.get("lat"),
        "lon": hit.get("lon"),
        "score": hit.get("score"),
    }


def facet_items(search: SearchRequest, results: SearchResults) -> dict[str, list[dict[str, object]]]:
    labels = carrefour().labels
    out: dict[str, list[dict[str, object]]] = {}
    all_counts = facet_counts(search, results)
    for name in FACET_FIELDS:
        selected = search.filters.get(name, [])
        counts = all_counts[name]
        for value in selected:  # a chosen value stays visible even when nothing matches it
            counts.setdefault(value, 0)
        items = [
            {"value": value, "label": labels.facet(name, value), "count": count, "selected": value in selected}
            for value, count in counts.items()
        ]
        items.sort(key=lambda i: (not i["selected"], -int(i["count"]), str(i["label"]).casefold()))  # type: ignore[call-overload]
        out[name] = items
    return out


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _pages(total: int) -> int:
    size = carrefour().settings.search_page_size
    return max(1, math.ceil(total / size)) if size > 0 else 1


@bp.get("/")
def page():  # type: ignore[no-untyped-def]
    try:
        search = parse_request()
    except BadSearchError as exc:
        return render_template(
            "search.html",
            search=SearchRequest(q=request.args.get("q", "")[:MAX_QUERY_LENGTH]),
            error=str(exc),
            results=None,
            facets={},
            facet_names=FACET_NAMES,
        ), 400
    try:
        results = run_search(search)
    except QueryError:
        message = (
            f"La recherche « {search.q} » n'a pas pu être lue. Écrivez des mots simples, sans symboles "
            "(par exemple : jardin partagé), ou retirez les guillemets et parenthèses non fermés."
        )
        return render_template(
            "search.html", search=search, error=message, results=None, facets={}, facet_names=FACET_NAMES
        ), 400
    pages = _pages(results.total)
    return render_template(
        "search.html",
        search=search,
        error=None,
        results=results,
        items=[result_item(h) for h in results.hits],
        facets=facet_items(search, results),
        facet_names=FACET_NAMES,
        pages=pages,
        page_size=carrefour().settings.search_page_size,
    )


@bp.get("/api/search")
def api():  # type: ignore[no-untyped-def]
    try:
        search = parse_request()
        results = run_search(search)
    except BadSearchError as exc:
        return jsonify(error="Requête incorrecte", message=str(exc), status=400), 400
    except QueryError:
        return jsonify(
            error="Requête illisible",
            status=400,
            message=f"La recherche « {search.q} » n'a pas pu être lue ; écrivez des mots simples.",
        ), 400
    size = carrefour().settings.search_page_size
    pages = _pages(results.total)
    body = {
        "query": search.q,
        "filters": search.filters,
        "page": search.page,
        "page_size": size,
        "pages": pages,
        "total": results.total,
        "results": [result_item(h) for h in results.hits],
        "facets": facet_items(search, results),
        "next": search.url("search.api", page=search.page + 1) if search.page < pages else None,
        "previous": search.url("search.api", page=search.page - 1) if search.page > 1 else None,
    }
    response = jsonify(body)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _point(hit: dict[str, object]) -> dict[str, object] | None:
    """A located result for the map, or None when it has no usable coordinates."""
    try:
        lat, lon = float(hit.get("lat")), float(hit.get("lon"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    record_id = str(hit.get("id", ""))
    return {
        "id": record_id,
        "title": str(hit.get("title") or record_id),
        "lat": lat,
        "lon": lon,
        "url": url_for("records.innovation", record_id=record_id),
    }


@bp.get("/api/search/points")
def points():  # type: ignore[no-untyped-def]
    """Every result of the search (same parameters as ``/api/search``; ``page`` is accepted and
    ignored) that has coordinates, for the map: at most ``MAX_POINTS``, the best ranked first."""
    try:
        search = parse_request()
        results = run_search(search, page=1, page_size=MAX_POINTS)
    except BadSearchError as exc:
        return jsonify(error="Requête incorrecte", message=str(exc), status=400), 400
    except QueryError:
        return jsonify(
            error="Requête illisible",
            status=400,
            message=f"La recherche « {search.q} » n'a pas pu être lue ; écrivez des mots simples.",
        ), 400
    located = [p for p in (_point(h) for h in results.hits) if p is not None]
    response = jsonify(
        {
            "query": search.q,
            "filters": search.filters,
            "total": results.total,
            "located": len(located),
            "truncated": results.total > MAX_POINTS,
            "limit": MAX_POINTS,
            "points": located,
        }
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
