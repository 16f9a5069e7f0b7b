import json
from pathlib import Path

import pytest

from aggregator.crosswalk import Crosswalk, CrosswalkError, RecordMappingError
from aggregator.records import HarvestedRecord

DC_RECORD = b"""<record xmlns="http://www.openarchives.org/OAI/2.0/">
<header><identifier>oai:x:1</identifier><datestamp>2024-01-01T00:00:00Z</datestamp></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>  Un jardin   partag\xc3\xa9 </dc:title>
<dc:subject>Circuits courts</dc:subject><dc:subject>Lien social</dc:subject>
<dc:coverage>Die (26)</dc:coverage><dc:coverage>Auvergne-Rh\xc3\xb4ne-Alpes</dc:coverage>
<dc:date>2019-03-01</dc:date>
</oai_dc:dc></metadata></record>"""

NS = {"dc": "http://purl.org/dc/elements/1.1/"}


def crosswalk(fields: dict, tmp_path: Path, namespaces: dict | None = None) -> Crosswalk:
    path = tmp_path / "source.yaml"
    path.write_text("crosswalk:\n  fields:\n" + "".join(f"    {k}: x\n" for k in fields), encoding="utf-8")
    return Crosswalk.from_declaration({"fields": fields, "namespaces": namespaces or NS}, path)


def record(payload: bytes, media_type: str = "application/xml", url: str | None = None) -> HarvestedRecord:
    return HarvestedRecord("s", "id", payload, media_type, url=url)


def test_xpath_fields_with_regex_and_several_values(tmp_path: Path) -> None:
    cw = crosswalk(
        {
            "title": {"xpath": "//dc:title"},
            "tags": {"xpath": "//dc:subject"},
            "commune": {"xpath": "//dc:coverage[1]", "regex": r"^(.*?) \(\d+\)$"},
            "region": {"xpath": "//dc:coverage[2]"},
            "started": {"xpath": "//dc:date", "date": True},
        },
        tmp_path,
    )
    mapped = cw.apply(record(DC_RECORD))
    assert mapped.values == {
        "title": ["Un jardin partagé"],
        "tags": ["Circuits courts", "Lien social"],
        "commune": ["Die"],
        "region": ["Auvergne-Rhône-Alpes"],
        "started": ["2019-03-01"],
    }


def test_css_and_jsonld_on_html(tmp_path: Path) -> None:
    page = """<html lang="fr"><body><h1 class="t">Épicerie <em>solidaire</em></h1>
    <ul class="d"><li>Alimentation</li><li>Précarité</li></ul><dd class="date">mars 2019</dd>
    <script type="application/ld+json">{"@type": "Project", "location": {"address": {"postalCode": "26150"}}}</script>
    </body></html>""".encode()
    cw = crosswalk(
        {
            "title": {"css": "h1.t"},
            "tags": {"css": "ul.d li"},
            "started": {"css": "dd.date", "date": True},
            "postal_code": {"jsonld": "location.address.postalCode"},
        },
        tmp_path,
    )
    mapped = cw.apply(record(page, "text/html", url="https://site.example.org/p/1"))
    assert mapped.values["title"] == ["Épicerie solidaire"]
    assert mapped.values["tags"] == ["Alimentation", "Précarité"]
    assert mapped.values["started"] == ["2019-03"]
    assert mapped.values["postal_code"] == ["26150"]
    assert mapped.values["url"] == ["https://site.example.org/p/1"]


def test_json_paths_split_map_and_filters(tmp_path: Path) -> None:
    item = {
        "nom": "Tiers-lieu",
        "thematiques": "Numérique|Lien social",
        "statut": "SCOP",
        "tags": [{"scheme": "https://x/regions", "label": "Bretagne"}, {"scheme": "https://x/t", "label": "Vélo"}],
    }
    cw = crosswalk(
        {
            "title": {"path": "nom"},
            "tags": {"path": "thematiques", "split": "|"},
            "actor_type": {"path": "statut", "map": {"SCOP": "Coopérative"}},
            "region": {"path": "tags[scheme=https://x/regions].label"},
            "partners": {"path": "absent[].nom", "default": "aucun"},
        },
        tmp_path,
    )
    mapped = cw.apply(record(json.dumps(item).encode(), "application/json"))
    assert mapped.values == {
        "title": ["Tiers-lieu"],
        "tags": ["Numérique", "Lien social"],
        "actor_type": ["Coopérative"],
        "region": ["Bretagne"],
        "partners": ["aucun"],
    }


def test_unknown_field_is_reported_with_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(CrosswalkError, match=r"source\.yaml, ligne 4 : champ « titel » inconnu"):
        crosswalk({"title": {"xpath": "//dc:title"}, "titel": {"xpath": "//dc:title"}}, tmp_path)


def test_bad_xpath_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CrosswalkError, match="expression invalide dans « title »"):
        crosswalk({"title": {"xpath": "//dc:title[["}}, tmp_path)


def test_unknown_option_and_missing_title_are_reported(tmp_path: Path) -> None:
    with pytest.raises(CrosswalkError, match="option « regexp » inconnue"):
        crosswalk({"title": {"xpath": "//dc:title", "regexp": "x"}}, tmp_path)
    with pytest.raises(CrosswalkError, match="« title » est obligatoire"):
        crosswalk({"summary": {"xpath": "//dc:title"}}, tmp_path)


def test_two_selectors_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CrosswalkError, match="exactement un sélecteur"):
        crosswalk({"title": {"xpath": "//dc:title", "css": "h1"}}, tmp_path)


def test_malformed_payload_is_a_record_error_not_a_crash(tmp_path: Path) -> None:
    cw = crosswalk({"title": {"xpath": "//dc:title"}}, tmp_path)
    with pytest.raises(RecordMappingError, match="XML illisible"):
        cw.apply(record(b"<record><unclosed></record>"))


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    hostile = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <record xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>a&e;b</dc:title></record>"""
    cw = crosswalk({"title": {"xpath": "//dc:title"}}, tmp_path)
    mapped = cw.apply(record(hostile))
    assert "root:" not in mapped.first("title")
