"""OAI-PMH harvesting: incremental ListRecords through every resumption token, resumable after a crash.

- The first harvest takes everything (or from ``harvest.from``); later ones ask for records
  ``from`` the last datestamp seen, written at the repository's granularity (read from Identify).
  ``from`` is inclusive: the records of that datestamp come again and are counted unchanged.
- After each page, the pipeline commits its records together with the resume point (the next
  token, the query, the highest datestamp committed): a harvest killed at any point restarts there.
- An empty ``resumptionToken`` closes the list; ``cursor`` and ``completeListSize`` are not
  trusted (servers count pages or records). A token the repository no longer knows
  (``badResumptionToken``, e.g. expired) restarts the list from the highest datestamp committed if
  the repository sends records in datestamp order, else from the run's own ``from``: nothing is lost.
  More than ``MAX_TOKEN_RESTARTS`` restarts in a row without progress fail the source; a restart
  that got further than the one before (a later datestamp, or more pages) starts the count again,
  so a few expirations spread over a long harvest do not fail it.
- A page that is not well-formed XML (a body cut short) is fetched again, a bounded number of times.
- An OAI-PMH error is read by its code whatever the HTTP status it comes with (some repositories
  answer ``badArgument`` or ``badResumptionToken`` with a 400 or a 500).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from aggregator.harvest.context import HarvestContext
from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.harvest.safe_xml import parse_xml
from aggregator.records import Checkpoint, HarvestedRecord, RecordError

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS}
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
#: Restarts in a row after an expired token, without progress in between, before the source is failed.
MAX_TOKEN_RESTARTS = 5
#: Stops a repository whose tokens never end.
MAX_PAGES = 100_000


class OAIError(HarvestError):
    """An error the repository reported, with its OAI-PMH code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"le dépôt OAI-PMH répond {code} : {message}")
        self.code = code


class MalformedResponseError(HarvestError):
    """A response that is not well-formed XML (often a body cut short in transit)."""


def parse_oai_response(data: bytes, url: str) -> Any:
    """The root of an OAI-PMH response, or a clear error if it is not one."""
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        raise MalformedResponseError(
            f"{url} : réponse XML mal formée ({exc}) ; aucune notice de cette page n'est gardée"
        ) from exc
    if root.tag != f"{{{OAI_NS}}}OAI-PMH":
        raise HarvestError(f"{url} : la réponse n'est pas de l'OAI-PMH (élément racine {root.tag})")
    for error in root.findall("oai:error", NS):
        raise OAIError(error.get("code", "inconnu"), (error.text or "").strip())
    return root


def records_of(root: Any, source_id: str, record_url: str | None = None) -> Iterator[HarvestedRecord | RecordError]:
    for position, record in enumerate(root.iterfind("oai:ListRecords/oai:record", NS), start=1):
        header = record.find("oai:header", NS)
        identifier = header.findtext("oai:identifier", namespaces=NS) if header is not None else None
        if not identifier or not identifier.strip():
            yield RecordError(source_id, f"#{position}", "notice sans identifiant dans l'en-tête : ignorée")
            continue
        yield HarvestedRecord(
            source_id=source_id,
            identifier=identifier.strip(),
            payload=etree.tostring(record, encoding="utf-8", with_tail=False),
            media_type="application/xml",
            datestamp=(header.findtext("oai:datestamp", namespaces=NS) or "").strip() or None,
            deleted=header.get("status") == "deleted",
            url=record_url,
        )


def granularity_of(root: Any) -> str:
    """The granularity an Identify response declares (day if it says nothing usable)."""
    value = (root.findtext("oai:Identify/oai:granularity", namespaces=NS) or "").strip()
    return SECONDS if value == SECONDS else DAY


def normalise_datestamp(value: str) -> str:
    """A datestamp at second granularity, so that datestamps compare as strings."""
    value = value.strip()
    return value + "T00:00:00Z" if len(value) == 10 else value


def at_granularity(datestamp: str, granularity: str) -> str:
    full = normalise_datestamp(datestamp)
    return full[:10] if granularity == DAY else full


def oai_error_in(body: bytes) -> OAIError | None:
    """The OAI-PMH error a response body carries, if it is an OAI-PMH error response."""
    try:
        parse_oai_response(body, "")
    except OAIError as exc:
        return exc
    except HarvestError:
        return None
    return None


def fetch_page(client: HttpClient, url: str, params: dict[str, str]) -> Any:
    """One OAI-PMH response, parsed; a malformed body is fetched again like a failed request.

    An error status whose body is an OAI-PMH error raises that error (``OAIError``, by its code).
    """
    attempts = max(client.settings.http_retries, 1)
    for attempt in range(1, attempts + 1):
        try:
            response = client.get(url, params=params)
        except HarvestError as exc:
            # A 5xx retried in vain: its body may still say, in OAI-PMH, what went wrong.
            error = oai_error_in(exc.response.content) if exc.response is not None else None
            if error is not None:
                raise error from exc
            raise
        if response.status_code != 200:
            error = oai_error_in(response.content)
            if error is not None:
                raise error
            raise HarvestError(f"{response.url} : HTTP {response.status_code}")
        try:
            return parse_oai_response(response.content, response.url)
        except MalformedResponseError:
            if attempt == attempts:
                raise
            client.sleep_before_retry(attempt, None)
    raise AssertionError("unreachable")


