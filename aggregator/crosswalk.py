"""Declarative crosswalks: the ``crosswalk`` section of a source file, applied to one record.

A crosswalk names, for each field of the vocabulary (see ``aggregator.mapped.FIELDS``), where
to find its values in the payload and how to clean them. The language is documented in
``docs/crosswalks.md``; nothing here is specific to one source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from aggregator.harvest.safe_xml import parse_xml
from aggregator.mapped import FIELDS, MappedRecord
from aggregator.records import HarvestedRecord
from aggregator.text import decode_text, french_date, strip_html

SELECTORS = ("xpath", "css", "path", "jsonld", "value")
OPTIONS = ("strip_html", "split", "regex", "map", "date", "join", "default", "absolute_url")


class CrosswalkError(ValueError):
    """A crosswalk that cannot be read: the message names the file, the line and the problem."""


class RecordMappingError(ValueError):
    """A record the crosswalk could not read (for example, its payload is not valid XML)."""


@dataclass(frozen=True)
class FieldRule:
    name: str
    selector: str
    expression: Any
    options: dict[str, Any] = field(default_factory=dict)
    compiled: Any = None


@dataclass(frozen=True)
class Crosswalk:
    version: str
    rules: tuple[FieldRule, ...]
    namespaces: dict[str, str]

    @classmethod
    def from_declaration(cls, declaration: Any, path: Path) -> Crosswalk:
        text = path.read_text(encoding="utf-8") if path.exists() else ""

        def fail(key: str, message: str) -> CrosswalkError:
            return CrosswalkError(f"{path}{_line_of(text, key)} : {message}")

        if not isinstance(declaration, dict) or not isinstance(declaration.get("fields"), dict):
            raise fail("crosswalk", "la section crosswalk doit contenir « fields: »")
        namespaces = declaration.get("namespaces", {}) or {}
        rules = []
        for name, spec in declaration["fields"].items():
            if name not in FIELDS:
                raise fail(f"{name}:", f"champ « {name} » inconnu (champs possibles : {', '.join(FIELDS)})")
            if isinstance(spec, str):
                spec = {"xpath": spec}
            if not isinstance(spec, dict):
                raise fail(f"{name}:", f"le champ « {name} » doit être un dictionnaire (par ex. {{css: h1}})")
            selectors = [key for key in spec if key in SELECTORS]
            unknown = [key for key in spec if key not in SELECTORS and key not in OPTIONS]
            if unknown:
                raise fail(
                    f"{name}:",
                    f"option « {unknown[0]} » inconnue dans « {name} » (options : {', '.join(SELECTORS + OPTIONS)})",
                )
            if len(selectors) != 1:
                raise fail(f"{name}:", f"« {name} » doit avoir exactement un sélecteur parmi {', '.join(SELECTORS)}")
            selector = selectors[0]
            options = {k: v for k, v in spec.items() if k in OPTIONS}
            try:
                compiled = _compile(selector, spec[selector], namespaces)
                if "regex" in options:
                    re.compile(options["regex"])
            except (etree.XPathError, re.error, SyntaxError, ValueError) as exc:
                raise fail(f"{name}:", f"expression invalide dans « {name} » : {exc}") from exc
            rules.append(FieldRule(name, selector, spec[selector], options, compiled))
        if not any(rule.name == "title" for rule in rules):
            raise fail("fields:", "le champ « title » est obligatoire")
        return cls(str(declaration.get("version", "1")), tuple(rules), namespaces)

    def apply(self, record: HarvestedRecord) -> MappedRecord:
        payload = _Payload(record)
        mapped = MappedRecord()
        for rule in self.rules:
            raw = payload.select(rule)
            values = _transform(raw, rule.options, record.url)
            if rule.name not in _MULTI:
                values = values[:1]
            if values:
                mapped.values[rule.name] = values
        if record.url and "url" not in mapped.values:
            mapped.values["url"] = [record.url]
        return mapped


#: Fields that keep every value found; the others keep the first.
_MULTI = {"tags", "partners"}


def _line_of(text: str, key: str) -> str:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key):
            return f", ligne {number}"
    return ""


def _compile(selector: str, expression: Any, namespaces: dict[str, str]) -> Any:
    if selector == "xpath":
        return etree.XPath(expression, namespaces=namespaces)
    if selector == "css":
        return CSSSelector(expression, namespaces=namespaces)
    if selector in ("path", "jsonld"):
        return _parse_path(str(expression))
    return expression


_PATH_STEP = re.compile(r"([^.\[\]]+)(?:\[([^\]]*)\])?")


def _parse_path(expression: str) -> list[tuple[str, str | None]]:
    """``a.b[].c``, ``a[0]`` or ``tags[scheme=https://x/y].label``.

    Keys are separated by dots; ``[]`` takes every item, ``[n]`` one item, ``[k=v]`` the items where k is v.
    """
    steps, position = [], 0
    while position < len(expression):
        match = _PATH_STEP.match(expression, position)
        if not match:
            raise ValueError(f"chemin illisible à la position {position} : {expression!r}")
        steps.append((match.group(1), match.group(2)))
        position = match.end()
        if position < len(expression):
            if expression[position] != ".":
                raise ValueError(f"« . » attendu à la position {position} : {expression!r}")
            position += 1
    return steps


def _walk(data: Any, steps: list[tuple[str, str | None]]) -> list[Any]:
    current = [data]
    for key, selector in steps:
        following = []
        for item in current:
            value = item.get(key) if isinstance(item, dict) else None
            if value is None:
                continue
            if selector is None:
                following.append(value)
                continue
            items = value if isinstance(value, list) else [value]
            if selector == "":
                following.extend(items)
            elif selector.lstrip("-").isdigit():
                position = int(selector)
                if -len(items) <= position < len(items):
                    following.append(items[position])
            else:
                wanted_key, _, wanted = selector.partition("=")
                following.extend(i for i in items if isinstance(i, dict) and _as_text(i.get(wanted_key)) == wanted)
        current = following
    flat = []
    for value in current:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _as_text(value: Any) -> str:
    return "null" if value is None else str(value)


class _Payload:
    """The record's payload, parsed once, in whatever form the selectors need."""

    def __init__(self, record: HarvestedRecord) -> None:
        self.record = record
        self._xml: Any = None
        self._html: Any = None
        self._json: Any = None
        self._jsonld: Any = None

    def select(self, rule: FieldRule) -> list[str]:
        if rule.selector == "value":
            values = rule.expression if isinstance(rule.expression, list) else [rule.expression]
            return [str(v) for v in values]
        if rule.selector == "path":
            return [_scalar(v) for v in _walk(self.json(), rule.compiled) if v not in (None, "")]
        if rule.selector == "jsonld":
            found: list[str] = []
            for block in self.jsonld():
                found.extend(_scalar(v) for v in _walk(block, rule.compiled) if v not in (None, ""))
            return found
        tree = self.html() if (rule.selector == "css" or self.record.media_type == "text/html") else self.xml()
        results = rule.compiled(tree)
        if not isinstance(results, list):
            results = [results]
        return [_text_of(r) for r in results]

    def xml(self) -> Any:
        if self._xml is None:
            try:
                self._xml = parse_xml(self.record.payload)
            except etree.XMLSyntaxError as exc:
                raise RecordMappingError(f"XML illisible : {exc}") from exc
        return self._xml

    def html(self) -> Any:
        if self._html is None:
            self._html = lxml.html.document_fromstring(decode_text(self.record.payload))
        return self._html

    def json(self) -> Any:
        if self._json is None:
            try:
                self._json = json.loads(self.record.payload)
            except ValueError as exc:
                raise RecordMappingError(f"JSON illisible : {exc}") from exc
        return self._json

    def jsonld(self) -> list[Any]:
        if self._jsonld is None:
            self._jsonld = []
            for script in self.html().xpath('//script[@type="application/ld+json"]'):
                try:
                    data = json.loads(script.text or "")
                except ValueError:
                    continue  # a broken block is ignored; the page's HTML still maps
                self._jsonld.extend(data if isinstance(data, list) else [data])
        return self._jsonld


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _text_of(result: Any) -> str:
    if isinstance(result, etree._Element):
        return " ".join(" ".join(result.itertext()).split())
    return str(result)


def _transform(values: list[str], options: dict[str, Any], base_url: str | None) -> list[str]:
    if options.get("strip_html"):
        values = [strip_html(v) for v in values]
    if "split" in options:
        values = [part for v in values for part in v.split(options["split"])]
    values = [" ".join(v.split()) for v in values]
    if "regex" in options:
        pattern = re.compile(options["regex"])
        extracted = []
        for v in values:
            match = pattern.search(v)
            if match:
                extracted.append(match.group(1) if match.groups() else match.group(0))
        values = extracted
    if "map" in options:
        table = {str(k): str(v) for k, v in options["map"].items()}
        values = [table.get(v, v) for v in values]
    if options.get("date"):
        values = [d for d in (french_date(v) for v in values) if d]
    if options.get("absolute_url") and base_url:
        values = [urljoin(base_url, v) for v in values]
    values = [v for v in values if v]
    if "join" in options and values:
        values = [str(options["join"]).join(values)]
    if not values and "default" in options:
        values = [str(options["default"])]
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)
