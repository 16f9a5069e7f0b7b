"""`fondation`: an OAI-PMH 2.0 repository exposing the foundation's project bank in oai_dc.

Stateless resumption tokens (the query and offset, base64-encoded) keep paging correct with a
threaded server and across restarts.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, abort, render_template_string, request
from lxml import etree

from .catalogue import Innovation, deleted_records, platform_records
from .referentiel import THEMES

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PAGE_SIZE = 25
ID_PREFIX = "oai:fondation.example.org:"
PUBLISHER = "Fondation Sample pour l'Innovation Sociale"
_GRANULARITY = "%Y-%m-%dT%H:%M:%SZ"

# Each verb's allowed arguments; "resumptionToken" is exclusive where present.
_REQUIRED = {
    "Identify": set(),
    "ListMetadataFormats": set(),
    "ListSets": set(),
    "GetRecord": {"identifier", "metadataPrefix"},
    "ListIdentifiers": {"metadataPrefix"},
    "ListRecords": {"metadataPrefix"},
}
_OPTIONAL = {
    "Identify": set(),
    "ListMetadataFormats": {"identifier"},
    "ListSets": {"resumptionToken"},
    "GetRecord": set(),
    "ListIdentifiers": {"from", "until", "set", "resumptionToken"},
    "ListRecords": {"from", "until", "set", "resumptionToken"},
}

blueprint = Blueprint("fondation", __name__, url_prefix="/fondation")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _items() -> list[Innovation]:
    """Live and deleted records, oldest datestamp first (a harvester's natural order)."""
    records = platform_records("fondation") + deleted_records("fondation")
    return sorted(records, key=lambda r: (r.updated, r.key))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_GRANULARITY)


def _base_url() -> str:
    return request.host_url.rstrip("/") + "/fondation/oai"


def record_page_url(record: Innovation) -> str:
    return f"{request.host_url.rstrip('/')}/fondation/projets/{record.key}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _envelope(verb: str | None, args: dict[str, str]) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _sub(root, f"{{{OAI_NS}}}responseDate", _stamp(datetime.now(UTC)))
    req = _sub(root, f"{{{OAI_NS}}}request", _base_url())
    for name, value in sorted(args.items()):
        req.set(name, value)
    if verb:
        req.set("verb", verb)
    return root, req


def _respond(root: etree._Element) -> Response:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")


def _parse_date(value: str, upper: bool) -> tuple[datetime, str]:
    for fmt, granularity in ((_GRANULARITY, "seconds"), ("%Y-%m-%d", "day")):
        try:
            moment = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        if granularity == "day" and upper:
            moment += timedelta(days=1) - timedelta(seconds=1)
        return moment, granularity
    raise OAIError("badArgument", f"Date invalide : « {value} » (format attendu AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ).")


def _set_specs(record: Innovation) -> list[str]:
    return [f"theme:{code}" for code in record.top_themes]


def _header(parent: etree._Element, record: Innovation) -> None:
    header = _sub(parent, f"{{{OAI_NS}}}header")
    if record.deleted:
        header.set("status", "deleted")
    _sub(header, f"{{{OAI_NS}}}identifier", ID_PREFIX + record.key)
    _sub(header, f"{{{OAI_NS}}}datestamp", _stamp(record.updated))
    for spec in _set_specs(record):
        _sub(header, f"{{{OAI_NS}}}setSpec", spec)


