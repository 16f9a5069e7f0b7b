"""One Flask app serving every sample platform under its own path prefix, on loopback.

Payload links are built from the request's host so the platforms work on any port.
"""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask, Response, render_template_string, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import feeds, oai, opendata, portraits
from .catalogue import DELETED_COUNT, LIVE_COUNTS

ROBOTS_TXT = """User-agent: *
Disallow: /portraits/recherche
Disallow: /admin/
Allow: /portraits/
"""

# (platform id, label, path, format)
PLATFORM_ENDPOINTS: tuple[tuple[str, str, str, str], ...] = (
    ("fondation", "Banque de projets d'une fondation", "/fondation/oai?verb=Identify", "OAI-PMH 2.0 (oai_dc)"),
    ("reseau", "Réseau de l'économie sociale et solidaire", "/reseau/feed/", "RSS 2.0"),
    ("territoires", "Réseau de collectivités", "/territoires/atom.xml", "Atom 1.0 + GeoRSS"),
    ("portraits", "Portraits d'innovations sociales", "/portraits/?page=1", "HTML (liste paginée + fiches)"),
    ("laureats", "Lauréats d'un programme national", "/laureats/laureats.csv", "CSV (séparateur ;)"),
    ("atlas", "Actions publiques numériques locales", "/atlas/actions.json", "JSON"),
)

_INDEX = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>Plateformes d'exemple du Carrefour</title></head>
<body><main>
<h1>Plateformes d'exemple du Carrefour des innovations sociales</h1>
<p>Ces plateformes locales imitent les sources réelles ; leur contenu est fictif.</p>
<ul>
{% for id, label, path, fmt in platforms %}<li><strong>{{ label }}</strong> ({{ id }}) – {{ fmt }} :
<a href="{{ base }}{{ path }}">{{ base }}{{ path }}</a> – {{ counts[id] }} fiches</li>
{% endfor %}</ul>
<p>La banque de projets de la fondation annonce en plus {{ deleted }} fiches supprimées.</p>
</main></body>
</html>
"""


def create_app() -> Flask:
    app = Flask(__name__)
    for blueprint in (
        oai.blueprint,
        feeds.reseau,
        feeds.territoires,
        portraits.blueprint,
        opendata.laureats,
        opendata.atlas,
    ):
        app.register_blueprint(blueprint)

    @app.route("/")
    def index() -> Response:
        html = render_template_string(
            _INDEX,
            platforms=PLATFORM_ENDPOINTS,
            base=request.host_url.rstrip("/"),
            counts=LIVE_COUNTS,
            deleted=DELETED_COUNT,
        )
        return Response(html, mimetype="text/html")

    @app.route("/robots.txt")
    def robots() -> Response:
        return Response(ROBOTS_TXT, mimetype="text/plain")

    return app


class _QuietHandler(WSGIRequestHandler):
    """Background runs (tests, demo) would otherwise print one line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SamplePlatforms:
    """The platforms running in a daemon thread; stop() or use as a context manager."""

    def __init__(self, server: BaseWSGIServer) -> None:
        self._server = server
        self.host = server.host
        self.port = server.port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=server.serve_forever, name="sample-platforms", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SamplePlatforms:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def run_in_background(host: str = "127.0.0.1", port: int = 0) -> SamplePlatforms:
    """Start the platforms; port 0 lets the system pick a free port (see `.url`)."""
    server = make_server(host, port, create_app(), threaded=True, request_handler=_QuietHandler)
    return SamplePlatforms(server)


def serve_forever(host: str = "127.0.0.1", port: int = 8800) -> None:
    server = make_server(host, port, create_app(), threaded=True)
    print(f"Plateformes d'exemple sur http://{host}:{server.port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
