"""A loopback HTTP server that plays every kind of source, and every fault a harvester must survive.

It serves, on 127.0.0.1 and a free port:

- ``/oai``: an OAI-PMH 2.0 repository (Identify, ListMetadataFormats, ListRecords with from, until,
  set and resumption tokens) over ``items``, in datestamp order, ``page_size`` records a page;
  its tokens live in the server (they expire with ``expire_tokens()``), its ``cursor`` counts
  pages (a quirk of real servers), and its last page carries an empty token;
- ``/feed.xml``: an RSS 2.0 feed with ETag and Last-Modified, 304 on a conditional GET;
- ``/site/list?page=N`` and ``/site/item/KEY``: an HTML site, paginated, JSON-LD on each page,
  with a ``/robots.txt`` that forbids ``/site/private/``;
- ``/data.csv`` (Windows-1252, tab-separated), ``/data.xlsx``, ``/data.json``;
- ``/api/page``, ``/api/offset``, ``/api/next``: a JSON API paginated the three usual ways.

``faults`` is a list consumed one entry per request to a data path (everything but robots.txt
and Identify): ``None`` serves normally; ``"429"`` and ``"503"`` answer that status with
``Retry-After: retry_after``; ``"500"``; ``"timeout"`` answers after ``slow_seconds``; ``"reset"``
resets the connection; ``"truncate"`` sends half the announced body and closes; ``"truncate-xml"``
sends half the body as if it were all of it; ``"expire"`` answers badResumptionToken to a token;
``"unsized"`` sends the body without Content-Length and closes the connection to end it.
``error_status`` is the HTTP status of OAI-PMH error responses (200 as the protocol says; some
repositories send 400 or 500).
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

START = datetime(2024, 1, 1, tzinfo=UTC)
ORGANISATION = "Association d'essai"


@dataclass
class Item:
    key: str
    datestamp: datetime
    title: str
    description: str
    sets: tuple[str, ...] = ("all",)
    deleted: bool = False

    @property
    def stamp(self) -> str:
        return self.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.key,
            "title": self.title,
            "description": self.description,
            "organisation": ORGANISATION,
            "updated": self.stamp,
        }


def make_items(count: int, deleted: int = 0) -> list[Item]:
    """``count`` items, two by two on the same datestamp (an inclusive ``from`` sees the pair again)."""
    items = []
    for n in range(count):
        items.append(
            Item(
                key=f"r{n:03d}",
                datestamp=START + timedelta(hours=n // 2),
                title=f"Innovation d'essai numéro {n}",
                description=f"Une description de l'innovation d'essai numéro {n}, assez longue pour être lue.",
                sets=("all", "pair" if n % 2 == 0 else "impair"),
                deleted=n < deleted,
            )
        )
    return items


@dataclass
class FaultServer:
    items: list[Item] = field(default_factory=lambda: make_items(40, deleted=3))
    page_size: int = 10
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    faults: list[str | None] = field(default_factory=list)
    retry_after: str = "0"
    slow_seconds: float = 2.0
    #: Seconds spent on every data response (to give a test time to kill a harvest mid-way).
    page_delay: float = 0.0
    #: Every data request received: (path, query as a dict of first values).
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    served_pages: int = 0
    #: HTTP status of an OAI-PMH error response (some repositories answer badArgument with 400).
    error_status: int = 200

    def __post_init__(self) -> None:
        self._tokens: dict[str, tuple[int, dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def next_fault(self) -> str | None:
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def live(self) -> list[Item]:
        return [item for item in self.items if not item.deleted]

    # OAI-PMH ---------------------------------------------------------------------
    def oai(self, query: dict[str, str], fault: str | None) -> tuple[int, bytes]:
        verb = query.get("verb", "")
        if verb == "Identify":
            earliest = min((i.stamp for i in self.items), default="2024-01-01T00:00:00Z")
            body = (
                "<Identify><repositoryName>Dépôt en pannes</repositoryName>"
                f"<baseURL>{self.url}/oai</baseURL><protocolVersion>2.0</protocolVersion>"
                "<adminEmail>pannes@example.org</adminEmail>"
                f"<earliestDatestamp>{earliest}</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
                f"<granularity>{self.granularity}</granularity></Identify>"
            )
            return 200, self._envelope(query, body)
        if verb == "ListMetadataFormats":
            body = (
                "<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix>"
                "<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
                "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"
                "</metadataFormat></ListMetadataFormats>"
            )
            return 200, self._envelope(query, body)
        if verb != "ListRecords":
            return 200, self._error(query, "badVerb", "verbe inconnu")
        if "resumptionToken" in query:
            with self._lock:
                state = self._tokens.get(query["resumptionToken"])
            if state is None or fault == "expire":
                return 200, self._error(query, "badResumptionToken", "jeton expiré ou inconnu")
            offset, args = state
        else:
            if query.get("metadataPrefix") != "oai_dc":
                return 200, self._error(query, "cannotDisseminateFormat", "oai_dc seulement")
            offset, args = 0, query
        selected = [
            item for item in sorted(self.items, key=lambda i: (i.datestamp, i.key)) if self._matches(item, args)
        ]
        if not selected:
            return 200, self._error(query, "noRecordsMatch", "aucune notice")
        page = selected[offset : offset + self.page_size]
        records = "".join(self._record(item) for item in page)
        following = offset + self.page_size
        page_number = offset // self.page_size
        if following < len(selected):
            with self._lock:
                token = f"t{len(self._tokens) + 1}-{following}-{hashlib.sha1(repr(args).encode()).hexdigest()[:6]}"
                self._tokens[token] = (following, args)
            token_xml = (
                f'<resumptionToken completeListSize="{len(selected)}" cursor="{page_number}">{token}</resumptionToken>'
            )
        elif offset:
            token_xml = f'<resumptionToken completeListSize="{len(selected)}" cursor="{page_number}"/>'
        else:
            token_xml = ""
        self.served_pages += 1
        return 200, self._envelope(query, f"<ListRecords>{records}{token_xml}</ListRecords>")

    def _matches(self, item: Item, args: dict[str, str]) -> bool:
        def moment(value: str, upper: bool) -> datetime:
            if len(value) == 10:
                day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
                return day + timedelta(days=1, seconds=-1) if upper else day
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

        if "from" in args and item.datestamp < moment(args["from"], False):
            return False
        if "until" in args and item.datestamp > moment(args["until"], True):
            return False
        return not ("set" in args and args["set"] not in item.sets)

    def _record(self, item: Item) -> str:
        sets = "".join(f"<setSpec>{s}</setSpec>" for s in item.sets)
        header = f"<identifier>oai:pannes.example.org:{item.key}</identifier><datestamp>{item.stamp}</datestamp>{sets}"
        if item.deleted:
            return f'<record><header status="deleted">{header}</header></record>'
        return (
            f"<record><header>{header}</header><metadata>"
            '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(item.title)}</dc:title><dc:description>{escape(item.description)}</dc:description>"
            f"<dc:subject>Insertion</dc:subject><dc:creator>Association d'essai</dc:creator>"
            f"<dc:date>2020-01-01</dc:date><dc:identifier>https://pannes.example.org/{item.key}</dc:identifier>"
            "<dc:language>fre</dc:language></oai_dc:dc></metadata></record>"
        )

    def _envelope(self, query: dict[str, str], body: str) -> bytes:
        attrs = "".join(f' {k}="{escape(v)}"' for k, v in sorted(query.items()))
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            f"<responseDate>{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</responseDate>"
            f"<request{attrs}>{self.url}/oai</request>{body}</OAI-PMH>"
        ).encode()

    def _error(self, query: dict[str, str], code: str, message: str) -> bytes:
        return self._envelope(query, f'<error code="{code}">{message}</error>')

    # other kinds ---------------------------------------------------------------------
    def feed(self) -> tuple[bytes, str, str]:
        items = "".join(
            f"<item><title>{escape(i.title)}</title><link>{self.url}/site/item/{i.key}</link>"
            f'<guid isPermaLink="false">{i.key}</guid><description>{escape(i.description)}'
            "&lt;script&gt;alert(1)&lt;/script&gt;</description>"
            f"<dc:creator>{escape(ORGANISATION)}</dc:creator>"
            f"<pubDate>{format_datetime(i.datestamp, usegmt=True)}</pubDate></item>"
            for i in self.live()
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Flux</title>'
            f"<link>{self.url}/</link><description>Flux</description><language>fr-FR</language>{items}"
            "</channel></rss>"
        ).encode()
        newest = max((i.datestamp for i in self.live()), default=START)
        return body, hashlib.sha1(body).hexdigest()[:16], format_datetime(newest, usegmt=True)

    def site_list(self, page: int) -> bytes | None:
        live = self.live()
        per_page = self.page_size
        pages = max((len(live) + per_page - 1) // per_page, 1)
        if not 1 <= page <= pages:
            return None
        links = "".join(
            f'<li class="card"><a href="/site/item/{i.key}">{escape(i.title)}</a></li>'
            for i in live[(page - 1) * per_page : page * per_page]
        )
        if page == 1:
            links += '<li class="card"><a href="/site/private/secret">Privé</a></li>'
        following = f'<a class="suivante" href="/site/list?page={page + 1}">Suivante</a>' if page < pages else ""
        return f"<html><body><ul>{links}</ul><nav>{following}</nav></body></html>".encode()

    def site_item(self, key: str) -> bytes | None:
        item = next((i for i in self.live() if i.key == key), None)
        if item is None:
            return None
        jsonld = json.dumps({"@context": "https://schema.org", "@type": "Project", "name": item.title})
        return (
            f'<html lang="fr"><head><script type="application/ld+json">{jsonld}</script></head>'
            f"<body><h1>{escape(item.title)}</h1><p class='desc'>{escape(item.description)}</p>"
            f"<p class='org'>{escape(ORGANISATION)}</p></body></html>"
        ).encode()

    def csv_bytes(self) -> bytes:
        lines = ["id\ttitre\tdescription\tporteur"]
        lines += [f"{i.key}\t{i.title} é\t{i.description}\t{ORGANISATION}" for i in self.live()]
        return ("\r\n".join(lines) + "\r\n").encode("cp1252")

    def xlsx_bytes(self) -> bytes:
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Projets"
        sheet.append(["id", "titre", "description", "porteur", "lancement"])
        for item in self.live():
            sheet.append([item.key, item.title, item.description, ORGANISATION, item.datestamp.replace(tzinfo=None)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def api(self, style: str, query: dict[str, str]) -> dict[str, object]:
        live = [i.as_json() for i in self.live()]
        size = int(query.get("per_page") or query.get("limit") or 7)
        if style == "page":
            start = (int(query.get("page", "1")) - 1) * size
        elif style == "offset":
            start = int(query.get("offset", "0"))
        else:
            start = int(query.get("cursor", "0"))
        chunk = live[start : start + size]
        document: dict[str, object] = {"data": {"items": chunk}}
        if style == "next" and start + size < len(live):
            document["links"] = {"next": f"/api/next?cursor={start + size}"}
        return document


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) or a connection we reset on purpose


def _handler_for(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if parts.path == "/robots.txt":
                return self._send(200, b"User-agent: *\nDisallow: /site/private/\n", "text/plain")
            if query.get("verb") in ("Identify", "ListMetadataFormats"):
                return self._send(200, server.oai(query, None)[1], "text/xml")
            server.log.append((parts.path, query))
            fault = server.next_fault()
            if fault in ("429", "503", "500"):
                return self._send(int(fault), b"indisponible", "text/plain", {"Retry-After": server.retry_after})
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return None
            if fault == "timeout":
                time.sleep(server.slow_seconds)
            if server.page_delay:
                time.sleep(server.page_delay)
            status, body, media_type, headers = self._route(parts.path, query, fault)
            if parts.path == "/oai" and b"<error code=" in body and b'code="noRecordsMatch"' not in body:
                status = server.error_status
            if fault == "unsized":
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
                return None
            if fault == "truncate":
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return None
            if fault == "truncate-xml":
                body = body[: len(body) // 2]
            return self._send(status, body, media_type, headers)

        def _route(self, path: str, query: dict[str, str], fault: str | None) -> tuple[int, bytes, str, dict[str, str]]:
            if path == "/oai":
                status, body = server.oai(query, fault)
                return status, body, "text/xml; charset=utf-8", {}
            if path == "/feed.xml":
                body, etag, modified = server.feed()
                headers = {"ETag": f'"{etag}"', "Last-Modified": modified}
                if self.headers.get("If-None-Match") == f'"{etag}"':
                    return 304, b"", "application/rss+xml", headers
                return 200, body, "application/rss+xml", headers
            if path == "/site/list":
                page = server.site_list(int(query.get("page", "1")))
                return (200, page, "text/html; charset=utf-8", {}) if page else (404, b"", "text/html", {})
            if path.startswith("/site/item/"):
                item = server.site_item(path.rsplit("/", 1)[1])
                return (200, item, "text/html; charset=utf-8", {}) if item else (404, b"", "text/html", {})
            if path == "/data.csv":
                return 200, server.csv_bytes(), "text/csv", {}
            if path == "/data.xlsx":
                return 200, server.xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {}
            if path == "/data.json":
                return (
                    200,
                    json.dumps({"data": {"items": [i.as_json() for i in server.live()]}}).encode(),
                    "application/json",
                    {},
                )
            if path.startswith("/api/"):
                document = server.api(path.rsplit("/", 1)[1], query)
                return 200, json.dumps(document).encode(), "application/json", {}
            return 404, b"introuvable", "text/plain", {}

        def _send(self, status: int, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler


# helpers for the tests that harvest from it ----------------------------------------------------

OAI_DC_FIELDS = {
    "title": {"xpath": "//dc:title"},
    "description": {"xpath": "//dc:description"},
    "organisation": {"xpath": "//dc:creator"},
    "tags": {"xpath": "//dc:subject"},
}
JSON_FIELDS = {
    "title": {"path": "title"},
    "description": {"path": "description"},
    "organisation": {"path": "organisation"},
}


def write_source(
    mappings: Path,
    source_id: str,
    kind: str,
    url: str,
    harvest: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    version: str = "1",
) -> Path:
    """A source file in ``mappings``; OAI-PMH sources get the generic Dublin Core fields."""
    import yaml

    mappings.mkdir(parents=True, exist_ok=True)
    crosswalk: dict[str, Any] = {
        "version": version,
        "fields": fields or (OAI_DC_FIELDS if kind == "oai-pmh" else JSON_FIELDS),
    }
    if kind == "oai-pmh":
        crosswalk["namespaces"] = {"dc": "http://purl.org/dc/elements/1.1/"}
    data = {
        "id": source_id,
        "label": source_id,
        "kind": kind,
        "url": url,
        "harvest": harvest or {},
        "crosswalk": crosswalk,
    }
    path = mappings / f"{source_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Holdings:
    """What the aggregate holds of one source, counted every way a duplicate or a loss would show."""

    raw: list[str]
    live: list[str]
    tombstones: list[str]
    graphs: int
    innovations: int
    indexed: int


def holdings(settings: Any, source_id: str) -> Holdings:
    from aggregator.aggregate import Aggregate

    aggregate = Aggregate(settings)
    try:
        raw = [r.identifier for r in aggregate.state.raw_records(source_id)]
        rows = [r for r in aggregate.listing.published_page(None, 100_000) if r.source_id == source_id]
        live = [r.record_id for r in rows if not r.deleted]
        graphs = sum(aggregate.store.has_graph(aggregate.record_uri(rid) + "#graph") for rid in live)
        prefix = aggregate.record_uri(f"{source_id}-")
        result = aggregate.store.query(
            "SELECT (COUNT(?i) AS ?n) WHERE { GRAPH ?g { ?i a <https://w3id.org/carrefour/vocab#SocialInnovation> }"
            f' FILTER(STRSTARTS(STR(?i), "{prefix}")) }}'
        )
        innovations = int(next(iter(result))["n"].value)
        indexed = sum(aggregate.index.get(rid) is not None for rid in live)
        return Holdings(raw, live, [r.record_id for r in rows if r.deleted], graphs, innovations, indexed)
    finally:
        aggregate.close()


def assert_exactly(
    settings: Any, source_id: str, items: list[Item], prefix: str = "oai:pannes.example.org:"
) -> Holdings:
    """The source's records are all there, once each: raw store, store, listing, index."""
    from aggregator.records import record_id

    held = holdings(settings, source_id)
    expected_live = sorted(record_id(source_id, prefix + i.key) for i in items if not i.deleted)
    expected_deleted = sorted(record_id(source_id, prefix + i.key) for i in items if i.deleted)
    assert sorted(held.raw) == sorted(prefix + i.key for i in items), "raw store"
    assert sorted(held.live) == expected_live, "listing (live)"
    assert sorted(held.tombstones) == expected_deleted, "listing (tombstones)"
    assert held.graphs == held.innovations == held.indexed == len(expected_live), held
    return held
