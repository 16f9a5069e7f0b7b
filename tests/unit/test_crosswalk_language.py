"""The crosswalk language's additions: look-ups, languages, conditions, several rules, blocks, lines."""

import json
from pathlib import Path

import pytest

from aggregator.crosswalk import Crosswalk, CrosswalkError
from aggregator.records import HarvestedRecord


def load(tmp_path: Path, text: str) -> Crosswalk:
    import yaml

    path = tmp_path / "source.yaml"
    path.write_text(text, encoding="utf-8")
    return Crosswalk.from_declaration(yaml.safe_load(text)["crosswalk"], path)


def json_record(data: object) -> HarvestedRecord:
    return HarvestedRecord("s", "1", json.dumps(data).encode(), "application/json")


ITEM = {
    "nom": "Tiers-lieu",
    "statut": "SCOP",
    "langue": "en",
    "resume": "A third place",
    "motscles": ["Numérique"],
    "themes": "Lien social|Mobilité",
    "porteurs": [{"nom": "Coop A", "statut": "SCIC", "site": "https://a.example.org"}, {"nom": "Asso B"}],
    "sites": [{"commune": "Die", "cp": "26150"}, {"commune": "Crest"}],
}


def test_lookup_and_lang_are_recorded_for_enrichment(tmp_path: Path) -> None:
    cw = load(
        tmp_path,
        "crosswalk:\n  fields:\n    title: {path: nom}\n"
        "    actor_type: {path: statut, lookup: actor_types}\n    summary: {path: resume, lang: en}\n",
    )
    mapped = cw.apply(json_record(ITEM))
    assert mapped.values["actor_type"] == ["SCOP"]
    assert mapped.lookups == {"actor_type": "actor_types"}
    assert mapped.langs == {"summary": "en"}


def test_several_rules_add_up_for_a_multi_field_and_fall_back_for_a_single_one(tmp_path: Path) -> None:
    cw = load(
        tmp_path,
        "crosswalk:\n  fields:\n    title: [{path: absent}, {path: nom}]\n"
        '    tags: [{path: "motscles[]"}, {path: themes, split: "|"}]\n',
    )
    mapped = cw.apply(json_record(ITEM))
    assert mapped.values["title"] == ["Tiers-lieu"]
    assert mapped.values["tags"] == ["Numérique", "Lien social", "Mobilité"]


def test_when_and_if_conditions(tmp_path: Path) -> None:
    cw = load(
        tmp_path,
        "crosswalk:\n  fields:\n    title: {path: nom}\n    language: {path: langue}\n"
        '    summary: {path: resume, when: {field: language, matches: "^fr"}}\n'
        "    description: {path: resume, if: {path: statut}}\n"
        "    website: {value: 'https://x.example.org', if: {path: absent}}\n",
    )
    mapped = cw.apply(json_record(ITEM))
    assert "summary" not in mapped.values  # the record is in English
    assert mapped.values["description"] == ["A third place"]
    assert "website" not in mapped.values


def test_organisation_and_place_blocks_build_one_object_per_item(tmp_path: Path) -> None:
    cw = load(
        tmp_path,
        "crosswalk:\n  fields:\n    title: {path: nom}\n  organisations:\n"
        '    - each: {path: "porteurs[]"}\n      role: partner\n      fields:\n'
        "        name: {path: nom}\n        actor_type: {path: statut, lookup: actor_types}\n"
        "        website: {path: site}\n  places:\n"
        '    - each: {path: "sites[]"}\n      fields:\n        commune: {path: commune}\n'
        "        postal_code: {path: cp}\n",
    )
    mapped = cw.apply(json_record(ITEM))
    assert [(o.role, o.first("name"), o.first("actor_type")) for o in mapped.organisations] == [
        ("partner", "Coop A", "SCIC"),
        ("partner", "Asso B", ""),
    ]
    assert mapped.organisations[0].lookups == {"actor_type": "actor_types"}
    assert [p.values for p in mapped.places] == [{"commune": ["Die"], "postal_code": ["26150"]}, {"commune": ["Crest"]}]


