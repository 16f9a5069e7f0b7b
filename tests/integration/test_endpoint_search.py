"""The search page ``/`` and ``/api/search`` over the published test aggregate."""

from __future__ import annotations

import html
import re

import pytest
from lxml import html as lxml_html

from aggregator.records import record_id
from tests.integration.conftest import RECORDS, SOURCES

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def ids_of(rows: list[tuple]) -> set[str]:
    return {record_id(r[0], r[1]) for r in rows}


def api(client, query: str = "") -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/api/search" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("application/json")
    return response.json


def all_ids(client, query: str = "") -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    page = 1
    while True:
        body = api(client, f"{query}&page={page}" if query else f"page={page}")
        found |= {r["id"] for r in body["results"]}
        if page >= body["pages"]:
            return found
        page += 1


def test_home_page_is_french_accessible_and_counts_everything(client, published):  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    page = response.data.decode()
    doc = lxml_html.fromstring(page)
    assert doc.get("lang") == "fr"
    assert doc.xpath("//meta[@name='viewport']")
    skip = doc.xpath("//a[@class='skip-link']")[0]
    assert skip.get("href") == "#contenu" and doc.xpath("//main[@id='contenu']")
    assert doc.xpath("//header[@role='banner']") and doc.xpath("//footer") and doc.xpath("//nav[@aria-label]")
    # every form control has a label
    for control in doc.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("name")
    total = doc.xpath("//*[contains(@class,'total')]")[0].text_content().strip()
    assert total == f"{len(published.live)} innovations"
    assert len(published.live) == 30
    # no external resource: nothing is reachable from here
    assert not re.search(r'(src|href)="https?://(?!carrefour\.test)[^"]*\.(css|js)', page)


def test_facets_show_human_labels_and_counts(client):  # type: ignore[no-untyped-def]
    page = client.get("/").data.decode()
    doc = lxml_html.fromstring(page)
    labels = {
        re.sub(r"\s+", " ", lab.text_content()).strip() for lab in doc.xpath("//fieldset[@id='facette-theme']//label")
    }
    expected_env = sum(
        1
        for r in RECORDS
        if r[1] in {"p-001", "p-002", "p-003", "p-005", "a-101", "a-102", "a-104", "a-108", "t-202", "t-205", "t-206"}
    )
    assert f"Environnement ({expected_env} innovations)" in labels
    sources = {
        re.sub(r"\s+", " ", lab.text_content()).strip() for lab in doc.xpath("//fieldset[@id='facette-source']//label")
    }
    assert "Fondation pour l'innovation solidaire (8 innovations)" in sources
    body = api(client)
    theme_facets = {f["value"]: f for f in body["facets"]["theme"]}
    assert theme_facets["ENV"]["label"] == "Environnement" and theme_facets["ENV"]["count"] == expected_env
    region_facets = {f["value"]: f["count"] for f in body["facets"]["region"]}
    assert region_facets["Bretagne"] == sum(1 for r in RECORDS if r[8] == "Bretagne")
    assert {f["value"] for f in body["facets"]["source"]} == set(SOURCES)


def test_theme_filter_returns_exactly_the_records_of_that_theme(client):  # type: ignore[no-untyped-def]
    found = all_ids(client, "theme=ENV")
    expected_facet = {f["value"]: f["count"] for f in api(client)["facets"]["theme"]}["ENV"]
    assert len(found) == expected_facet
    for item in api(client, "theme=ENV")["results"]:
        assert "ENV" in [t["code"] for t in item["themes"]]
    assert record_id("fondation", "p-001") in found  # Alimentation -> ENV/ALI -> ENV
    assert record_id("territoires", "t-201") not in found  # budget participatif: DEM only


def test_sub_theme_filter(client):  # type: ignore[no-untyped-def]
    found = all_ids(client, "theme=ENV/ALI")
    assert found == ids_of([r for r in RECORDS if r[1] in {"p-001", "p-002", "a-104", "t-202"}])


def test_combined_filters_intersect_across_facets_and_unite_within_one(client):  # type: ignore[no-untyped-def]
    assert all_ids(client, "theme=ENV&region=Bretagne") == ids_of([r for r in RECORDS if r[1] in {"p-001", "a-101"}])
    assert all_ids(client, "region=Bretagne&region=Normandie") == ids_of(
        [r for r in RECORDS if r[8] in {"Bretagne", "Normandie"}]
    )
    assert all_ids(client, "source=fondation&region=Occitanie") == ids_of(
        [r for r in RECORDS if r[0] == "fondation" and r[8] == "Occitanie"]
    )
    # a facet with a selection keeps offering its other values, counted without its own filter
    regions = {f["value"]: f for f in api(client, "region=Bretagne&theme=ENV")["facets"]["region"]}
    assert regions["Bretagne"]["selected"] and regions["Bretagne"]["count"] == 2
    assert not regions["Occitanie"]["selected"] and regions["Occitanie"]["count"] == 1  # p-002 only
    themes = {f["value"]: f for f in api(client, "theme=ENV/ALI&region=Bretagne")["facets"]["theme"]}
    assert themes["ENV/ALI"] == {"value": "ENV/ALI", "label": "Alimentation durable", "count": 1, "selected": True}
    page = client.get("/?theme=ENV&region=Bretagne&source=avise").data.decode()
    assert "1 innovation<" in page and "Coopérative d&#39;énergie citoyenne" in page


