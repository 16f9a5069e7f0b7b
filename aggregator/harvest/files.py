"""Open-data files and APIs: CSV, JSON, XLSX, and paginated JSON APIs; one record per row or item.

- CSV: encoding detected (``harvest.encoding`` to force one), delimiter sniffed among ``; , TAB |``
  (``harvest.delimiter`` to force one).
- JSON: ``harvest.items`` is the dotted path to the list of items (none: the document is the list).
- XLSX: the first sheet (``harvest.sheet``: a name or a 1-based number), first non-empty row as header.
- ``harvest.id`` names the field that identifies an item; without it, an item is keyed by its content.
- A JSON API is followed page by page as ``harvest.paginate`` declares:
  ``{style: page, param: page, start: 1, size_param: per_page, size: 50}``,
  ``{style: offset, param: offset, size_param: limit, size: 50}``, or
  ``{style: next, path: links.next}`` (a URL in the JSON; without ``path``, the HTTP ``Link: rel=next``).
  It stops at a page with no items (or fewer than ``size``). The pipeline commits after each page.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from aggregator.harvest.context import HarvestContext
from aggregator.harvest.http import HarvestError
from aggregator.records import Checkpoint, HarvestedRecord
from aggregator.text import decode_text

#: Stops an API whose pages never end.
MAX_API_PAGES = 10_000


def rows_of_csv(data: bytes, delimiter: str | None = None, encoding: str | None = None) -> list[dict[str, str]]:
    try:
        text = data.decode(encoding) if encoding else decode_text(data)
    except (LookupError, UnicodeDecodeError) as exc:
        raise HarvestError(f"CSV illisible dans l'encodage « {encoding} » : {exc}") from exc
    text = text.lstrip("\ufeff")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:20_000], delimiters=";,\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def _walk(document: Any, path: str | None) -> Any:
    for key in path.split(".") if path else []:
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def _json(data: bytes) -> Any:
    try:
        return json.loads(decode_text(data))
    except ValueError as exc:
        raise HarvestError(f"JSON illisible : {exc}") from exc


def items_of_json(data: bytes | Any, items_path: str | None) -> list[Any]:
    document = _json(data) if isinstance(data, bytes) else data
    for key in items_path.split(".") if items_path else []:
        if not isinstance(document, dict) or key not in document:
            raise HarvestError(f"la clé « {key} » du chemin « {items_path} » est absente du JSON")
        document = document[key]
    if not isinstance(document, list):
        raise HarvestError("le JSON ne contient pas de liste d'éléments à cet endroit (réglez harvest.items)")
    return document


def _cell(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def rows_of_xlsx(data: bytes, sheet: str | int | None = None) -> list[dict[str, Any]]:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise HarvestError("lire un classeur XLSX demande le paquet openpyxl") from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException)
        raise HarvestError(f"classeur XLSX illisible : {exc}") from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif isinstance(sheet, int) or str(sheet).isdigit():
            worksheet = workbook.worksheets[int(sheet) - 1]
        else:
            worksheet = workbook[str(sheet)]
    except (KeyError, IndexError) as exc:
        raise HarvestError(f"feuille « {sheet} » absente du classeur (feuilles : {workbook.sheetnames})") from exc
    rows: list[dict[str, Any]] = []
    header: list[str] | None = None
    for values in worksheet.iter_rows(values_only=True):
        if all(v in (None, "") for v in values):
            continue
        if header is None:
            header = [str(v).strip() if v is not None else "" for v in values]
            continue
        row = {name: _cell(v) for name, v in zip(header, values, strict=False) if name}
        rows.append({k: ("" if v is None else v) for k, v in row.items()})
    workbook.close()
    return rows


def _record(ctx: HarvestContext, item: Any, url: str) -> HarvestedRecord:
    payload = json.dumps(item, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    id_field = ctx.harvest.get("id")
    key = _walk(item, str(id_field)) if isinstance(item, dict) and id_field else None
    identifier = str(key) if key not in (None, "") else "sha1:" + hashlib.sha1(payload).hexdigest()
    return HarvestedRecord(ctx.source.id, identifier, payload, "application/json", url=url)


def _with_params(url: str, params: dict[str, Any]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def harvest_file(ctx: HarvestContext) -> Iterator[HarvestedRecord | Checkpoint]:
    if ctx.source.kind == "json" and ctx.harvest.get("paginate"):
        yield from harvest_api(ctx)
        return
    source, harvest = ctx.source, ctx.harvest
    response = ctx.client.get(source.url)
    if response.status_code != 200:
        raise HarvestError(f"{source.url} : HTTP {response.status_code}")
    if source.kind == "csv":
        items: list[Any] = rows_of_csv(response.content, harvest.get("delimiter"), harvest.get("encoding"))
    elif source.kind == "xlsx":
        items = rows_of_xlsx(response.content, harvest.get("sheet"))
    else:
        items = items_of_json(response.content, harvest.get("items"))
    for item in items:
        yield _record(ctx, item, source.url)
    yield Checkpoint(final=True)


def harvest_api(ctx: HarvestContext) -> Iterator[HarvestedRecord | Checkpoint]:
    source, harvest = ctx.source, ctx.harvest
    paginate = harvest["paginate"]
    if not isinstance(paginate, dict):
        raise HarvestError(f"{source.path} : harvest.paginate doit être un dictionnaire (style: page|offset|next)")
    style = paginate.get("style", "page")
    if style not in ("page", "offset", "next"):
        raise HarvestError(f"{source.path} : harvest.paginate.style « {style} » inconnu (page, offset ou next)")
    param = paginate.get("param", style if style != "next" else "")
    size = int(paginate["size"]) if paginate.get("size") else None
    start = int(paginate.get("start", 1 if style == "page" else 0))

    def url_for(position: int) -> str:
        params: dict[str, Any] = {param: position}
        if size and paginate.get("size_param"):
            params[paginate["size_param"]] = size
        return _with_params(source.url, params)

    position = start
    url: str | None = source.url if style == "next" else url_for(position)
    if ctx.resume and ctx.resume.get("start") == source.url and ctx.resume.get("url"):
        ctx.mode = "resumed"
        url, position = ctx.resume["url"], int(ctx.resume.get("position", start))
    visited: set[str] = set()
    for _page in range(MAX_API_PAGES):
        if url is None or url in visited:
            break
        visited.add(url)
        response = ctx.client.get(url)
        if response.status_code != 200:
            raise HarvestError(f"{url} : HTTP {response.status_code}")
        document = _json(response.content)
        items = items_of_json(document, harvest.get("items"))
        for item in items:
            yield _record(ctx, item, url)
        if style == "next":
            following = _walk(document, paginate.get("path")) if paginate.get("path") else None
            if not following:
                following = response.links.get("next", {}).get("url")
            url = urljoin(url, str(following)) if following else None
        elif not items or (size is not None and len(items) < size):
            url = None
        else:
            position += 1 if style == "page" else len(items)
            url = url_for(position)
        if url:
            yield Checkpoint(resume={"start": source.url, "url": url, "position": position})
    else:
        ctx.warnings.append(f"plus de {MAX_API_PAGES} pages : les suivantes sont ignorées")
    yield Checkpoint(final=True)
