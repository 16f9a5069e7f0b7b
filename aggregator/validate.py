"""SHACL validation of every mapped record, before it is published.

The shapes are ``vocab/shapes.ttl`` (SHACL Core only). ``ShapesValidator`` is a small, fast
processor of the constraints those shapes use — a record's graph is checked in well under a
millisecond, where a general processor takes tens — and the test suite checks that it agrees
with pyshacl on valid and invalid records. A constraint the fast processor does not know makes
loading the shapes fail, so the two cannot silently drift apart.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from aggregator.enrich.schemes import load_vocabulary_graph
from aggregator.innovation_graph import MappingError

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
LANG_STRING = RDF + "langString"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Constraint parameters of a property shape that this processor evaluates.
_KNOWN = {
    "path",
    "minCount",
    "maxCount",
    "datatype",
    "nodeKind",
    "class",
    "pattern",
    "flags",
    "in",
    "minInclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "node",
    "message",
    "name",
    "description",
    "severity",
}
_LEXICAL = {
    XSD + "decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "date": re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "dateTime": re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "gYear": re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "gYearMonth": re.compile(r"^-?\d{4,}-\d{2}(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "boolean": re.compile(r"^(true|false|1|0)$"),
}


class InvalidRecordError(MappingError):
    """A mapped record that breaks the SHACL shapes: kept out of publication, listed per source."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = "; ".join(v.describe() for v in violations[:5])
        more = f" (et {len(violations) - 5} autre(s))" if len(violations) > 5 else ""
        super().__init__(f"notice non conforme aux formes SHACL : {shown}{more}")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    constraint: str
    message: str
    value: str = ""

    def describe(self) -> str:
        short = self.path.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        value = f" (valeur « {self.value[:60]} »)" if self.value else ""
        return f"{short} : {self.message}{value}"

    def as_dict(self) -> dict[str, str]:
        return {"focus": self.focus, "path": self.path, "constraint": self.constraint, "message": self.message}


@dataclass
class PropertyShape:
    path: str
    params: dict[str, list[ox.Term]] = field(default_factory=dict)
    message: str = ""

    def one(self, name: str) -> ox.Term | None:
        values = self.params.get(name)
        return values[0] if values else None


@dataclass
class NodeShape:
    iri: str
    target_classes: list[str]
    properties: list[PropertyShape]


