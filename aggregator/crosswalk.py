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
import yaml
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from aggregator.enrich.schemes import SCHEMES
from aggregator.harvest.safe_xml import parse_xml
from aggregator.mapped import (
    FIELDS,
    MULTI_FIELDS,
    ORGANISATION_FIELDS,
    PLACE_FIELDS,
    MappedOrganisation,
    MappedPlace,
    MappedRecord,
)
from aggregator.records import HarvestedRecord
from aggregator.text import decode_text, french_date, strip_html

SELECTORS = ("xpath", "css", "path", "jsonld", "microdata", "value")
#: Selectors of the path syntax (``a.b[].c``), over JSON, JSON-LD blocks or microdata items.
PATH_SELECTORS = ("path", "jsonld", "microdata")
OPTIONS = (
    "strip_html",
    "split",
    "regex",
    "map",
    "date",
    "join",
    "default",
    "absolute_url",
    "lookup",
    "lang",
    "when",
    "if",
)
#: Options that are switches: true or false, nothing else.
BOOLEAN_OPTIONS = ("strip_html", "date", "absolute_url")
#: Options whose value is a text (a YAML number or list there is a mistake, not a value).
TEXT_OPTIONS = ("split", "regex", "join", "default")
BLOCKS = {"organisations": ORGANISATION_FIELDS, "places": PLACE_FIELDS}
ROLES = ("carrier", "partner")
#: Folder of the generic crosswalks (oai_dc, RSS/Atom, schema.org JSON-LD) that a source may ``extends:``.
GENERIC_DIR = Path(__file__).resolve().parent / "crosswalks"
_LANG_TAG = re.compile(r"^(auto|[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*)$")


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
    #: ``if:`` — a selector that must find something for the rule to apply.
    guard: FieldRule | None = None
    #: ``when:`` — (field, compiled pattern): the rule applies when that field matches.
    when: tuple[str, re.Pattern[str]] | None = None


@dataclass(frozen=True)
class BlockRule:
    """An ``organisations:`` or ``places:`` entry: one object per item that ``each`` selects."""

    kind: str
    role: str
    each: FieldRule | None
    rules: tuple[FieldRule, ...]


