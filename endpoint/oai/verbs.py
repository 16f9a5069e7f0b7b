"""The six OAI-PMH verbs and their errors, over the aggregate's publication listing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from aggregator.enrich.themes import THEMES_NS
from aggregator.innovation_graph import CIS, DCT
from aggregator.store.oxigraph import graph_iri
from endpoint.app import Carrefour, carrefour
from endpoint.oai.dublin_core import OAI_DC_NS, OAI_DC_SCHEMA, oai_dc
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
    utc_now,
)
from endpoint.oai.tokens import BadTokenError, ListState, TokenCodec, load_secret

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}

#: verb -> (required arguments, optional arguments, exclusive argument)
VERBS: dict[str, tuple[set[str], set[str], str | None]] = {
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Context:
    app: Carrefour
    arguments: dict[str, str]

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
            codec = TokenCodec(load_secret(self.settings.data_dir))
            self.app.extra["oai_codec"] = codec
        return codec  # type: ignore[return-value]


def base_url() -> str:
    return f"{carrefour().settings.base_url}/oai"


def handle(pairs: list[tuple[str, str]], bad_post: bool = False) -> bytes:
    """Answer one OAI-PMH request given its arguments in order; protocol errors are OAI-PMH errors."""
    arguments: dict[str, str] = {}
    repeated = sorted({k for k, _ in pairs if sum(1 for k2, _ in pairs if k2 == k) > 1})
    for key, value in pairs:
        arguments.setdefault(key, value)
    verb = arguments.get("verb")
    if bad_post:
        root = envelope(base_url(), None)
        error(root, "badArgument", "Une requête POST doit être encodée en application/x-www-form-urlencoded.")
        return to_bytes(root)
    if "verb" in repeated:
        root = envelope(base_url(), None)
        error(root, "badVerb", "Le paramètre verb est répété.")
        return to_bytes(root)
    if verb not in VERBS:
        root = envelope(base_url(), None)
        message = "Le paramètre verb manque." if verb is None else f"Verbe inconnu : « {verb} »."
        error(root, "badVerb", message + " Verbes permis : " + ", ".join(VERBS) + ".")
        return to_bytes(root)
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
    if problems:
        root = envelope(base_url(), None)
        error(root, "badArgument", "; ".join(problems) + ".")
        return to_bytes(root)

    ctx = Context(carrefour(), arguments)
    root = envelope(base_url(), arguments)
    try:
        HANDLERS[verb](ctx, root)
    except OAIError as exc:
        if exc.code == "badArgument":
            root = envelope(base_url(), None)
        else:
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
    etree.SubElement(element, q("earliestDatestamp")).text = ctx.listing.earliest_datestamp() or utc_now()
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
        if ctx.listing.published_row(record_id) is None:
            raise OAIError("idDoesNotExist", f"Aucune notice n'a l'identifiant « {identifier} ».")
    element = etree.SubElement(root, q("ListMetadataFormats"))
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        fmt = etree.SubElement(element, q("metadataFormat"))
        etree.SubElement(fmt, q("metadataPrefix")).text = prefix
        etree.SubElement(fmt, q("schema")).text = schema
        etree.SubElement(fmt, q("metadataNamespace")).text = namespace


# ListSets -------------------------------------------------------------------------------
def set_specs(ctx: Context) -> list[tuple[str, str]]:
    """(setSpec, setName) of every set: the sources and the themes found in the aggregate."""
    labels = ctx.app.labels
    state_specs = getattr(ctx.listing, "set_specs", None)
    specs: set[str] = set()
    if callable(state_specs):
        specs.update(state_specs())
    else:
        # Derived from the store: every source and every theme that some record carries.
        specs.update(f"source:{sid}" for sid in labels.sources)
        store = ctx.app.aggregate.store
        source_ns = f"{ctx.settings.base_url}/id/source/"
        for row in store.query(  # type: ignore[attr-defined]
            f"SELECT DISTINCT ?s WHERE {{ ?i a <{CIS}SocialInnovation> ; <{DCT}source> ?s }}"
        ):
            if row["s"].value.startswith(source_ns):
                specs.add("source:" + row["s"].value[len(source_ns) :])
        for row in store.query(f"SELECT DISTINCT ?t WHERE {{ ?i <{CIS}theme> ?t }}"):  # type: ignore[attr-defined]
            if row["t"].value.startswith(THEMES_NS):
                specs.add("theme:" + row["t"].value[len(THEMES_NS) :].replace("/", ":"))
    named = []
    for spec in sorted(specs):
        kind, _, rest = spec.partition(":")
        if kind == "source":
            name = f"Source : {labels.source(rest)}"
        elif kind == "theme":
            name = f"Thématique : {labels.theme(rest.replace(':', '/'))}"
        else:
            name = spec
        named.append((spec, name))
    return named


def list_sets(ctx: Context, root: etree._Element) -> None:
    if "resumptionToken" in ctx.arguments:
        raise OAIError("badResumptionToken", "La liste des ensembles tient en une réponse : aucun jeton n'est attendu.")
    specs = set_specs(ctx)
    if not specs:
        raise OAIError("noSetHierarchy", "L'entrepôt est vide : il n'a encore aucun ensemble.")
    element = etree.SubElement(root, q("ListSets"))
    for spec, name in specs:
        item = etree.SubElement(element, q("set"))
        etree.SubElement(item, q("setSpec")).text = spec
        etree.SubElement(item, q("setName")).text = name


# GetRecord ------------------------------------------------------------------------------
def get_record(ctx: Context, root: etree._Element) -> None:
    _check_prefix(ctx.arguments["metadataPrefix"])
    identifier = ctx.arguments["identifier"]
    record_id = ctx.record_id(identifier)
    row = ctx.listing.published_row(record_id)
    if row is None:
        raise OAIError("idDoesNotExist", f"Aucune notice n'a l'identifiant « {identifier} ».")
    element = etree.SubElement(root, q("GetRecord"))
    _record(ctx, element, row)


# ListIdentifiers / ListRecords ----------------------------------------------------------
def list_identifiers(ctx: Context, root: etree._Element) -> None:
    _list(ctx, root, "ListIdentifiers")


def list_records(ctx: Context, root: etree._Element) -> None:
    _list(ctx, root, "ListRecords")


def _list(ctx: Context, root: etree._Element, verb: str) -> None:
    args = ctx.arguments
    token = args.get("resumptionToken")
    if token is not None:
        try:
            state = ctx.codec().decode(token, verb)
        except BadTokenError as exc:
            raise OAIError("badResumptionToken", f"Jeton de reprise refusé : {exc}.") from exc
    else:
        _check_prefix(args["metadataPrefix"])
        from_, until = _date_range(args.get("from"), args.get("until"))
        state = ListState(verb, args["metadataPrefix"], from_, until, args.get("set") or None, None, 0)
    page_size = max(1, int(ctx.settings.oai_page_size))
    rows = ctx.listing.published_page(state.after, page_size + 1, state.from_, state.until, state.set_spec)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not rows:
        if token is not None:
            raise OAIError("badResumptionToken", "Ce jeton de reprise ne mène plus à aucune notice.")
        raise OAIError("noRecordsMatch", "Aucune notice ne correspond à ces critères (from, until, set).")
    element = etree.SubElement(root, q(verb))
    for row in rows:
        if verb == "ListRecords":
            _record(ctx, element, row)
        else:
            header(element, ctx.oai_identifier(row.record_id), row.datestamp, row.sets, row.deleted)
    if more or token is not None:
        size = ctx.listing.count_published(state.from_, state.until, state.set_spec)
        next_token = ""
        if more:
            last = rows[-1]
            next_token = ctx.codec().encode(
                ListState(
                    verb,
                    state.metadata_prefix,
                    state.from_,
                    state.until,
                    state.set_spec,
                    (last.datestamp, last.record_id),
                    state.cursor + len(rows),
                )
            )
        resumption_token(element, next_token, max(size, state.cursor + len(rows)), state.cursor)


def _record(ctx: Context, parent: etree._Element, row) -> None:  # type: ignore[no-untyped-def]
    record = etree.SubElement(parent, q("record"))
    header(record, ctx.oai_identifier(row.record_id), row.datestamp, row.sets, row.deleted)
    if row.deleted:
        return
    uri = ctx.app.aggregate.record_uri(row.record_id)
    triples = ctx.app.aggregate.store.graph_triples(graph_iri(uri))
    if not triples:
        return
    metadata = etree.SubElement(record, q("metadata"))
    metadata.append(oai_dc(uri, triples, ctx.app.aggregate.themes, ctx.app.labels.source(row.source_id)))


def _check_prefix(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            f"Format « {prefix} » non disponible ; formats proposés : {', '.join(METADATA_FORMATS)}.",
        )


def _date_range(from_: str | None, until: str | None) -> tuple[str | None, str | None]:
    def parse(value: str, name: str, end_of_day: bool) -> tuple[str, str]:
        if _DAY.match(value):
            fmt, full = "%Y-%m-%d", value + ("T23:59:59Z" if end_of_day else "T00:00:00Z")
        elif _SECOND.match(value):
            fmt, full = "%Y-%m-%dT%H:%M:%SZ", value
        else:
            raise OAIError("badArgument", f"{name} « {value} » n'est pas une date AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ.")
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            raise OAIError("badArgument", f"{name} « {value} » n'est pas une date valide.") from None
        return full, "day" if fmt == "%Y-%m-%d" else "second"

    f = parse(from_, "from", False) if from_ else None
    u = parse(until, "until", True) if until else None
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
