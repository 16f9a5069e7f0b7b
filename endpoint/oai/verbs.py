"""The six OAI-PMH verbs and their errors, over the aggregate's publication listing.

See docs/oai-pmh.md for what a partner can rely on: identifiers, formats, sets, datestamps,
deleted records, and how resumption tokens behave when records change during a harvest.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyoxigraph as ox
from flask import request
from lxml import etree

from aggregator.enrich.themes import THEMES_NS
from aggregator.innovation_graph import CIS, OWL
from aggregator.listing import PublishedRow
from aggregator.store.oxigraph import graph_iri
from aggregator.text import slugify
from endpoint.app import Carrefour, carrefour
from endpoint.oai.dublin_core import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA, oai_dc
from endpoint.oai.rdf_xml import RDF_NS, RDF_SCHEMA, rdf_xml
from endpoint.oai.responses import (
    OAI_ID_NS,
    OAI_ID_SCHEMA,
    XSI_NS,
    envelope,
    error,
    header,
    q,
    resumption_token,
    to_bytes,
    valid_argument,
)
from endpoint.oai.tokens import BadTokenError, ListState, TokenCodec, load_secret, now_utc

log = logging.getLogger(__name__)

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
#: metadataPrefix -> (schema, namespace)
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS), "rdf": (RDF_SCHEMA, RDF_NS)}

#: verb -> (required arguments, optional arguments, exclusive argument)
VERBS: dict[str, tuple[set[str], set[str], str | None]] = {
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}

#: Display names of the roots of the set hierarchy, and how their children are named.
SET_ROOTS = {"source": ("Sources", "Source"), "theme": ("Thématiques", "Thématique"), "region": ("Régions", "Région")}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Context:
    app: Carrefour
    arguments: dict[str, str]
    now: datetime = field(default_factory=now_utc)

    @property
    def response_date(self) -> str:
        return self.now.strftime(_STAMP)

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.app.settings

    @property
    def listing(self):  # type: ignore[no-untyped-def]
        return self.app.aggregate.listing

    def oai_identifier(self, record_id: str) -> str:
        return f"oai:{self.settings.oai_domain}:{record_id}"

    def record_id(self, identifier: str) -> str:
        prefix = f"oai:{self.settings.oai_domain}:"
        if not identifier.startswith(prefix) or len(identifier) == len(prefix):
            raise OAIError("idDoesNotExist", f"L'identifiant « {identifier} » n'est pas de la forme {prefix}<id>.")
        return identifier[len(prefix) :]

    def codec(self) -> TokenCodec:
        codec = self.app.extra.get("oai_codec")
        if codec is None:
            codec = TokenCodec(load_secret(self.settings.data_dir), timedelta(seconds=self.settings.oai_token_lifetime))
            self.app.extra["oai_codec"] = codec
        return codec  # type: ignore[return-value]


def base_url() -> str:
    """The provider's address for Identify's baseURL and <request>: the ``public_url`` setting when
    the portal sits behind a proxy (a Host header is the client's word, not ours), else the address
    the request reached. Not ``base_url``: that is where URIs were minted, which may have moved.
    """
    public = carrefour().settings.public_url
    return (public.rstrip("/") + "/oai") if public else request.url_root + "oai"


def handle(pairs: list[tuple[str, str]], bad_post: bool = False) -> bytes:
    """Answer one OAI-PMH request given its arguments in order; protocol errors are OAI-PMH errors."""
    now = now_utc()
    response_date = now.strftime(_STAMP)
    bare = envelope(base_url(), None, response_date)

    def fail(code: str, message: str) -> bytes:
        # badVerb and badArgument: the request is not echoed, only the base URL.
        error(bare, code, message)
        return to_bytes(bare)

    counts: dict[str, int] = {}
    arguments: dict[str, str] = {}
    for key, value in pairs:
        counts[key] = counts.get(key, 0) + 1
        arguments.setdefault(key, value)
    repeated = sorted(k for k, n in counts.items() if n > 1)
    verb = arguments.get("verb")
    if bad_post:
        return fail("badArgument", "Une requête POST doit être encodée en application/x-www-form-urlencoded.")
    if "verb" in repeated:
        return fail("badVerb", "Le paramètre verb est répété.")
    if verb not in VERBS:
        message = "Le paramètre verb manque." if verb is None else f"Verbe inconnu : « {verb} »."
        return fail("badVerb", message + " Verbes permis : " + ", ".join(VERBS) + ".")
    required, optional, exclusive = VERBS[verb]
    given = set(arguments) - {"verb"}
    problems = []
    if repeated:
        problems.append("argument(s) répété(s) : " + ", ".join(repeated))
    illegal = sorted(given - required - optional - ({exclusive} if exclusive else set()))
    if illegal:
        problems.append("argument(s) non permis pour " + verb + " : " + ", ".join(illegal))
    if exclusive and exclusive in given:
        if given - {exclusive} - set(illegal):
            problems.append(f"{exclusive} doit être le seul argument avec verb")
    else:
        missing = sorted(required - given)
        if missing:
            problems.append("argument(s) obligatoire(s) manquant(s) : " + ", ".join(missing))
    for name in ("metadataPrefix", "set", "resumptionToken"):
        if name in given and name not in illegal and not valid_argument(name, arguments[name]):
            problems.append(f"valeur de {name} vide ou de syntaxe illégale")
    if "identifier" in given and "identifier" not in illegal and not arguments["identifier"]:
        problems.append("valeur de identifier vide")
    if problems:
        return fail("badArgument", "; ".join(problems) + ".")

    ctx = Context(carrefour(), arguments, now)
    root = envelope(base_url(), arguments, response_date)
    try:
        HANDLERS[verb](ctx, root)
    except OAIError as exc:
        if exc.code in ("badArgument", "badVerb"):
            return fail(exc.code, exc.message)
        # Errors leave only responseDate, request and the error(s) in the response.
        for child in list(root)[2:]:
            root.remove(child)
        error(root, exc.code, exc.message)
    return to_bytes(root)


# Identify -------------------------------------------------------------------------------
def identify(ctx: Context, root: etree._Element) -> None:
    s = ctx.settings
    element = etree.SubElement(root, q("Identify"))
    etree.SubElement(element, q("repositoryName")).text = s.repository_name
    etree.SubElement(element, q("baseURL")).text = base_url()
    etree.SubElement(element, q("protocolVersion")).text = "2.0"
    etree.SubElement(element, q("adminEmail")).text = s.admin_email
    etree.SubElement(element, q("earliestDatestamp")).text = ctx.listing.earliest_datestamp() or ctx.response_date
    etree.SubElement(element, q("deletedRecord")).text = "persistent"
    etree.SubElement(element, q("granularity")).text = GRANULARITY
    description = etree.SubElement(element, q("description"))
    ident = etree.SubElement(description, f"{{{OAI_ID_NS}}}oai-identifier", nsmap={None: OAI_ID_NS, "xsi": XSI_NS})
    ident.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_ID_NS} {OAI_ID_SCHEMA}")
    etree.SubElement(ident, f"{{{OAI_ID_NS}}}scheme").text = "oai"
    etree.SubElement(ident, f"{{{OAI_ID_NS}}}repositoryIdentifier").text = s.oai_domain
    etree.SubElement(ident, f"{{{OAI_ID_NS}}}delimiter").text = ":"
    first = ctx.listing.published_page(None, 1)
    sample = first[0].record_id if first else "source-0123456789abcdef"
    etree.SubElement(ident, f"{{{OAI_ID_NS}}}sampleIdentifier").text = ctx.oai_identifier(sample)


# ListMetadataFormats --------------------------------------------------------------------
def list_metadata_formats(ctx: Context, root: etree._Element) -> None:
    identifier = ctx.arguments.get("identifier")
    if identifier is not None:
        record_id = ctx.record_id(identifier)
        row = ctx.listing.published_row(record_id)
        if row is None:
            raise OAIError("idDoesNotExist", f"Aucune notice n'a l'identifiant « {identifier} ».")
        # A tombstone is disseminated (as a deleted header) in every format; a live row whose
        # graph is missing from the store (a store being rebuilt) has nothing to disseminate.
        if not row.deleted and not _triples(ctx, row.record_id):
            raise OAIError("noMetadataFormats", f"La notice « {identifier} » n'a, pour l'instant, aucune métadonnée.")
    element = etree.SubElement(root, q("ListMetadataFormats"))
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        fmt = etree.SubElement(element, q("metadataFormat"))
        etree.SubElement(fmt, q("metadataPrefix")).text = prefix
        etree.SubElement(fmt, q("schema")).text = schema
        etree.SubElement(fmt, q("metadataNamespace")).text = namespace


# ListSets -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SetInfo:
    spec: str
    name: str
    description: str
    identifier: str = ""
    coverage: str = ""


def set_catalogue(ctx: Context) -> list[SetInfo]:
    """Every set with at least one record: the roots (source, theme, region) and their members."""
    labels = ctx.app.labels
    specs = ctx.listing.set_specs()
    named = ctx.listing.set_names()
    regions: dict[str, str] | None = None
    out = []
    for spec in specs:
        kind, _, rest = spec.partition(":")
        if not rest:
            plural = SET_ROOTS.get(kind, (kind, kind))[0]
            out.append(SetInfo(spec, plural, f"Innovations sociales classées par {plural.lower()}."))
        elif kind == "source":
            label = labels.source(rest)
            out.append(
                SetInfo(
                    spec,
                    f"Source : {label}",
                    f"Innovations sociales moissonnées sur la plateforme « {label} ».",
                    labels.source_homepage(rest) or f"{ctx.app.aggregate.settings.base_url}/id/source/{rest}",
                )
            )
        elif kind == "theme":
            code = rest.replace(":", "/")
            label = labels.theme(code)
            out.append(
                SetInfo(
                    spec,
                    f"Thématique : {label}",
                    f"Innovations sociales de la thématique « {label} ».",
                    THEMES_NS + code,
                )
            )
        elif kind == "region":
            name = named.get(spec)
            if name is None:
                regions = _region_names(ctx) if regions is None else regions
                name = regions.get(rest, rest)
            out.append(SetInfo(spec, f"Région : {name}", f"Innovations sociales situées en région {name}.", "", name))
        else:
            out.append(SetInfo(spec, named.get(spec, spec), f"Ensemble « {spec} »."))
    return out


def _region_names(ctx: Context) -> dict[str, str]:
    """slug -> name of the regions found in the store (when the listing has not kept their names)."""
    rows = ctx.app.aggregate.store.query(f"SELECT DISTINCT ?r WHERE {{ ?p <{CIS}region> ?r }}")
    return {slugify(row["r"].value): row["r"].value for row in rows}  # type: ignore[attr-defined]


def list_sets(ctx: Context, root: etree._Element) -> None:
    if "resumptionToken" in ctx.arguments:
        raise OAIError("badResumptionToken", "La liste des ensembles tient en une réponse : aucun jeton n'est attendu.")
    sets = set_catalogue(ctx)
    if not sets:
        raise OAIError("noSetHierarchy", "L'entrepôt est vide : il n'a encore aucun ensemble.")
    element = etree.SubElement(root, q("ListSets"))
    for info in sets:
        item = etree.SubElement(element, q("set"))
        etree.SubElement(item, q("setSpec")).text = info.spec
        etree.SubElement(item, q("setName")).text = info.name
        description = etree.SubElement(item, q("setDescription"))
        dc = etree.SubElement(
            description, f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
        )
        dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
        for name, value in (
            ("title", info.name),
            ("description", info.description),
            ("identifier", info.identifier),
            ("coverage", info.coverage),
        ):
            if value:
                node = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
                node.text = value
                if name in ("title", "description"):
                    node.set("{http://www.w3.org/XML/1998/namespace}lang", "fr")


# GetRecord ------------------------------------------------------------------------------
def get_record(ctx: Context, root: etree._Element) -> None:
    _check_prefix(ctx.arguments["metadataPrefix"])
    identifier = ctx.arguments["identifier"]
    record_id = ctx.record_id(identifier)
    row = ctx.listing.published_row(record_id)
    if row is None:
        raise OAIError("idDoesNotExist", f"Aucune notice n'a l'identifiant « {identifier} ».")
    prefix = ctx.arguments["metadataPrefix"]
    content = None if row.deleted else _metadata(ctx, row, prefix)
    if not row.deleted and content is None:
        # Never a live record without <metadata>: the item cannot be disseminated in this format.
        raise OAIError(
            "cannotDisseminateFormat",
            f"La notice « {identifier} » n'a, pour l'instant, aucune métadonnée à servir en {prefix} "
            "(l'erreur est consignée).",
        )
    element = etree.SubElement(root, q("GetRecord"))
    _record(element, ctx, row, content)


# ListIdentifiers / ListRecords ----------------------------------------------------------
def list_identifiers(ctx: Context, root: etree._Element) -> None:
    _list(ctx, root, "ListIdentifiers")


def list_records(ctx: Context, root: etree._Element) -> None:
    _list(ctx, root, "ListRecords")


def _list(ctx: Context, root: etree._Element, verb: str) -> None:
    """One page of a list; the list is a snapshot by datestamp, frozen at its first page.

    The first request fixes ``until`` to its own time (or the harvester's until, if earlier) and
    counts the list once; every later page reads the next keyset range below that bound. A record
    changed during the harvest gets a datestamp after the bound: if it was already delivered it is
    not repeated, if not it is delivered by the next incremental harvest (from = responseDate of
    this harvest's first response), which is how OAI-PMH harvesters work anyway.
    """
    args = ctx.arguments
    token = args.get("resumptionToken")
    page_size = max(1, int(ctx.settings.oai_page_size))
    if token is not None:
        try:
            state = ctx.codec().decode(token, verb)
        except BadTokenError as exc:
            raise OAIError("badResumptionToken", f"Jeton de reprise refusé : {exc}.") from exc
        if state.metadata_prefix not in METADATA_FORMATS:
            raise OAIError("badResumptionToken", "Ce jeton de reprise nomme un format qui n'est plus proposé.")
    else:
        prefix = args["metadataPrefix"]
        _check_prefix(prefix)
        from_, until = _date_range(args.get("from"), args.get("until"))
        set_spec = args.get("set")
        if set_spec and not ctx.listing.has_sets():
            raise OAIError("noSetHierarchy", "L'entrepôt est vide : il n'a encore aucun ensemble.")
        snapshot = min(until, ctx.response_date) if until else ctx.response_date
        state = ListState(verb, prefix, from_, snapshot, set_spec, None, 0, 0, until)
    rows = ctx.listing.published_page(state.after, page_size + 1, state.from_, state.until, state.set_spec)
    widened = min(state.requested_until, ctx.response_date) if state.requested_until else ctx.response_date
    if not rows and token is not None and state.until is not None and state.until < widened:
        # Every record left in the snapshot changed since the first page (their datestamps moved
        # past the bound): rather than an empty page, which OAI-PMH cannot express, go on with
        # them, never past the harvester's own until.
        state = dataclasses.replace(state, until=widened)
        rows = ctx.listing.published_page(state.after, page_size + 1, state.from_, state.until, state.set_spec)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not rows:
        if token is not None:
            raise OAIError("noRecordsMatch", "La liste s'est vidée pendant la moisson : il ne reste aucune notice.")
        raise OAIError("noRecordsMatch", "Aucune notice ne correspond à ces critères (from, until, set).")
    if token is None and more:
        # Counted once, at the first page, and carried in the token: COUNT(*) costs the list's length.
        size = ctx.listing.count_published(state.from_, state.until, state.set_spec)
        state = dataclasses.replace(state, complete_list_size=size)
    entries = _deliverable(ctx, rows, verb, state.metadata_prefix)
    while not entries and more:
        # Every record of this page had to be left out (logged): read on rather than send an empty list.
        last = rows[-1]
        state = dataclasses.replace(state, after=(last.datestamp, last.record_id), cursor=state.cursor + len(rows))
        rows = ctx.listing.published_page(state.after, page_size + 1, state.from_, state.until, state.set_spec)
        more = len(rows) > page_size
        rows = rows[:page_size]
        entries = _deliverable(ctx, rows, verb, state.metadata_prefix)
    if not entries:
        raise OAIError("noRecordsMatch", "Aucune des notices qui restent ne peut être servie pour l'instant.")
    element = etree.SubElement(root, q(verb))
    for row, content in entries:
        if verb == "ListRecords":
            _record(element, ctx, row, content)
        else:
            header(element, ctx.oai_identifier(row.record_id), row.datestamp, row.sets, row.deleted)
    if more or token is not None:
        delivered = state.cursor + len(rows)
        next_token = ""
        if more:
            last = rows[-1]
            next_token = ctx.codec().encode(
                dataclasses.replace(state, after=(last.datestamp, last.record_id), cursor=delivered)
            )
            # The count is of the snapshot at the first page: records that changed since may have left
            # it, so never announce fewer than what is delivered plus the next record we saw.
            size = max(state.complete_list_size, delivered + 1)
        else:
            size = delivered  # the last page knows the exact size of what was delivered
        resumption_token(element, next_token, size, state.cursor, ctx.codec().expiration(ctx.now) if more else None)


def _triples(ctx: Context, record_id: str) -> list:  # type: ignore[type-arg]
    return ctx.app.aggregate.store.graph_triples(graph_iri(ctx.app.aggregate.record_uri(record_id)))


def _deliverable(
    ctx: Context, rows: list[PublishedRow], verb: str, prefix: str
) -> list[tuple[PublishedRow, etree._Element | None]]:
    """The rows of a page that can be sent, with their metadata (ListRecords); a live row with no
    metadata to give is left out of the list (and logged as an error) rather than sent bare."""
    out = []
    for row in rows:
        if row.deleted:
            out.append((row, None))
        elif verb == "ListRecords":
            content = _metadata(ctx, row, prefix)
            if content is not None:
                out.append((row, content))
        elif _triples(ctx, row.record_id):
            out.append((row, None))
        else:
            _log_missing_graph(ctx, row)
    return out


def _log_missing_graph(ctx: Context, row: PublishedRow) -> None:
    aggregate = ctx.app.aggregate
    log.error(
        "OAI-PMH : la notice %s est publiée dans la liste mais son graphe %s est absent du triplestore ; "
        "elle n'est pas servie. Les URI contiennent base_url (%s) : les données ont-elles été écrites sous "
        "une autre adresse, ou le triplestore est-il en cours de reconstruction ?",
        row.record_id,
        graph_iri(aggregate.record_uri(row.record_id)),
        aggregate.settings.base_url,
    )


def same_as_links(ctx: Context, uri: str) -> list[ox.Triple]:
    """The owl:sameAs links (graphs of duplicates) where the record is the member or the canonical."""
    prefix = ctx.app.aggregate.duplicates_prefix
    same_as = f"<{OWL}sameAs>"
    rows = ctx.app.aggregate.store.query(
        f"""SELECT DISTINCT ?s ?o WHERE {{
          {{ GRAPH ?g {{ <{uri}> {same_as} ?o }} BIND(<{uri}> AS ?s) }}
          UNION {{ GRAPH ?g {{ ?s {same_as} <{uri}> }} BIND(<{uri}> AS ?o) }}
          FILTER(STRSTARTS(STR(?g), "{prefix}"))
        }}""",
        use_default_graph_as_union=False,
    )
    links = {
        ox.Triple(row["s"], ox.NamedNode(OWL + "sameAs"), row["o"])  # type: ignore[index]
        for row in rows  # type: ignore[attr-defined]
    }
    return sorted(links, key=str)


def _metadata(ctx: Context, row: PublishedRow, prefix: str) -> etree._Element | None:
    """The content of <metadata> of a live record, or None (logged as an error) if it has none to give."""
    uri = ctx.app.aggregate.record_uri(row.record_id)
    triples = _triples(ctx, row.record_id)
    if not triples:
        _log_missing_graph(ctx, row)
        return None
    links = same_as_links(ctx, uri)
    if prefix == "rdf":
        content = rdf_xml(triples + links)
    else:
        related = [t.object.value if t.subject.value == uri else t.subject.value for t in links]
        content = oai_dc(uri, triples, ctx.app.aggregate.themes, ctx.app.labels.source(row.source_id), related)
    if content is None:
        log.error("OAI-PMH : la notice %s ne peut être écrite en %s ; elle n'est pas servie.", row.record_id, prefix)
    return content


def _record(parent: etree._Element, ctx: Context, row: PublishedRow, content: etree._Element | None) -> None:
    """A <record>: a tombstone is a deleted header; a live record always has its <metadata>."""
    record = etree.SubElement(parent, q("record"))
    header(record, ctx.oai_identifier(row.record_id), row.datestamp, row.sets, row.deleted)
    if row.deleted:
        return
    if content is None:
        raise AssertionError(f"notice vivante {row.record_id} sans métadonnées")
    etree.SubElement(record, q("metadata")).append(content)


def _check_prefix(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            f"Format « {prefix} » non disponible ; formats proposés : {', '.join(METADATA_FORMATS)}.",
        )


def _date_range(from_: str | None, until: str | None) -> tuple[str | None, str | None]:
    """from and until as full UTC datestamps, inclusive at both ends (a day runs 00:00:00 to 23:59:59)."""

    def parse(value: str, name: str, end_of_day: bool) -> tuple[str, str]:
        if _DAY.match(value):
            fmt, full = "%Y-%m-%d", value + ("T23:59:59Z" if end_of_day else "T00:00:00Z")
        elif _SECOND.match(value):
            fmt, full = _STAMP, value
        else:
            raise OAIError("badArgument", f"{name} « {value} » n'est pas une date AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ.")
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            raise OAIError("badArgument", f"{name} « {value} » n'est pas une date valide.") from None
        return full, "day" if fmt == "%Y-%m-%d" else "second"

    f = parse(from_, "from", False) if from_ is not None else None
    u = parse(until, "until", True) if until is not None else None
    if f and u:
        if f[1] != u[1]:
            raise OAIError("badArgument", "from et until doivent avoir la même granularité.")
        if f[0] > u[0]:
            raise OAIError("badArgument", "from est postérieur à until.")
    return (f[0] if f else None), (u[0] if u else None)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