def _metadata(parent: etree._Element, record: Innovation) -> None:
    metadata = _sub(parent, f"{{{OAI_NS}}}metadata")
    dc = etree.SubElement(metadata, f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def add(name: str, value: str) -> None:
        _sub(dc, f"{{{DC_NS}}}{name}", value)

    add("title", record.title)
    add("description", record.description)
    for tag in record.tags:
        add("subject", tag)
    add("creator", record.organisation)
    for partner in record.partners:
        add("contributor", partner)
    add("coverage", f"{record.commune} ({record.department_code})")
    add("coverage", record.region)
    add("date", record.started.isoformat())
    add("identifier", record.website)
    add("identifier", record_page_url(record))
    add("type", "Projet")
    add("language", "fre")
    add("publisher", PUBLISHER)


def _record(parent: etree._Element, record: Innovation) -> None:
    element = _sub(parent, f"{{{OAI_NS}}}record")
    _header(element, record)
    if not record.deleted:
        _metadata(element, record)


def _encode_token(state: dict[str, object]) -> str:
    raw = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, object]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        state = json.loads(raw)
    except (binascii.Error, ValueError):
        raise OAIError("badResumptionToken", "Jeton de reprise invalide ou expiré.") from None
    if not isinstance(state, dict) or not isinstance(state.get("o"), int) or state.get("v") not in _LIST_VERBS:
        raise OAIError("badResumptionToken", "Jeton de reprise invalide ou expiré.")
    return state


_LIST_VERBS = ("ListIdentifiers", "ListRecords")


def _list(verb: str, args: dict[str, str], container: etree._Element) -> None:
    if "resumptionToken" in args:
        state = _decode_token(args["resumptionToken"])
        if state["v"] != verb:
            raise OAIError("badResumptionToken", "Ce jeton de reprise appartient à une autre requête.")
        query = {k: str(state[k]) for k in ("from", "until", "set") if k in state}
        offset = int(state["o"])
    else:
        if args["metadataPrefix"] != "oai_dc":
            raise OAIError("cannotDisseminateFormat", "Seul le format oai_dc est proposé.")
        query = {k: args[k] for k in ("from", "until", "set") if k in args}
        offset = 0
    items = _items()
    low = high = None
    if "from" in query:
        low, low_granularity = _parse_date(query["from"], upper=False)
    if "until" in query:
        high, high_granularity = _parse_date(query["until"], upper=True)
    if low and high and low_granularity != high_granularity:
        raise OAIError("badArgument", "Les arguments from et until doivent avoir la même granularité.")
    if "set" in query and query["set"] not in {f"theme:{code}" for code in THEMES}:
        raise OAIError("badArgument", f"Ensemble inconnu : « {query['set']} ».")
    selected = [
        r
        for r in items
        if (low is None or r.updated >= low)
        and (high is None or r.updated <= high)
        and ("set" not in query or query["set"] in _set_specs(r))
    ]
    if not selected:
        raise OAIError("noRecordsMatch", "Aucun enregistrement ne correspond à la requête.")
    if offset < 0 or offset >= len(selected):
        raise OAIError("badResumptionToken", "Jeton de reprise hors limites.")
    element = _sub(container, f"{{{OAI_NS}}}{verb}")
    for record in selected[offset : offset + PAGE_SIZE]:
        if verb == "ListRecords":
            _record(element, record)
        else:
            _header(element, record)
    if offset + PAGE_SIZE < len(selected) or offset > 0:
        token = _sub(element, f"{{{OAI_NS}}}resumptionToken", completeListSize=str(len(selected)), cursor=str(offset))
        if offset + PAGE_SIZE < len(selected):
            token.text = _encode_token({"v": verb, "o": offset + PAGE_SIZE, **query})


def _find(identifier: str) -> Innovation:
    key = identifier.removeprefix(ID_PREFIX)
    if identifier.startswith(ID_PREFIX):
        for record in _items():
            if record.key == key:
                return record
    raise OAIError("idDoesNotExist", f"Identifiant inconnu : « {identifier} ».")


def _identify(container: etree._Element) -> None:
    element = _sub(container, f"{{{OAI_NS}}}Identify")
    _sub(element, f"{{{OAI_NS}}}repositoryName", "Banque de projets de la Fondation Sample pour l'Innovation Sociale")
    _sub(element, f"{{{OAI_NS}}}baseURL", _base_url())
    _sub(element, f"{{{OAI_NS}}}protocolVersion", "2.0")
    _sub(element, f"{{{OAI_NS}}}adminEmail", "oai@fondation.example.org")
    _sub(element, f"{{{OAI_NS}}}earliestDatestamp", _stamp(_items()[0].updated))
    _sub(element, f"{{{OAI_NS}}}deletedRecord", "persistent")
    _sub(element, f"{{{OAI_NS}}}granularity", "YYYY-MM-DDThh:mm:ssZ")