class ShapesValidator:
    def __init__(self, shapes: dict[str, NodeShape], known_types: dict[str, set[str]]) -> None:
        self.shapes = shapes
        self.known_types = known_types
        self._by_class: dict[str, list[NodeShape]] = defaultdict(list)
        for shape in shapes.values():
            for cls in shape.target_classes:
                self._by_class[cls].append(shape)

    @classmethod
    def load(cls, shapes_path: Path, vocabulary: ox.Store | None = None) -> ShapesValidator:
        graph = ox.Store()
        graph.load(path=str(shapes_path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())

        def objects(subject: ox.Term, predicate: str) -> list[ox.Term]:
            return [q.object for q in graph.quads_for_pattern(subject, ox.NamedNode(predicate), None, None)]

        shapes: dict[str, NodeShape] = {}
        for quad in graph.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(SH + "NodeShape"), None):
            node = quad.subject
            properties = []
            for prop in objects(node, SH + "property"):
                params: dict[str, list[ox.Term]] = defaultdict(list)
                for q in graph.quads_for_pattern(prop, None, None, None):
                    name = q.predicate.value.removeprefix(SH)
                    if not q.predicate.value.startswith(SH) or name not in _KNOWN:
                        raise ValueError(f"{shapes_path} : contrainte non prise en charge {q.predicate.value}")
                    params[name].append(q.object)
                if "in" in params:
                    params["in"] = _rdf_list(graph, params["in"][0])
                path = params.pop("path")[0]
                if not isinstance(path, ox.NamedNode):
                    raise ValueError(f"{shapes_path} : seuls les chemins simples (une propriété) sont pris en charge")
                messages = [m for m in params.pop("message", []) if getattr(m, "language", None) in ("fr", None)]
                properties.append(PropertyShape(path.value, dict(params), messages[0].value if messages else ""))
            targets = [t.value for t in objects(node, SH + "targetClass")]
            shapes[node.value] = NodeShape(node.value, targets, properties)
        known: dict[str, set[str]] = defaultdict(set)
        if vocabulary is not None:
            for q in vocabulary.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
                known[q.subject.value].add(q.object.value)
        return cls(shapes, dict(known))

    def validate(self, triples: Iterable[ox.Triple]) -> list[Violation]:
        graph: dict[str, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
        types: dict[str, set[str]] = defaultdict(set)
        for t in triples:
            graph[t.subject.value][t.predicate.value].append(t.object)
            if t.predicate.value == RDF_TYPE:
                types[t.subject.value].add(t.object.value)
        violations: list[Violation] = []
        for subject, classes in sorted(types.items()):
            for cls in sorted(classes):
                for shape in self._by_class.get(cls, []):
                    violations.extend(self._check(shape, subject, graph, types))
        return violations

    def _check(
        self,
        shape: NodeShape,
        focus: str,
        graph: dict[str, dict[str, list[ox.Term]]],
        types: dict[str, set[str]],
        depth: int = 0,
    ) -> list[Violation]:
        out: list[Violation] = []
        for prop in shape.properties:
            values = graph.get(focus, {}).get(prop.path, [])

            def fail(constraint: str, value: ox.Term | None = None, prop: PropertyShape = prop) -> None:
                text = value.value if value is not None else ""
                out.append(Violation(focus, prop.path, SH + constraint, prop.message or constraint, text))

            if (low := prop.one("minCount")) is not None and len(values) < int(low.value):
                fail("MinCountConstraintComponent")
            if (high := prop.one("maxCount")) is not None and len(values) > int(high.value):
                fail("MaxCountConstraintComponent")
            for value in values:
                if component := self._value_fails(prop, value, graph, types, depth):
                    fail(component, value)
        return out

    def _value_fails(
        self,
        prop: PropertyShape,
        value: ox.Term,
        graph: dict[str, dict[str, list[ox.Term]]],
        types: dict[str, set[str]],
        depth: int,
    ) -> str:
        """The constraint component the value breaks, or "" when it satisfies them all."""
        is_literal = isinstance(value, ox.Literal)
        if (kind := prop.one("nodeKind")) is not None:
            wanted = kind.value.removeprefix(SH)
            actual = "Literal" if is_literal else ("IRI" if isinstance(value, ox.NamedNode) else "BlankNode")
            if actual not in wanted:
                return "NodeKindConstraintComponent"
        if (datatype := prop.one("datatype")) is not None:
            if not is_literal:
                return "DatatypeConstraintComponent"
            actual = LANG_STRING if value.language else value.datatype.value  # type: ignore[union-attr]
            lexical = _LEXICAL.get(datatype.value)
            if actual != datatype.value or (lexical is not None and not lexical.match(value.value)):
                return "DatatypeConstraintComponent"
        if (cls := prop.one("class")) is not None:
            if is_literal or cls.value not in (
                types.get(value.value, set()) | self.known_types.get(value.value, set())
            ):
                return "ClassConstraintComponent"
        if (pattern := prop.one("pattern")) is not None:
            flags = prop.one("flags")
            compiled = re.compile(pattern.value, re.IGNORECASE if flags is not None and "i" in flags.value else 0)
            if isinstance(value, ox.BlankNode) or not compiled.search(value.value):
                return "PatternConstraintComponent"
        for name, component in (("minLength", "MinLength"), ("maxLength", "MaxLength")):
            if (limit := prop.one(name)) is not None:
                if isinstance(value, ox.BlankNode):
                    return f"{component}ConstraintComponent"
                length = len(value.value)
                if (name == "minLength" and length < int(limit.value)) or (
                    name == "maxLength" and length > int(limit.value)
                ):
                    return f"{component}ConstraintComponent"
        for name, component in (("minInclusive", "MinInclusive"), ("maxInclusive", "MaxInclusive")):
            if (limit := prop.one(name)) is not None:
                try:
                    number, bound = Decimal(value.value), Decimal(limit.value)
                except (InvalidOperation, AttributeError):
                    return f"{component}ConstraintComponent"
                if (name == "minInclusive" and number < bound) or (name == "maxInclusive" and number > bound):
                    return f"{component}ConstraintComponent"
        if "in" in prop.params and value not in prop.params["in"]:
            return "InConstraintComponent"
        if (node := prop.one("node")) is not None and depth < 8:
            shape = self.shapes.get(node.value)
            if shape is not None and not is_literal and self._check(shape, value.value, graph, types, depth + 1):
                return "NodeConstraintComponent"
        return ""

    def check(self, triples: list[ox.Triple]) -> None:
        """Raise ``InvalidRecordError`` with every violation when the record's graph is not valid."""
        violations = self.validate(triples)
        if violations:
            raise InvalidRecordError(violations)


def _rdf_list(graph: ox.Store, head: ox.Term) -> list[ox.Term]:
    items: list[ox.Term] = []
    nil = ox.NamedNode(RDF + "nil")
    while head != nil:
        items += [q.object for q in graph.quads_for_pattern(head, ox.NamedNode(RDF + "first"), None, None)]
        rest = [q.object for q in graph.quads_for_pattern(head, ox.NamedNode(RDF + "rest"), None, None)]
        if not rest:
            break
        head = rest[0]
    return items


@cache
def load_validator(vocab_dir: Path) -> ShapesValidator:
    return ShapesValidator.load(vocab_dir / "shapes.ttl", load_vocabulary_graph(vocab_dir))


# The quality report -------------------------------------------------------------------------


@dataclass
class SourceQuality:
    """What a source's records look like once mapped, enriched and validated."""

    source: str
    records: int = 0
    valid: int = 0
    invalid: list[tuple[str, list[Violation]]] = field(default_factory=list)
    mapping_errors: list[tuple[str, str]] = field(default_factory=list)
    stored_invalid: int = 0
    tags: int = 0
    tags_aligned: int = 0
    unaligned_tags: dict[str, int] = field(default_factory=dict)
    unaligned_lookups: dict[str, int] = field(default_factory=dict)
    places: int = 0
    geocoded: int = 0
    with_coordinates: int = 0
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    personal_data: int = 0
    languages: dict[str, int] = field(default_factory=dict)

    @property
    def alignment_rate(self) -> float:
        return self.tags_aligned / self.tags if self.tags else 1.0

    @property
    def geocoding_rate(self) -> float:
        return self.geocoded / self.places if self.places else 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "records": self.records,
            "valid": self.valid,
            "invalid": [{"record": r, "violations": [v.as_dict() for v in vs]} for r, vs in self.invalid],
            "mapping_errors": [{"record": r, "error": e} for r, e in self.mapping_errors],
            "stored_invalid": self.stored_invalid,
            "tags": self.tags,
            "tags_aligned": self.tags_aligned,
            "alignment_rate": round(self.alignment_rate, 4),
            "unaligned_tags": self.unaligned_tags,
            "unaligned_lookups": self.unaligned_lookups,
            "places": self.places,
            "geocoded": self.geocoded,
            "geocoding_rate": round(self.geocoding_rate, 4),
            "with_coordinates": self.with_coordinates,
            "unresolved": [{"record": r, "reason": why} for r, why in self.unresolved],
            "personal_data": self.personal_data,
            "languages": self.languages,
        }


