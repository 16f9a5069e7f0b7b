"""SHACL validation: the fast validator of the pipeline, checked against pyshacl."""

import pyoxigraph as ox
import pytest

from aggregator.enrich.schemes import load_vocabulary_graph
from aggregator.enrich.themes import load_theme_scheme
from aggregator.innovation_graph import RecordContext, innovation_triples
from aggregator.mapped import MappedRecord
from aggregator.settings import PROJECT_ROOT
from aggregator.validate import InvalidRecordError, ShapesValidator, load_validator

VOCAB = PROJECT_ROOT / "vocab"
CTX = RecordContext("http://x.test", "s-1", "s", "1", "2", "2024-01-01T00:00:00Z")


def triples(**values: list[str]) -> list[ox.Triple]:
    base = {"title": ["Un jardin partagé"], "tags": ["Lien social"], "commune": ["Die"], "insee": ["26113"]}
    mapped = MappedRecord(values=base | values)
    return innovation_triples(mapped, CTX, load_theme_scheme(VOCAB))


INVALID = {
    "postal_code": (["2615"], "postalCode"),
    "insee": (["ABCDE"], "inseeCode"),
    "title": (["Ab"], "title"),
}


def test_a_well_formed_record_conforms() -> None:
    assert load_validator(VOCAB).validate(triples(lat=["44.75"], lon=["5.37"], started=["2019-03"])) == []


@pytest.mark.parametrize("field", sorted(INVALID))
def test_violations_name_the_property_and_say_what_is_wrong(field: str) -> None:
    value, prop = INVALID[field]
    with pytest.raises(InvalidRecordError) as caught:
        load_validator(VOCAB).check(triples(**{field: value}))
    assert any(v.path.endswith(prop) for v in caught.value.violations), caught.value.violations
    assert prop in str(caught.value)


def out_of_range_latitude() -> list[ox.Triple]:
    place = ox.NamedNode("http://x.test/id/innovation/s-1#place")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    lat = ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
    return [*triples(), ox.Triple(place, lat, ox.Literal("123.5", datatype=decimal))]


def test_a_latitude_out_of_range_is_a_violation() -> None:
    violations = load_validator(VOCAB).validate(out_of_range_latitude())
    assert {v.constraint.rsplit("#", 1)[-1] for v in violations} == {
        "MaxInclusiveConstraintComponent",
        "NodeConstraintComponent",  # the innovation's place is not valid: as pyshacl says too
    }


def test_missing_provenance_is_a_violation() -> None:
    graph = [t for t in triples() if not t.predicate.value.endswith("crosswalkVersion")]
    violations = load_validator(VOCAB).validate(graph)
    assert [v.path.rsplit("#", 1)[-1] for v in violations] == ["crosswalkVersion"]


def test_unknown_constraints_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<http://x/S> a sh:NodeShape ; sh:targetClass <http://x/C> ;\n"
        "  sh:property [ sh:path <http://x/p> ; sh:qualifiedMinCount 1 ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="non prise en charge"):
        ShapesValidator.load(shapes)


def test_the_fast_validator_agrees_with_pyshacl() -> None:
    pyshacl = pytest.importorskip("pyshacl")
    import rdflib

    shapes = rdflib.Graph().parse(VOCAB / "shapes.ttl")
    ontology = rdflib.Graph().parse(data=ox.serialize(load_vocabulary_graph(VOCAB), format=ox.RdfFormat.N_TRIPLES))
    cases = [triples(), triples(lat=["44.75"], lon=["5.37"])]
    cases += [triples(**{f: v}) for f, (v, _) in INVALID.items()]
    cases += [out_of_range_latitude()]
    for graph in cases:
        data = rdflib.Graph().parse(data=ox.serialize(graph, format=ox.RdfFormat.N_TRIPLES), format="nt")
        data += ontology  # the concepts' types, as the pipeline's validator knows them
        conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
        ours = load_validator(VOCAB).validate(graph)
        assert conforms == (not ours), (text, ours)