def _formats(container: etree._Element) -> None:
    element = _sub(container, f"{{{OAI_NS}}}ListMetadataFormats")
    fmt = _sub(element, f"{{{OAI_NS}}}metadataFormat")
    _sub(fmt, f"{{{OAI_NS}}}metadataPrefix", "oai_dc")
    _sub(fmt, f"{{{OAI_NS}}}schema", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    _sub(fmt, f"{{{OAI_NS}}}metadataNamespace", OAI_DC_NS)


def _sets(container: etree._Element) -> None:
    element = _sub(container, f"{{{OAI_NS}}}ListSets")
    for code, label in THEMES.items():
        entry = _sub(element, f"{{{OAI_NS}}}set")
        _sub(entry, f"{{{OAI_NS}}}setSpec", f"theme:{code}")
        _sub(entry, f"{{{OAI_NS}}}setName", label)


def _arguments() -> tuple[str | None, dict[str, str]]:
    """The verb and the other arguments; repeated or unknown arguments are protocol errors."""
    source = request.form if request.method == "POST" else request.args
    verbs = source.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in _REQUIRED:
        raise OAIError("badVerb", "Verbe absent, répété ou inconnu.")
    verb = verbs[0]
    args: dict[str, str] = {}
    for name in source.keys():
        if name == "verb":
            continue
        values = source.getlist(name)
        if len(values) != 1:
            raise OAIError("badArgument", f"Argument répété : {name}.")
        if name not in _REQUIRED[verb] | _OPTIONAL[verb]:
            raise OAIError("badArgument", f"Argument non autorisé pour {verb} : {name}.")
        args[name] = values[0]
    if "resumptionToken" in args:
        if len(args) != 1:
            raise OAIError("badArgument", "resumptionToken est un argument exclusif.")
    elif not _REQUIRED[verb] <= set(args):
        missing = ", ".join(sorted(_REQUIRED[verb] - set(args)))
        raise OAIError("badArgument", f"Argument obligatoire manquant : {missing}.")
    return verb, args


@blueprint.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    try:
        verb, args = _arguments()
    except OAIError as error:
        # The protocol asks to echo no attributes when the request itself is malformed.
        root, _ = _envelope(None, {})
        _sub(root, f"{{{OAI_NS}}}error", error.message, code=error.code)
        return _respond(root)
    root, _ = _envelope(verb, args)
    try:
        if verb == "Identify":
            _identify(root)
        elif verb == "ListMetadataFormats":
            if "identifier" in args:
                _find(args["identifier"])
            _formats(root)
        elif verb == "ListSets":
            if "resumptionToken" in args:
                raise OAIError("badResumptionToken", "Cette liste d'ensembles tient en une seule réponse.")
            _sets(root)
        elif verb == "GetRecord":
            record = _find(args["identifier"])
            if args["metadataPrefix"] != "oai_dc":
                raise OAIError("cannotDisseminateFormat", "Seul le format oai_dc est proposé.")
            _record(_sub(root, f"{{{OAI_NS}}}GetRecord"), record)
        else:
            _list(verb, args, root)
    except OAIError as error:
        for child in root[2:]:
            root.remove(child)
        if error.code == "badArgument":
            root[1].attrib.clear()
        _sub(root, f"{{{OAI_NS}}}error", error.message, code=error.code)
    return _respond(root)


@blueprint.route("/projets/<key>")
def project_page(key: str) -> Response:
    """The human-readable page that dc:identifier points to."""
    record = next((r for r in platform_records("fondation") if r.key == key), None)
    if record is None:
        abort(404)
    return Response(render_template_string(_PROJECT_PAGE, r=record), mimetype="text/html")


_PROJECT_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ r.title }} – Fondation Sample</title></head>
<body><main><h1>{{ r.title }}</h1><p>{{ r.description }}</p>
<p>Porteur : {{ r.organisation }} – {{ r.commune }} ({{ r.department_code }})</p>
<p><a href="{{ r.website }}">{{ r.website }}</a></p></main></body></html>
"""