def quality_report(aggregate: Any, sources: list[Any]) -> dict[str, SourceQuality]:
    """Re-map every raw record of the sources (as the pipeline would, without storing), validate the
    result and the published graphs, and count alignment, geocoding and personal data per source."""
    from aggregator.crosswalk import Crosswalk, CrosswalkError, RecordMappingError
    from aggregator.innovation_graph import RecordContext, innovation_triples
    from aggregator.records import record_id

    validator = aggregate.validator or load_validator(aggregate.settings.vocab_dir)
    report: dict[str, SourceQuality] = {}
    for source in sources:
        quality = report[source.id] = SourceQuality(source.id)
        try:
            crosswalk = Crosswalk.from_declaration(source.crosswalk, source.path)
        except CrosswalkError as exc:
            quality.mapping_errors.append(("", str(exc)))
            continue
        unaligned: Counter[str] = Counter()
        lookups: Counter[str] = Counter()
        languages: Counter[str] = Counter()
        for record in aggregate.state.raw_records(source.id):
            if record.deleted:
                continue
            quality.records += 1
            rid = record_id(record.source_id, record.identifier)
            try:
                mapped = aggregate.enricher.enrich(crosswalk.apply(record))
                ctx = RecordContext(
                    aggregate.settings.base_url, rid, source.id, record.identifier, crosswalk.version, _NOW
                )
                triples = innovation_triples(mapped, ctx, aggregate.themes)
            except (RecordMappingError, MappingError) as exc:
                quality.mapping_errors.append((record.identifier, str(exc)))
                continue
            violations = validator.validate(triples)
            if violations:
                quality.invalid.append((record.identifier, violations))
            else:
                quality.valid += 1
            for tag in mapped.all("tags"):
                quality.tags += 1
                if aggregate.themes.align(tag):
                    quality.tags_aligned += 1
                else:
                    unaligned[tag] += 1
            for name, values in mapped.unaligned.items():
                lookups.update(f"{name} : {v}" for v in values)
            status = mapped.notes.get("geocoding")
            if status:
                quality.places += 1
                if status == "resolved":
                    quality.geocoded += 1
                else:
                    quality.unresolved.append((record.identifier, mapped.notes.get("geocoding_reason", status)))
                if mapped.first("lat") and mapped.first("lon"):
                    quality.with_coordinates += 1
            if "personal_data" in mapped.notes:
                quality.personal_data += 1
            languages.update(mapped.langs.get(f, "") for f in ("summary", "description") if mapped.all(f))
        quality.unaligned_tags = dict(unaligned.most_common())
        quality.unaligned_lookups = dict(lookups.most_common())
        quality.languages = dict(languages.most_common())
        for row in aggregate.listing.published_page(None, 1_000_000):
            if row.source_id == source.id and not row.deleted:
                uri = aggregate.record_uri(row.record_id)
                if validator.validate(aggregate.store.graph_triples(f"{uri}#graph")):
                    quality.stored_invalid += 1
    return report


_NOW = "2000-01-01T00:00:00Z"