def test_blocks_on_xml_elements(tmp_path: Path) -> None:
    payload = b"""<r><t>Un titre</t><org><n>Mairie de Die</n><s>Commune</s></org><org><n>CCAS</n></org></r>"""
    cw = load(
        tmp_path,
        "crosswalk:\n  fields:\n    title: {xpath: //t}\n  organisations:\n"
        "    - each: {xpath: //org}\n      fields:\n        name: {xpath: n}\n        actor_type: {xpath: s}\n",
    )
    mapped = cw.apply(HarvestedRecord("s", "1", payload, "application/xml"))
    assert [(o.first("name"), o.first("actor_type")) for o in mapped.organisations] == [
        ("Mairie de Die", "Commune"),
        ("CCAS", ""),
    ]


def test_extends_a_generic_crosswalk(tmp_path: Path) -> None:
    cw = load(tmp_path, "crosswalk:\n  extends: oai_dc\n  version: '7'\n  fields:\n    region: {value: Corse}\n")
    payload = b"""<record xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Un jardin</dc:title>
    <dc:subject>Lien social</dc:subject></record>"""
    mapped = cw.apply(HarvestedRecord("s", "1", payload, "application/xml"))
    assert mapped.values["title"] == ["Un jardin"]
    assert mapped.values["tags"] == ["Lien social"]
    assert mapped.values["region"] == ["Corse"]
    assert cw.version == "7"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    actor_type: {path: b, lookup: statuts}\n",
            r"source\.yaml, ligne 4 : schéma « statuts » inconnu pour « lookup »",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    summary: {path: b, lang: 'fr_FR!'}\n",
            r"ligne 4 : « lang » de « summary » doit être une étiquette de langue",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    summary:\n      path: b\n      when: {field: x}\n",
            r"ligne 6 : « when » de « summary » doit être",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    summary:\n      path: b\n      if: {path: x, css: y}\n",
            r"ligne 6 : « if » de « summary » doit être un seul sélecteur",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    summary:\n      path: b\n      regex: '(('\n",
            r"ligne 6 : expression régulière invalide dans « summary »",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    tags: []\n",
            r"ligne 4 : la liste de règles de « tags » est vide",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n  organisations:\n    - fields: {actor_type: {path: s}}\n",
            r"ligne 5 : une organisation doit avoir le champ « name »",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n  organisations:\n"
            "    - role: sponsor\n      fields: {name: {path: n}}\n",
            r"ligne 5 : rôle « sponsor » inconnu",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n  places:\n    - fields:\n        ville: {path: c}\n",
            r"ligne 6 : champ « ville » inconnu dans « places »",
        ),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n  organisations:\n    - each: {path: 'o[]'}\n"
            "      fields:\n        name: {css: h1}\n",
            r"ligne 7 : « name » doit utiliser jsonld ou microdata ou path",
        ),
        ("crosswalk:\n  extends: marc21\n  fields: {}\n", r"ligne 2 : correspondance générique « marc21 » inconnue"),
        ("crosswalk:\n  fields:\n    title: {path: a}\n  champs: {}\n", r"ligne 4 : clé « champs » inconnue"),
        (
            "crosswalk:\n  fields:\n    title: {path: a}\n    tags: {path: b, map: [x]}\n",
            r"ligne 4 : « map » de « tags »",
        ),
    ],
)
def test_errors_name_the_file_and_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CrosswalkError, match=message):
        load(tmp_path, text)


def test_line_numbers_come_from_the_yaml_nodes_not_a_text_search(tmp_path: Path) -> None:
    # "titel" appears first in a comment: a text search would point at line 2.
    text = "crosswalk:\n  # titel: ancien nom\n  fields:\n    title: {path: a}\n    titel: {path: b}\n"
    with pytest.raises(CrosswalkError, match=r"ligne 5 : champ « titel » inconnu"):
        load(tmp_path, text)