def test_results_show_title_link_summary_place_organisation_source(client, published):  # type: ignore[no-untyped-def]
    rid = record_id("fondation", "p-001")
    doc = lxml_html.fromstring(client.get("/?q=potager").data.decode())
    results = doc.xpath("//li[contains(@class,'result')]")
    assert results
    first = results[0]
    link = first.xpath(".//h3/a")[0]
    assert link.text_content() == "Un jardin potager au pied des immeubles"
    assert link.get("href") == f"/id/innovation/{rid}"
    text = re.sub(r"\s+", " ", first.text_content())
    assert "Des habitants cultivent ensemble un potager" in text
    assert "Rennes, Bretagne" in text
    assert "Association Les Mains Vertes" in text
    assert "Fondation pour l'innovation solidaire" in text
    assert client.get(link.get("href")).status_code == 200


def test_plural_finds_singular_by_french_stemming(client):  # type: ignore[no-untyped-def]
    rid = record_id("fondation", "p-001")
    row = next(r for r in RECORDS if r[1] == "p-001")
    text = " ".join(str(v) for v in row).lower()
    assert "jardins" not in text and "parcelles" not in text  # only the singulars are written
    assert rid in {r["id"] for r in api(client, "q=jardins")["results"]}
    assert rid in {r["id"] for r in api(client, "q=parcelles")["results"]}
    # accents do not matter either
    assert record_id("avise", "a-101") in {r["id"] for r in api(client, "q=energie+citoyenne")["results"]}


def test_pagination_walks_every_result_once(client, published):  # type: ignore[no-untyped-def]
    first = api(client)
    assert first["total"] == 30 and first["pages"] == 3 and len(first["results"]) == 10
    assert first["next"] == "/api/search?page=2" and first["previous"] is None
    assert all_ids(client) == set(published.live)
    page2 = client.get("/?page=2").data.decode()
    assert 'rel="next"' in page2 and 'rel="prev"' in page2 and 'aria-current="page"' in page2
    assert 'href="/?page=3"' in page2
    beyond = client.get("/?page=9")
    assert beyond.status_code == 200 and "au-delà des résultats" in beyond.data.decode()


def test_nothing_matches_says_what_to_do(client):  # type: ignore[no-untyped-def]
    response = client.get("/?q=zeppelinophile&theme=ENV")
    assert response.status_code == 200
    page = html.unescape(response.data.decode())
    assert "0 innovation<" in page
    assert "Aucune innovation ne correspond à votre recherche « zeppelinophile »" in page
    assert "retirez les filtres" in page
    assert api(client, "q=zeppelinophile")["total"] == 0


@pytest.mark.parametrize("q", [":", "a AND"])
def test_unreadable_query_is_a_clear_400(client, q):  # type: ignore[no-untyped-def]
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 400
    page = html.unescape(response.data.decode())
    assert 'role="alert"' in page and "n'a pas pu être lue" in page and "Écrivez des mots simples" in page
    api_response = client.get("/api/search", query_string={"q": q})
    assert api_response.status_code == 400 and "mots simples" in api_response.json["message"]


@pytest.mark.parametrize(
    "query, words",
    [
        ("page=abc", "n'est pas un nombre entier"),
        ("page=0", "compris entre 1"),
        ("theme=XYZ", "La thématique « XYZ » n'existe pas"),
        ("colour=red", "Paramètre inconnu : colour"),
    ],
)
def test_bad_parameters_are_400_in_french(client, query, words):  # type: ignore[no-untyped-def]
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert words in html.unescape(response.data.decode())
    api_response = client.get(f"/api/search?{query}")
    assert api_response.status_code == 400 and words in api_response.json["message"]


def test_user_text_is_escaped(client):  # type: ignore[no-untyped-def]
    page = client.get("/", query_string={"q": "<script>alert(1)</script>"}).data.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_api_result_shape(client):  # type: ignore[no-untyped-def]
    body = api(client, "q=ressourcerie")
    assert body["query"] == "ressourcerie" and body["total"] == 1
    item = body["results"][0]
    assert item["id"] == record_id("fondation", "p-003")
    assert item["uri"] == f"http://carrefour.test/id/innovation/{item['id']}"
    assert item["commune"] == ["Die"] and item["region"] == ["Auvergne-Rhône-Alpes"]
    assert item["organisation"] == ["Ressourcerie du Diois"]
    assert item["source"] == "fondation" and item["source_label"] == "Fondation pour l'innovation solidaire"
    assert {"code": "ENV/GES", "label": "Gestion des déchets"} not in item["themes"]  # top themes only
    assert {"code": "ENV", "label": "Environnement"} in item["themes"]


