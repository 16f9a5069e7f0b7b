"""OAI-PMH harvesting: ListRecords through every resumption token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.harvest.safe_xml import parse_xml
from aggregator.records import HarvestedRecord, RecordError
from aggregator.sources import Source

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS}


class OAIError(HarvestError):
    """An error the repository reported, with its OAI-PMH code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"le dépôt OAI-PMH répond {code} : {message}")
        self.code = code


def parse_oai_response(data: bytes, url: str) -> Any:
    """The root of an OAI-PMH response, or a clear error if it is not one."""
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        raise HarvestError(
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
            payload=etree.tostring(record, encoding="utf-8"),
            media_type="application/xml",
            datestamp=(header.findtext("oai:datestamp", namespaces=NS) or "").strip() or None,
            deleted=header.get("status") == "deleted",
            url=record_url,
        )


def harvest_oai(source: Source, client: HttpClient) -> Iterator[HarvestedRecord | RecordError]:
    params = {"verb": "ListRecords", "metadataPrefix": source.harvest.get("metadata_prefix", "oai_dc")}
    if source.harvest.get("set"):
        params["set"] = source.harvest["set"]
    while True:
        response = client.get(source.url, params=params)
        if response.status_code != 200:
            raise HarvestError(f"{response.url} : HTTP {response.status_code}")
        try:
            root = parse_oai_response(response.content, response.url)
        except OAIError as exc:
            if exc.code == "noRecordsMatch":
                return
            raise
        yield from records_of(root, source.id)
        token = root.find("oai:ListRecords/oai:resumptionToken", NS)
        if token is None or not (token.text or "").strip():
            return
        params = {"verb": "ListRecords", "resumptionToken": token.text.strip()}