def identify(client: HttpClient, url: str) -> str:
    """The repository's granularity; a repository whose Identify is unusable is read at day granularity."""
    try:
        return granularity_of(fetch_page(client, url, {"verb": "Identify"}))
    except OAIError:
        return DAY
    except MalformedResponseError:
        return DAY


def _query_of(ctx: HarvestContext, granularity: str) -> dict[str, str]:
    harvest = ctx.harvest
    query = {
        "verb": "ListRecords",
        "metadataPrefix": str(harvest.get("metadata_prefix") or harvest.get("prefix") or "oai_dc"),
    }
    if harvest.get("set"):
        query["set"] = str(harvest["set"])
    if harvest.get("until"):
        until = str(harvest["until"]).strip()
        # A day given as upper bound covers the whole day.
        until = until + "T23:59:59Z" if len(until) == 10 else until
        query["until"] = at_granularity(until, granularity)
    last = ctx.memory.get("last_datestamp")
    if last and not ctx.full:
        query["from"] = at_granularity(last, granularity)
        ctx.mode = "incremental"
    elif harvest.get("from"):
        query["from"] = at_granularity(str(harvest["from"]), granularity)
    return query


def _fingerprint(ctx: HarvestContext) -> str:
    """What a resume point is only valid for: the same address, prefix, set and bounds."""
    keys = ("metadata_prefix", "prefix", "set", "from", "until")
    wanted = [ctx.source.url, *[str(ctx.harvest.get(k, "")) for k in keys]]
    return hashlib.sha1(json.dumps(wanted).encode()).hexdigest()[:16]


def harvest_oai(ctx: HarvestContext) -> Iterator[HarvestedRecord | RecordError | Checkpoint]:
    source, client = ctx.source, ctx.client
    granularity = identify(client, source.url)
    resume = ctx.resume if ctx.resume and ctx.resume.get("fingerprint") == _fingerprint(ctx) else None
    if resume:
        ctx.mode = "resumed"
        query: dict[str, str] = dict(resume["query"])
        token: str | None = resume.get("token")
        highest: str | None = resume.get("highest")
        ordered: bool = resume.get("ordered", True)
        restarts: int = resume.get("restarts", 0)
    else:
        query, token, highest, ordered, restarts = _query_of(ctx, granularity), None, None, True, 0
    last_seen: str | None = None
    # Progress since the last restart: pages taken, and how far the pass before it had got.
    pass_pages, reach, mark = 0, 0, highest
    for _page in range(MAX_PAGES):
        params = {"verb": "ListRecords", "resumptionToken": token} if token else query
        try:
            root = fetch_page(client, source.url, params)
        except OAIError as exc:
            if exc.code == "noRecordsMatch":
                break
            if exc.code != "badResumptionToken" or not token:
                raise
            restarts += 1
            if restarts > MAX_TOKEN_RESTARTS:
                raise HarvestError(
                    f"{source.url} : jeton de reprise refusé {restarts} fois de suite sans que la moisson avance "
                    f"({exc}) ; réessayez plus tard"
                ) from exc
            pass_pages, reach, mark = 0, pass_pages, highest
            # Restart the list: from the highest datestamp committed if the repository sends records
            # in datestamp order (nothing older can still come), else from this run's own start.
            if ordered and highest:
                query = {**query, "from": at_granularity(highest, granularity)}
            where = query.get("from", "le début")
            ctx.warnings.append(f"jeton de reprise refusé ({exc.code}) : liste reprise depuis {where}")
            token = None
            continue
        for record in records_of(root, source.id):
            if isinstance(record, HarvestedRecord) and record.datestamp:
                stamp = normalise_datestamp(record.datestamp)
                if last_seen is not None and stamp < last_seen:
                    ordered = False
                last_seen = stamp
                highest = max(highest or stamp, stamp)
            yield record
        pass_pages += 1
        if restarts and (pass_pages > reach or (highest and mark and highest > mark) or (highest and not mark)):
            restarts = 0  # got further than before the last restart: that expiry is behind us
        element = root.find("oai:ListRecords/oai:resumptionToken", NS)
        next_token = (element.text or "").strip() if element is not None else ""
        if next_token and next_token == token:
            raise HarvestError(f"{source.url} : le dépôt renvoie le même jeton de reprise « {token} » (boucle)")
        token = next_token or None
        if token is None:
            break
        yield Checkpoint(
            resume={
                "fingerprint": _fingerprint(ctx),
                "query": query,
                "token": token,
                "highest": highest,
                "ordered": ordered,
                "restarts": restarts,
            }
        )
    else:
        raise HarvestError(f"{source.url} : plus de {MAX_PAGES} pages, moisson arrêtée")
    previous = ctx.memory.get("last_datestamp") if not ctx.full else None
    newest = max(filter(None, (highest, previous and normalise_datestamp(previous))), default=None)
    yield Checkpoint(memory={"last_datestamp": newest} if newest else {}, final=True)