def test_unknown_page_is_a_french_404(client):  # type: ignore[no-untyped-def]
    response = client.get("/nulle-part", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Page introuvable" in response.data.decode()


def test_an_unexpected_failure_is_a_french_500_not_a_crash(client, published, monkeypatch):  # type: ignore[no-untyped-def]
    index = published.app.extensions["carrefour"].aggregate.index

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("index hors service")

    monkeypatch.setattr(index, "search", broken)
    response = client.get("/?q=jardin", headers={"Accept": "text/html"})
    assert response.status_code == 500
    page = html.unescape(response.data.decode())
    assert "Erreur interne" in page and "index hors service" not in page
    assert client.get("/api/search").status_code == 500
    assert client.get("/api/search").json["error"] == "Erreur interne"
    monkeypatch.undo()
    assert client.get("/?q=jardin").status_code == 200


# The map: /api/search/points and the map section of the page ---------------------------------
def points(client, query: str = "") -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/api/search/points" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("application/json")
    return response.json


@pytest.mark.parametrize(
    "query, keep",
    [
        ("", lambda r: True),
        ("theme=ENV&region=Bretagne", lambda r: r[1] in {"p-001", "a-101"}),
        ("region=Bretagne&region=Normandie", lambda r: r[8] in {"Bretagne", "Normandie"}),
        ("source=fondation&region=Occitanie", lambda r: r[0] == "fondation" and r[8] == "Occitanie"),
        ("q=jardins&page=2", lambda r: r[1] == "p-001"),  # page is accepted and ignored: all results
        ("q=zeppelinophile", lambda r: False),
    ],
)
def test_points_are_exactly_the_located_results_of_the_search(client, query, keep):  # type: ignore[no-untyped-def]
    body = points(client, query)
    expected = {record_id(r[0], r[1]): r for r in RECORDS if keep(r) and r[12] and r[13]}
    assert {p["id"] for p in body["points"]} == set(expected)
    assert body["located"] == len(body["points"]) == body["total"] and body["truncated"] is False
    # the same results as the list, every page of it
    assert {p["id"] for p in body["points"]} == (all_ids(client, query.replace("&page=2", "")) if expected else set())
    for point in body["points"]:
        row = expected[point["id"]]
        assert point["title"] == row[2]
        assert point["lat"] == pytest.approx(float(row[12])) and point["lon"] == pytest.approx(float(row[13]))
        assert point["url"] == f"/id/innovation/{point['id']}"
        assert set(point) == {"id", "title", "lat", "lon", "url"}


def test_points_leave_out_the_results_without_coordinates(client, published, monkeypatch):  # type: ignore[no-untyped-def]
    index = published.app.extensions["carrefour"].aggregate.index
    search = index.search
    unlocated = {record_id("fondation", "p-001"), record_id("avise", "a-101")}

    def without_some_coordinates(*args, **kwargs):  # type: ignore[no-untyped-def]
        results = search(*args, **kwargs)
        for hit in results.hits:
            if hit["id"] in unlocated:
                hit.pop("lat", None)
                hit["lon"] = None
        return results

    monkeypatch.setattr(index, "search", without_some_coordinates)
    body = points(client, "region=Bretagne")
    bretagne = {record_id(r[0], r[1]) for r in RECORDS if r[8] == "Bretagne"}
    assert body["total"] == len(bretagne) and body["located"] == len(bretagne) - 2
    assert {p["id"] for p in body["points"]} == bretagne - unlocated


@pytest.mark.parametrize(
    "query, words",
    [
        ("page=abc", "n'est pas un nombre entier"),
        ("theme=XYZ", "La thématique « XYZ » n'existe pas"),
        ("colour=red", "Paramètre inconnu : colour"),
        ("q=a+AND", "n'a pas pu être lue"),
        ("q=" + "x" * 501, "La recherche est trop longue"),
    ],
)
def test_points_bad_parameters_are_400_in_french(client, query, words):  # type: ignore[no-untyped-def]
    response = client.get(f"/api/search/points?{query}")
    assert response.status_code == 400 and response.content_type.startswith("application/json")
    assert words in response.json["message"] and response.json["status"] == 400


def test_the_map_section_is_hidden_until_drawn_and_asks_for_the_same_search(client):  # type: ignore[no-untyped-def]
    doc = lxml_html.fromstring(client.get("/?q=jardins&theme=ENV&page=1").data.decode())
    section = doc.xpath("//section[@id='carte-section']")[0]
    assert section.get("hidden") is not None  # without JavaScript, the list alone
    assert section.get("data-points") == "/api/search/points?q=jardins&theme=ENV"
    assert section.get("data-outline") == "/static/vendor/france.geojson"
    assert section.xpath(".//h2[@id='carte-titre']") and section.get("aria-labelledby") == "carte-titre"
    assert section.xpath(".//div[@id='carte'][@aria-hidden='true']")
    scripts = [s.get("src") for s in doc.xpath("//script[@src]")]
    assert scripts == ["/static/vendor/leaflet/leaflet.js", "/static/map.js"]
    # nothing to map: no map, no Leaflet
    empty = lxml_html.fromstring(client.get("/?q=zeppelinophile").data.decode())
    assert not empty.xpath("//section[@id='carte-section']") and not empty.xpath("//script[@src]")
