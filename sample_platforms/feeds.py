"""`reseau` (WordPress-like RSS 2.0) and `territoires` (Atom 1.0 with GeoRSS) feeds.

Both answer conditional GETs with 304 so that a harvester can poll them cheaply.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime

from flask import Blueprint, Response, abort, request
from lxml import etree
from markupsafe import escape

from .catalogue import Innovation, platform_records

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"
GEORSS_NS = "http://www.georss.org/georss"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TERRITOIRES_THEMES = "https://territoires.example.org/themes"
TERRITOIRES_COMMUNES = "https://territoires.example.org/communes"
TERRITOIRES_REGIONS = "https://territoires.example.org/regions"

reseau = Blueprint("reseau", __name__, url_prefix="/reseau")
territoires = Blueprint("territoires", __name__, url_prefix="/territoires")


def _base() -> str:
    return request.host_url.rstrip("/")


def _full_html(record: Innovation) -> str:
    paragraphs = "".join(f"<p>{escape(s)}.</p>" for s in record.description.split(". ") if s.strip(". "))
    return (
        f"{paragraphs}<p><strong>Porteur :</strong> {escape(record.organisation)}</p>"
        f"<p><strong>Partenaires :</strong> {escape(', '.join(record.partners))}</p>"
        f'<p><a href="{escape(record.website)}">Site du projet</a></p>'
    )


def _conditional(body: bytes, records: list[Innovation], mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = max(r.updated for r in records)
    return response.make_conditional(request)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def reseau_link(record: Innovation) -> str:
    return f"{_base()}/reseau/initiatives/{record.key}/"


@reseau.route("/feed/")
def rss() -> Response:
    records = sorted(platform_records("reseau"), key=lambda r: (r.updated, r.key), reverse=True)
    # guids follow publication order so they never change when a record is updated.
    numbers = {r.key: n for n, r in enumerate(platform_records("reseau"), start=1)}
    root = etree.Element("rss", version="2.0", nsmap={"content": CONTENT_NS, "dc": DC_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", "Réseau Sample de l'économie sociale et solidaire – Initiatives")
    _sub(channel, "link", f"{_base()}/reseau/")
    _sub(channel, "description", "Les initiatives solidaires repérées par le réseau dans toute la France.")
    _sub(channel, "language", "fr-FR")
    _sub(channel, "lastBuildDate", format_datetime(records[0].updated, usegmt=True))
    _sub(channel, "generator", "Carrefour sample platforms")
    for record in records:
        item = _sub(channel, "item")
        _sub(item, "title", record.title)
        _sub(item, "link", reseau_link(record))
        _sub(item, "guid", f"reseau-{numbers[record.key]}", isPermaLink="false")
        _sub(item, "pubDate", format_datetime(record.updated, usegmt=True))
        _sub(item, f"{{{DC_NS}}}creator", record.organisation)
        for tag in record.tags:
            _sub(item, "category", tag)
        _sub(item, "category", record.commune, domain="commune")
        _sub(item, "category", record.region, domain="region")
        _sub(item, "description", f"<p>{escape(record.summary)}</p>")
        _sub(item, f"{{{CONTENT_NS}}}encoded", _full_html(record))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return _conditional(body, records, "application/rss+xml")


@reseau.route("/initiatives/<key>/")
def initiative(key: str) -> Response:
    return _detail_page("reseau", key)


def _detail_page(platform: str, key: str) -> Response:
    record = next((r for r in platform_records(platform) if r.key == key), None)
    if record is None:
        abort(404)
    page = (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{escape(record.title)}</title>'
        f"</head><body><article><h1>{escape(record.title)}</h1>{_full_html(record)}</article></body></html>"
    )
    return Response(page, mimetype="text/html")


def territoires_id(record: Innovation) -> str:
    return f"tag:territoires.example.org,2024:{record.key}"


@territoires.route("/atom.xml")
def atom() -> Response:
    records = sorted(platform_records("territoires"), key=lambda r: (r.updated, r.key), reverse=True)
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS, "georss": GEORSS_NS})
    root.set(f"{{{XML_NS}}}lang", "fr")
    _sub(root, f"{{{ATOM_NS}}}id", "tag:territoires.example.org,2024:projets")
    _sub(root, f"{{{ATOM_NS}}}title", "Territoires Sample – Banque de projets des collectivités")
    _sub(root, f"{{{ATOM_NS}}}updated", records[0].updated.isoformat().replace("+00:00", "Z"))
    _sub(root, f"{{{ATOM_NS}}}link", rel="self", href=f"{_base()}/territoires/atom.xml")
    _sub(root, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=f"{_base()}/territoires/")
    author = _sub(root, f"{{{ATOM_NS}}}author")
    _sub(author, f"{{{ATOM_NS}}}name", "Réseau Territoires Sample")
    for record in records:
        entry = _sub(root, f"{{{ATOM_NS}}}entry")
        _sub(entry, f"{{{ATOM_NS}}}id", territoires_id(record))
        _sub(entry, f"{{{ATOM_NS}}}title", record.title)
        _sub(
            entry,
            f"{{{ATOM_NS}}}link",
            rel="alternate",
            type="text/html",
            href=f"{_base()}/territoires/projets/{record.key}",
        )
        _sub(entry, f"{{{ATOM_NS}}}published", f"{record.started.isoformat()}T09:00:00Z")
        _sub(entry, f"{{{ATOM_NS}}}updated", record.updated.isoformat().replace("+00:00", "Z"))
        entry_author = _sub(entry, f"{{{ATOM_NS}}}author")
        _sub(entry_author, f"{{{ATOM_NS}}}name", record.organisation)
        _sub(entry, f"{{{ATOM_NS}}}summary", record.summary)
        _sub(entry, f"{{{ATOM_NS}}}content", _full_html(record), type="html")
        for tag in record.tags:
            _sub(entry, f"{{{ATOM_NS}}}category", term=tag, label=tag, scheme=TERRITOIRES_THEMES)
        _sub(entry, f"{{{ATOM_NS}}}category", term=record.insee, label=record.commune, scheme=TERRITOIRES_COMMUNES)
        _sub(entry, f"{{{ATOM_NS}}}category", term=record.region, label=record.region, scheme=TERRITOIRES_REGIONS)
        _sub(entry, f"{{{GEORSS_NS}}}point", f"{record.lat} {record.lon}")
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return _conditional(body, records, "application/atom+xml")


@territoires.route("/projets/<key>")
def territoires_project(key: str) -> Response:
    return _detail_page("territoires", key)
