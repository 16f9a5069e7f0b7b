"""Open-data files: CSV (delimiter and encoding detected) and JSON, one record per row or item."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.records import HarvestedRecord
from aggregator.sources import Source
from aggregator.text import decode_text


def rows_of_csv(data: bytes, delimiter: str | None = None) -> list[dict[str, str]]:
    text = decode_text(data)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:20_000], delimiters=";,\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def items_of_json(data: bytes, items_path: str | None) -> list[Any]:
    try:
        document = json.loads(decode_text(data))
    except ValueError as exc:
        raise HarvestError(f"JSON illisible : {exc}") from exc
    for key in items_path.split(".") if items_path else []:
        if not isinstance(document, dict) or key not in document:
            raise HarvestError(f"la clé « {key} » du chemin « {items_path} » est absente du JSON")
        document = document[key]
    if not isinstance(document, list):
        raise HarvestError("le JSON ne contient pas de liste d'éléments à cet endroit (réglez harvest.items)")
    return document


def harvest_file(source: Source, client: HttpClient) -> Iterator[HarvestedRecord]:
    response = client.get(source.url)
    if response.status_code != 200:
        raise HarvestError(f"{source.url} : HTTP {response.status_code}")
    if source.kind == "csv":
        items: list[Any] = rows_of_csv(response.content, source.harvest.get("delimiter"))
    else:
        items = items_of_json(response.content, source.harvest.get("items"))
    id_field = source.harvest.get("id")
    for item in items:
        payload = json.dumps(item, ensure_ascii=False, sort_keys=True).encode("utf-8")
        key = item.get(id_field) if isinstance(item, dict) and id_field else None
        identifier = str(key) if key not in (None, "") else "sha1:" + hashlib.sha1(payload).hexdigest()
        yield HarvestedRecord(source.id, identifier, payload, "application/json", url=source.url)
