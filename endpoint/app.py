"""The Flask application: one ``Aggregate`` opened at start, shared by every blueprint.

``create_app(settings)`` opens the aggregate read-only and registers one blueprint per published
interface. The portal never writes: ``carrefour harvest`` (a cron next to a live portal) is the one
writer of the triple store. A read-only Oxigraph store is a snapshot as of its opening, so before a
request the portal looks — at most every ``portal_refresh_interval`` seconds — whether the store
changed on disk, and reopens it then; the search index and the SQLite listing see new commits by
themselves.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from aggregator.aggregate import Aggregate
from aggregator.settings import Settings, load_settings
from aggregator.store.sparql import StoreUnavailableError
from endpoint.labels import Labels

log = logging.getLogger(__name__)

EXTENSION = "carrefour"

#: French titles of the HTTP errors shown to people.
ERROR_TITLES = {
    400: "Requête incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    406: "Format non disponible",
    410: "Notice retirée",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    500: "Erreur interne",
    503: "Service indisponible",
}

ERROR_HINTS = {
    404: "L'adresse demandée n'existe pas. Vérifiez-la ou repartez de la recherche.",
    405: "Cette adresse n'accepte pas cette méthode HTTP.",
    500: "Une erreur inattendue s'est produite ; elle a été consignée. Réessayez plus tard.",
}


@dataclass
class Carrefour:
    """What the blueprints share: the settings, the aggregate and the display labels."""

    settings: Settings
    aggregate: Aggregate
    labels: Labels
    extra: dict[str, object] = field(default_factory=dict)
    _next_check: float = 0.0
    _check_lock: threading.Lock = field(default_factory=threading.Lock)

    def see_new_harvests(self) -> bool:
        """Reopen the read-only store if a harvest changed it; True if it did. At most every
        ``portal_refresh_interval`` seconds; a request arriving while another thread checks goes on."""
        refresh = getattr(self.aggregate.store, "refresh", None)
        if refresh is None or not getattr(self.aggregate.store, "read_only", False):
            return False
        now = time.monotonic()
        if now < self._next_check or not self._check_lock.acquire(blocking=False):
            return False
        try:
            self._next_check = now + self.settings.portal_refresh_interval
            reopened = bool(refresh())
            reload_index = getattr(self.aggregate.index, "reload", None)
            if reopened and reload_index is not None:
                reload_index()
            return reopened
        finally:
            self._check_lock.release()


def carrefour() -> Carrefour:
    return current_app.extensions[EXTENSION]


def create_app(settings: Settings | None = None, aggregate: Aggregate | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = 1_000_000
    # Read-only: no lock on the store, so `carrefour harvest` can write it while the portal serves.
    aggregate = aggregate or Aggregate(settings, read_only=True)
    app.extensions[EXTENSION] = Carrefour(settings, aggregate, Labels(settings, aggregate.themes))
    app.add_template_filter(french_number, "nombre")

    from endpoint.oai import bp as oai_bp
    from endpoint.records import bp as records_bp
    from endpoint.search import bp as search_bp
    from endpoint.sparql import bp as sparql_bp
    from endpoint.vocab import bp as vocab_bp

    app.register_blueprint(search_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(oai_bp)
    app.register_blueprint(sparql_bp)
    app.register_blueprint(vocab_bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        response = error_page(exc.code or 500)
        allow = exc.get_response().headers.get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(StoreUnavailableError)
    def store_unavailable(exc: StoreUnavailableError):  # type: ignore[no-untyped-def]
        log.warning("Triplestore indisponible sur %s : %s", request.path, exc)
        response = error_page(503, "Le triplestore est momentanément indisponible : réessayez dans quelques instants.")
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("Erreur inattendue sur %s", request.path)
        return error_page(500)

    @app.before_request
    def see_new_harvests() -> None:
        carrefour().see_new_harvests()

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app


def french_number(value: int) -> str:
    """1234567 -> "1 234 567" with narrow no-break spaces, as French typography writes it."""
    return f"{int(value):,}".replace(",", "\u202f")


def error_page(status: int, message: str | None = None, hint: str | None = None) -> Response:
    """An error for people (French HTML) or for programs (JSON / plain text), by Accept."""
    title = ERROR_TITLES.get(status, "Erreur")
    text = message or ERROR_HINTS.get(status) or title
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"], "text/html")
    if request.path.startswith("/api/") or best == "application/json":
        response = jsonify(error=title, message=text, status=status)
    elif best == "text/plain":
        response = make_response(f"{title} : {text}\n")
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        response = make_response(render_template("error.html", status=status, title=title, message=text, hint=hint))
    response.status_code = status
    return response