class _Locator:
    """Real line numbers of the keys of a source file, from the YAML nodes' marks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            self.root = yaml.compose(self.text) if self.text else None
        except yaml.YAMLError:
            self.root = None

    def line(self, *keys: str | int) -> str:
        node, line = self.root, None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == key), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        if line is None:
            return _line_of(self.text, f"{keys[-1]}:") if keys else ""
        return f", ligne {line}"

    def error(self, keys: tuple[str | int, ...], message: str) -> CrosswalkError:
        return CrosswalkError(f"{self.path}{self.line(*keys)} : {message}")


@dataclass(frozen=True)
class Crosswalk:
    version: str
    rules: tuple[FieldRule, ...]
    namespaces: dict[str, str]
    blocks: tuple[BlockRule, ...] = ()

    @classmethod
    def from_declaration(cls, declaration: Any, path: Path) -> Crosswalk:
        where = _Locator(path)
        root: tuple[str | int, ...] = ("crosswalk",)
        if not isinstance(declaration, dict):
            raise where.error(root, "la section crosswalk doit être un dictionnaire (avec « fields: »)")
        base: Crosswalk | None = None
        if "extends" in declaration:
            base = _generic(str(declaration["extends"]), where, root + ("extends",))
        if not isinstance(declaration.get("fields", {} if base else None), dict):
            raise where.error(root, "la section crosswalk doit contenir « fields: »")
        unknown_keys = sorted(set(declaration) - {"version", "namespaces", "fields", "extends", *BLOCKS})
        if unknown_keys:
            raise where.error(
                root + (unknown_keys[0],),
                f"clé « {unknown_keys[0]} » inconnue dans crosswalk "
                "(clés possibles : version, extends, namespaces, fields, organisations, places)",
            )
        namespaces = dict(base.namespaces if base else {}) | (declaration.get("namespaces") or {})
        rules: list[FieldRule] = []
        declared = declaration.get("fields") or {}
        for name, spec in declared.items():
            if name not in FIELDS:
                raise where.error(
                    root + ("fields", name), f"champ « {name} » inconnu (champs possibles : {', '.join(FIELDS)})"
                )
            rules.extend(_parse_field(name, spec, namespaces, where, root + ("fields", name), FIELDS))
        if base is not None:
            rules = [r for r in base.rules if r.name not in declared] + rules
        blocks = list(base.blocks if base else ())
        for kind, allowed in BLOCKS.items():
            if kind in declaration:
                blocks = [b for b in blocks if b.kind != kind]
                blocks.extend(_parse_blocks(kind, declaration[kind], allowed, namespaces, where, root + (kind,)))
        if not any(rule.name == "title" for rule in rules):
            raise where.error(root + ("fields",), "le champ « title » est obligatoire")
        version = str(declaration.get("version", base.version if base else "1"))
        return cls(version, tuple(rules), namespaces, tuple(blocks))

    def apply(self, record: HarvestedRecord) -> MappedRecord:
        payload = _Payload(record)
        mapped = MappedRecord()
        _apply_rules(self.rules, payload, None, mapped.values, mapped.langs, mapped.lookups, mapped.values, record)
        for block in self.blocks:
            items = payload.items(block.each) if block.each else [None]
            for item in items:
                values: dict[str, list[str]] = {}
                langs: dict[str, str] = {}
                lookups: dict[str, str] = {}
                _apply_rules(block.rules, payload, item, values, langs, lookups, mapped.values, record)
                if block.kind == "organisations" and values.get("name"):
                    mapped.organisations.append(MappedOrganisation(block.role, values, lookups=lookups))
                elif block.kind == "places" and values:
                    mapped.places.append(MappedPlace(values))
        if record.url and "url" not in mapped.values:
            mapped.values["url"] = [record.url]
        return mapped


def _apply_rules(
    rules: tuple[FieldRule, ...],
    payload: _Payload,
    context: Any,
    values: dict[str, list[str]],
    langs: dict[str, str],
    lookups: dict[str, str],
    record_values: dict[str, list[str]],
    record: HarvestedRecord,
) -> None:
    for rule in rules:
        single = rule.name not in MULTI_FIELDS
        if single and values.get(rule.name):
            continue  # an earlier rule for the same field found a value: later ones are fall-backs
        if rule.guard is not None and not [v for v in payload.select(rule.guard, context) if v.strip()]:
            continue
        if rule.when is not None:
            other, pattern = rule.when
            found = values.get(other) or record_values.get(other) or []
            if not any(pattern.search(v) for v in found):
                continue
        found = _transform(payload.select(rule, context), rule.options, record.url)
        if single:
            found = found[:1]
        if not found:
            continue
        current = values.setdefault(rule.name, [])
        current.extend(v for v in found if v not in current)
        if "lang" in rule.options:
            langs[rule.name] = str(rule.options["lang"])
        if "lookup" in rule.options:
            lookups[rule.name] = str(rule.options["lookup"])


def _generic(name: str, where: _Locator, keys: tuple[str | int, ...]) -> Crosswalk:
    path = GENERIC_DIR / f"{name}.yaml"
    if not re.fullmatch(r"[a-z0-9_-]+", name) or not path.exists():
        available = ", ".join(sorted(p.stem for p in GENERIC_DIR.glob("*.yaml")))
        raise where.error(keys, f"correspondance générique « {name} » inconnue (disponibles : {available})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Crosswalk.from_declaration(data.get("crosswalk"), path)


def _parse_field(
    name: str,
    spec: Any,
    namespaces: dict[str, str],
    where: _Locator,
    keys: tuple[str | int, ...],
    allowed: dict[str, str],
) -> list[FieldRule]:
    """One rule, or several (a list) whose values add up — or, for a single-valued field, fall back."""
    if isinstance(spec, list):
        if not spec:
            raise where.error(keys, f"la liste de règles de « {name} » est vide")
        return [_parse_rule(name, item, namespaces, where, keys + (n,)) for n, item in enumerate(spec)]
    return [_parse_rule(name, spec, namespaces, where, keys)]


def _parse_rule(
    name: str, spec: Any, namespaces: dict[str, str], where: _Locator, keys: tuple[str | int, ...]
) -> FieldRule:
    if isinstance(spec, str):
        spec = {"xpath": spec}
    if not isinstance(spec, dict):
        raise where.error(keys, f"le champ « {name} » doit être un dictionnaire (par ex. {{css: h1}})")
    selectors = [key for key in spec if key in SELECTORS]
    unknown = [key for key in spec if key not in SELECTORS and key not in OPTIONS]
    if unknown:
        raise where.error(
            keys + (unknown[0],),
            f"option « {unknown[0]} » inconnue dans « {name} » (options : {', '.join(SELECTORS + OPTIONS)})",
        )
    if len(selectors) != 1:
        raise where.error(keys, f"« {name} » doit avoir exactement un sélecteur parmi {', '.join(SELECTORS)}")
    selector = selectors[0]
    options = {k: v for k, v in spec.items() if k in OPTIONS and k not in ("if", "when")}
    for option in BOOLEAN_OPTIONS:
        if option in options and not isinstance(options[option], bool):
            raise where.error(
                keys + (option,), f"« {option} » de « {name} » doit valoir true ou false, pas « {options[option]} »"
            )
    for option in TEXT_OPTIONS:
        if option in options and not isinstance(options[option], str):
            raise where.error(
                keys + (option,),
                f"« {option} » de « {name} » doit être un texte entre guillemets, pas « {options[option]} »",
            )
    try:
        compiled = _compile(selector, spec[selector], namespaces)
    except (etree.XPathError, SyntaxError, ValueError, SelectorError) as exc:
        raise where.error(keys + (selector,), f"expression invalide dans « {name} » : {exc}") from exc
    if "regex" in options:
        try:
            re.compile(options["regex"])
        except re.error as exc:
            raise where.error(keys + ("regex",), f"expression régulière invalide dans « {name} » : {exc}") from exc
    if "map" in options and not isinstance(options["map"], dict):
        raise where.error(keys + ("map",), f"« map » de « {name} » doit être un dictionnaire {{valeur: remplacement}}")
    if "lookup" in options and options["lookup"] not in SCHEMES:
        raise where.error(
            keys + ("lookup",),
            f"schéma « {options['lookup']} » inconnu pour « lookup » dans « {name} » "
            f"(schémas : {', '.join(sorted(SCHEMES))})",
        )
    if "lang" in options and not _LANG_TAG.match(str(options["lang"])):
        raise where.error(
            keys + ("lang",), f"« lang » de « {name} » doit être une étiquette de langue (fr, en, fr-CA) ou « auto »"
        )
    guard = None
    if "if" in spec:
        condition = spec["if"]
        if not isinstance(condition, dict) or len([k for k in condition if k in SELECTORS]) != 1 or len(condition) != 1:
            raise where.error(
                keys + ("if",), f"« if » de « {name} » doit être un seul sélecteur, par ex. {{css: a.site-web}}"
            )
        guard = _parse_rule(name, condition, namespaces, where, keys + ("if",))
    when = None
    if "when" in spec:
        condition = spec["when"]
        if not isinstance(condition, dict) or set(condition) != {"field", "matches"}:
            raise where.error(
                keys + ("when",),
                f"« when » de « {name} » doit être {{field: <champ>, matches: <expression>}}",
            )
        try:
            when = (str(condition["field"]), re.compile(str(condition["matches"])))
        except re.error as exc:
            message = f"expression régulière invalide dans « when » de « {name} » : {exc}"
            raise where.error(keys + ("when",), message) from exc
    return FieldRule(name, selector, spec[selector], options, compiled, guard, when)


def _parse_blocks(
    kind: str,
    declaration: Any,
    allowed: dict[str, str],
    namespaces: dict[str, str],
    where: _Locator,
    keys: tuple[str | int, ...],
) -> list[BlockRule]:
    if not isinstance(declaration, list):
        raise where.error(keys, f"« {kind} » doit être une liste (- each: …, fields: …)")
    blocks = []
    for n, entry in enumerate(declaration):
        here = keys + (n,)
        if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
            raise where.error(here, f"chaque élément de « {kind} » doit avoir « fields: »")
        extra = sorted(set(entry) - {"each", "fields", "role"})
        if extra:
            raise where.error(here + (extra[0],), f"clé « {extra[0]} » inconnue dans « {kind} » (each, role, fields)")
        role = str(entry.get("role", "carrier"))
        if kind == "organisations" and role not in ROLES:
            raise where.error(here + ("role",), f"rôle « {role} » inconnu (rôles : {', '.join(ROLES)})")
        each = _parse_rule("each", entry["each"], namespaces, where, here + ("each",)) if "each" in entry else None
        rules: list[FieldRule] = []
        for name, spec in entry["fields"].items():
            if name not in allowed:
                raise where.error(
                    here + ("fields", name),
                    f"champ « {name} » inconnu dans « {kind} » (champs possibles : {', '.join(allowed)})",
                )
            rules.extend(_parse_field(name, spec, namespaces, where, here + ("fields", name), allowed))
        if each is not None:
            family = set(PATH_SELECTORS) if each.selector in PATH_SELECTORS else {"xpath", "css"}
            for rule in rules:
                if rule.selector not in family | {"value"}:
                    raise where.error(
                        here + ("fields", rule.name),
                        f"« {rule.name} » doit utiliser {' ou '.join(sorted(family))} : "
                        f"chaque élément vient de « each: {{{each.selector}: …}} »",
                    )
        if kind == "organisations" and not any(r.name == "name" for r in rules):
            raise where.error(here + ("fields",), "une organisation doit avoir le champ « name »")
        blocks.append(BlockRule(kind, role, each, tuple(rules)))
    return blocks


def _line_of(text: str, key: str) -> str:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key):
            return f", ligne {number}"
    return ""


_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_PREFIX = re.compile(r"(?<![\w.-])([A-Za-z_][\w.-]*):(?!:)(?=[A-Za-z_*])")
#: A document to try a compiled expression on at load time: an error that lxml only raises when
#: evaluating (an unknown function, a type error) shows up there, not in the middle of a harvest.
_PROBE = etree.fromstring("<probe/>")


def _check_prefixes(expression: str, namespaces: dict[str, str]) -> None:
    used = _PREFIX.findall(_STRING_LITERAL.sub("''", expression))
    unknown = sorted({p for p in used if p not in namespaces and p != "xml"})
    if unknown:
        declared = ", ".join(sorted(namespaces)) or "aucun"
        raise ValueError(
            f"préfixe d'espace de noms « {unknown[0]} » non déclaré dans {expression!r} "
            f"(préfixes déclarés sous « namespaces: » : {declared})"
        )


def _compile(selector: str, expression: Any, namespaces: dict[str, str]) -> Any:
    if selector in ("xpath", "css") and not isinstance(expression, str):
        raise ValueError(f"une expression {selector} doit être un texte, pas {expression!r}")
    if selector == "xpath":
        _check_prefixes(expression, namespaces)
        compiled = etree.XPath(expression, namespaces=namespaces)
    elif selector == "css":
        compiled = CSSSelector(expression, namespaces=namespaces)
        _check_prefixes(compiled.path, namespaces)
    elif selector in PATH_SELECTORS:
        return _parse_path(str(expression))
    else:
        return expression
    try:
        compiled(_PROBE)
    except etree.XPathError as exc:
        raise ValueError(f"{exc} dans {expression!r}") from exc
    return compiled


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
        self._microdata: Any = None

    def select(self, rule: FieldRule, context: Any = None) -> list[str]:
        if rule.selector == "value":
            values = rule.expression if isinstance(rule.expression, list) else [rule.expression]
            return [str(v) for v in values]
        return [_text_of(r) if not isinstance(r, str) else r for r in self._raw(rule, context)]

    def items(self, rule: FieldRule) -> list[Any]:
        """What an ``each:`` selects: elements or JSON objects, each the context of a block's fields."""
        if rule.selector == "value":
            return []
        return [r for r in self._raw(rule, None) if r not in (None, "")]

    def _raw(self, rule: FieldRule, context: Any) -> list[Any]:
        if rule.selector in PATH_SELECTORS and context is not None:
            return [_scalar_or_item(v) for v in _walk(context, rule.compiled) if v not in (None, "")]
        if rule.selector == "path":
            return [_scalar_or_item(v) for v in _walk(self.json(), rule.compiled) if v not in (None, "")]
        if rule.selector == "jsonld":
            found: list[Any] = []
            for block in self.jsonld():
                found.extend(_scalar_or_item(v) for v in _walk(block, rule.compiled) if v not in (None, ""))
            return found
        if rule.selector == "microdata":
            found = []
            for item in self.microdata():
                found.extend(_scalar_or_item(v) for v in _walk(item, rule.compiled) if v not in (None, ""))
            return found
        if context is not None:
            tree = context
        else:
            tree = self.html() if (rule.selector == "css" or self.record.media_type == "text/html") else self.xml()
        results = rule.compiled(tree)
        if not isinstance(results, list):
            results = [results]
        return results

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

    def microdata(self) -> list[dict[str, Any]]:
        """The page's top-level microdata items, as dicts shaped like JSON-LD (see ``microdata_items``)."""
        if self._microdata is None:
            self._microdata = microdata_items(self.html())
        return self._microdata


#: Elements whose microdata value is an attribute (HTML Living Standard, "values" of itemprop).
_URL_ATTRIBUTE = {"a": "href", "area": "href", "link": "href", "audio": "src", "embed": "src", "iframe": "src",
                  "img": "src", "source": "src", "track": "src", "video": "src", "object": "data"}  # fmt: skip
_SCHEMA_ORG = re.compile(r"^https?://schema\.org/")


def microdata_items(tree: Any) -> list[dict[str, Any]]:
    """Top-level ``itemscope`` items of an HTML tree, each a dict: ``@type`` (``https://schema.org/X``
    shortened to ``X``, as JSON-LD writes it), ``@id`` (``itemid``), and one key per ``itemprop``
    (a list when the property repeats); a nested ``itemscope`` is a nested dict."""
    return [_microdata_item(e) for e in tree.iter() if _is_element(e) and _is_item(e) and e.get("itemprop") is None]


def _is_element(element: Any) -> bool:
    return isinstance(element.tag, str)


def _is_item(element: Any) -> bool:
    return element.get("itemscope") is not None


def _microdata_item(element: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    types = [_SCHEMA_ORG.sub("", t) for t in (element.get("itemtype") or "").split()]
    if types:
        item["@type"] = types[0] if len(types) == 1 else types
    if element.get("itemid"):
        item["@id"] = element.get("itemid")
    for prop in _properties(element):
        value: Any = _microdata_item(prop) if _is_item(prop) else _microdata_value(prop)
        for name in (prop.get("itemprop") or "").split():
            name = _SCHEMA_ORG.sub("", name)
            if name not in item:
                item[name] = value
            elif isinstance(item[name], list):
                item[name].append(value)
            else:
                item[name] = [item[name], value]
    return item


def _properties(element: Any) -> list[Any]:
    """The ``itemprop`` elements of an item, not those of the items nested in it."""
    found = []
    for child in element:
        if not _is_element(child):
            continue
        if child.get("itemprop") is not None:
            found.append(child)
        if not _is_item(child):
            found.extend(_properties(child))
    return found


def _microdata_value(element: Any) -> str:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if element.get("content") is not None:
        return str(element.get("content"))
    if tag in _URL_ATTRIBUTE and element.get(_URL_ATTRIBUTE[tag]) is not None:
        return str(element.get(_URL_ATTRIBUTE[tag]))
    if tag in ("data", "meter") and element.get("value") is not None:
        return str(element.get("value"))
    if tag == "time" and element.get("datetime") is not None:
        return str(element.get("datetime"))
    return " ".join(" ".join(element.itertext()).split())


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _scalar_or_item(value: Any) -> Any:
    return value if isinstance(value, (dict, list)) else str(value)


def _text_of(result: Any) -> str:
    if isinstance(result, (dict, list)):
        return _scalar(result)
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
