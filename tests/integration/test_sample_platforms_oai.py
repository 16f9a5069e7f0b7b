"""The sample platforms over HTTP: OAI-PMH validity and harvest, feeds, HTML, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.robotparser
from collections.abc import Iterator

import feedparser
import pytest
import requests
from lxml import etree, html
from sickle import Sickle

from sample_platforms.catalogue import deleted_records, personal_data_keys, platform_records
from sample_platforms.server import SamplePlatforms, run_in_background
from tests.oai_schemas import assert_valid_oai

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture(scope="module")
def platforms() -> Iterator[SamplePlatforms]:
    with run_in_background() as running:
        yield running


@pytest.fixture(scope="module")
def oai_url(platforms: SamplePlatforms) -> str:
    return f"{platforms.url}/fondation/oai"


def _valid(response: requests.Response) -> etree._Element:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    return assert_valid_oai(response.content)


def _get(url: str, **params: str) -> etree._Element:
    return _valid(requests.get(url, params=params, timeout=10))


def _error_code(root: etree._Element) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


def test_run_in_background_picks_a_port_and_stops(platforms: SamplePlatforms) -> None:
    assert platforms.port > 0 and platforms.url == f"http://127.0.0.1:{platforms.port}"
    with run_in_background() as other:
        assert other.port != platforms.port
        assert requests.get(other.url + "/", timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(other.url + "/", timeout=2)


def test_index_lists_every_platform(platforms: SamplePlatforms) -> None:
    page = requests.get(platforms.url + "/", timeout=5).text
    for path in (
        "/fondation/oai",
        "/reseau/feed/",
        "/territoires/atom.xml",
        "/portraits/",
        "/laureats/laureats.csv",
        "/atlas/actions.json",
    ):
        assert platforms.url + path in page


def test_sickle_harvests_every_live_and_deleted_record(oai_url: str) -> None:
    records = list(Sickle(oai_url).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    live = [r for r in records if not r.deleted]
    deleted = [r for r in records if r.deleted]
    assert len(live) == len(platform_records("fondation")) == 115
    assert len(deleted) == len(deleted_records("fondation")) == 4
    expected = {f"oai:fondation.example.org:{r.key}" for r in platform_records("fondation")}
    assert {r.header.identifier for r in live} == expected
    sample = live[0].metadata
    assert sample["type"] == ["Projet"] and sample["language"] == ["fre"]
    assert len(sample["coverage"]) == 2 and re.fullmatch(r".+ \(\w{2,3}\)", sample["coverage"][0])
    assert any(i.endswith(".example.org/") for i in sample["identifier"])
    assert any("/fondation/projets/" in i for i in sample["identifier"])


def test_every_page_of_every_verb_is_schema_valid(oai_url: str) -> None:
    identify = _get(oai_url, verb="Identify")
    assert identify.findtext(f"{OAI}Identify/{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}Identify/{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(f"{OAI}Identify/{OAI}baseURL") == oai_url
    formats = _get(oai_url, verb="ListMetadataFormats")
    assert [e.text for e in formats.iter(f"{OAI}metadataPrefix")] == ["oai_dc"]
    sets = _get(oai_url, verb="ListSets")
    specs = [e.text for e in sets.iter(f"{OAI}setSpec")]
    assert len(specs) == 16 and "theme:EDU" in specs
    key = platform_records("fondation")[0].key
    _get(oai_url, verb="ListMetadataFormats", identifier=f"oai:fondation.example.org:{key}")
    record = _get(oai_url, verb="GetRecord", identifier=f"oai:fondation.example.org:{key}", metadataPrefix="oai_dc")
    assert record.find(f".//{OAI}metadata") is not None
    gone = deleted_records("fondation")[0].key
    tomb = _get(oai_url, verb="GetRecord", identifier=f"oai:fondation.example.org:{gone}", metadataPrefix="oai_dc")
    assert tomb.find(f".//{OAI}header").get("status") == "deleted"
    assert tomb.find(f".//{OAI}metadata") is None
    for verb in ("ListIdentifiers", "ListRecords"):
        seen, cursors = [], []
        root = _get(oai_url, verb=verb, metadataPrefix="oai_dc")
        while True:
            seen += [e.text for e in root.iter(f"{OAI}identifier") if e.getparent().tag == f"{OAI}header"]
            token = root.find(f".//{OAI}resumptionToken")
            assert token is not None and token.get("completeListSize") == "119"
            cursors.append(int(token.get("cursor")))
            if not token.text:
                break
            root = _get(oai_url, verb=verb, resumptionToken=token.text)
        assert len(seen) == len(set(seen)) == 119
        assert cursors == [0, 25, 50, 75, 100]


def test_post_requests_are_answered_like_get(oai_url: str) -> None:
    root = _valid(requests.post(oai_url, data={"verb": "ListRecords", "metadataPrefix": "oai_dc"}, timeout=10))
    assert len(root.findall(f".//{OAI}record")) == 25


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "hier"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-07-01", "until": "2025-01-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme:XYZ"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:fondation.example.org:x"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "n'importe-quoi"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "abc"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "oai:ailleurs:1", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "oai:fondation.example.org:absent"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
    ],
)
def test_errors_are_schema_valid(oai_url: str, params: dict[str, object], code: str) -> None:
    root = _valid(requests.get(oai_url, params=params, timeout=10))
    assert _error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert dict(root.find(f"{OAI}request").attrib) == {}


def test_cannot_disseminate_on_get_record(oai_url: str) -> None:
    key = platform_records("fondation")[0].key
    root = _get(oai_url, verb="GetRecord", identifier=f"oai:fondation.example.org:{key}", metadataPrefix="mods")
    assert _error_code(root) == "cannotDisseminateFormat"


def test_from_until_and_sets_select_records(oai_url: str) -> None:
    items = sorted(platform_records("fondation") + deleted_records("fondation"), key=lambda r: r.updated)
    middle = items[60].updated.strftime("%Y-%m-%dT%H:%M:%SZ")
    expected_from = sum(1 for r in items if r.updated >= items[60].updated)
    records = list(Sickle(oai_url).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": middle}))
    assert len(records) == expected_from
    until = list(Sickle(oai_url).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False, until=middle))
    assert len(until) == len(items) - expected_from + 1
    day = items[60].updated.date().isoformat()
    one_day = list(
        Sickle(oai_url).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": day, "until": day})
    )
    assert len(one_day) == sum(1 for r in items if r.updated.date().isoformat() == day) >= 1
    edu = list(Sickle(oai_url).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False, set="theme:EDU"))
    assert len(edu) == sum(1 for r in items if "EDU" in r.top_themes) > 0
    assert all("theme:EDU" in h.setSpecs for h in edu)


def _feed(url: str) -> tuple[requests.Response, feedparser.FeedParserDict]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


def test_rss_feed(platforms: SamplePlatforms) -> None:
    response, feed = _feed(platforms.url + "/reseau/feed/")
    assert feed.bozo == 0 and feed.version == "rss20"
    assert feed.feed.language == "fr-FR"
    assert len(feed.entries) == 45
    entry = feed.entries[0]
    assert re.fullmatch(r"reseau-\d+", entry.id) and entry.guidislink is False
    assert entry.link.startswith(platforms.url + "/reseau/initiatives/")
    assert entry.author and entry.content[0].value and entry.summary
    domains = {t.get("scheme") for t in entry.tags}
    assert {"commune", "region", None} <= domains
    assert requests.get(entry.link, timeout=5).status_code == 200
    again = requests.get(
        platforms.url + "/reseau/feed/", headers={"If-None-Match": response.headers["ETag"]}, timeout=5
    )
    assert again.status_code == 304
    since = requests.get(
        platforms.url + "/reseau/feed/", headers={"If-Modified-Since": response.headers["Last-Modified"]}, timeout=5
    )
    assert since.status_code == 304


def test_atom_feed(platforms: SamplePlatforms) -> None:
    response, feed = _feed(platforms.url + "/territoires/atom.xml")
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.language == "fr"
    assert len(feed.entries) == 40
    entry = feed.entries[0]
    assert entry.id.startswith("tag:territoires.example.org,2024:")
    schemes = {t.scheme for t in entry.tags}
    assert {
        "https://territoires.example.org/themes",
        "https://territoires.example.org/communes",
        "https://territoires.example.org/regions",
    } <= schemes
    commune = next(t for t in entry.tags if t.scheme.endswith("/communes"))
    assert re.fullmatch(r"\d{5}|2[AB]\d{3}", commune.term) and commune.label
    lat, lon = (float(v) for v in entry.where["coordinates"][::-1])
    assert -90 <= lat <= 90 and -180 <= lon <= 180
    assert entry.content[0].type == "text/html" and entry.author
    again = requests.get(
        platforms.url + "/territoires/atom.xml", headers={"If-None-Match": response.headers["ETag"]}, timeout=5
    )
    assert again.status_code == 304


def test_portrait_listing_chains_to_every_detail_page(platforms: SamplePlatforms) -> None:
    url, details, pages = platforms.url + "/portraits/", [], 0
    while url:
        response = requests.get(url, timeout=5)
        assert response.status_code == 200
        document = html.fromstring(response.content)
        assert document.get("lang") == "fr"
        pages += 1
        cards = document.xpath('//article[@class="portrait-card"]')
        assert 1 <= len(cards) <= 12
        details += [
            response.url.split("/portraits/")[0] + a.get("href")
            for a in document.xpath('//article[@class="portrait-card"]/h2/a')
        ]
        assert len(document.xpath('//p[@class="chapo"]')) == len(cards)
        nxt = document.xpath('//nav[@class="pagination"]/a[@rel="next"]/@href')
        url = requests.compat.urljoin(response.url, nxt[0]) if nxt else ""
    assert pages == 6 and len(details) == len(set(details)) == 72
    json_ld = 0
    for link in details:
        page = requests.get(link, timeout=5)
        assert page.status_code == 200 and "charset=utf-8" in page.headers["Content-Type"]
        doc = html.fromstring(page.content)
        assert doc.xpath('string(//h1[@class="portrait-title"])')
        for cls in ("structure", "statut", "commune", "code-postal", "region", "date-lancement"):
            assert doc.xpath(f'string(//dl[@class="fiche"]/dd[@class="{cls}"])').strip(), cls
        assert re.fullmatch(r"[a-zéû]+ \d{4}", doc.xpath('string(//dd[@class="date-lancement"])'))
        assert doc.xpath('//a[@class="site-web"]/@href')[0].endswith(".example.org/")
        assert doc.xpath('//ul[@class="domaines"]/li')
        for script in doc.xpath('//script[@type="application/ld+json"]/text()'):
            data = json.loads(script)
            assert data["@type"] == "Project" and data["location"]["@type"] == "Place"
            json_ld += 1
    assert json_ld == 24
    assert requests.get(platforms.url + "/portraits/?page=7", timeout=5).status_code == 404
    assert requests.get(platforms.url + "/portraits/inconnu/", timeout=5).status_code == 404


def test_personal_contacts_appear_on_the_planted_pages(platforms: SamplePlatforms) -> None:
    keys = personal_data_keys()
    for record in platform_records("portraits"):
        body = requests.get(f"{platforms.url}/portraits/{record.key}/", timeout=5).text
        assert ("@example.net" in body) == (record.key in keys)


def test_robots_txt(platforms: SamplePlatforms) -> None:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(requests.get(platforms.url + "/robots.txt", timeout=5).text.splitlines())
    assert parser.can_fetch("CarrefourBot", platforms.url + "/portraits/?page=2")
    assert parser.can_fetch("CarrefourBot", platforms.url + "/portraits/une-fiche/")
    assert not parser.can_fetch("CarrefourBot", platforms.url + "/portraits/recherche?q=jardin")
    assert not parser.can_fetch("CarrefourBot", platforms.url + "/admin/")


def test_laureats_csv(platforms: SamplePlatforms) -> None:
    response = requests.get(platforms.url + "/laureats/laureats.csv", timeout=5)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline=""), delimiter=";"))
    assert len(rows) == 45
    assert list(rows[0]) == [
        "id",
        "nom_projet",
        "porteur",
        "statut_juridique",
        "resume",
        "thematiques",
        "commune",
        "code_insee",
        "code_postal",
        "departement",
        "region",
        "latitude",
        "longitude",
        "site_web",
        "annee_laureat",
    ]
    assert any(";" in row["resume"] for row in rows) and any('"' in row["resume"] for row in rows)
    assert {row["nom_projet"] for row in rows} == {r.title for r in platform_records("laureats")}
    assert all(float(row["latitude"]) and 2014 <= int(row["annee_laureat"]) <= 2024 for row in rows)


def test_atlas_json(platforms: SamplePlatforms) -> None:
    payload = requests.get(platforms.url + "/atlas/actions.json", timeout=5).json()
    actions = payload["actions"]
    assert len(actions) == 35 and payload["generated"]
    assert len({a["id"] for a in actions}) == 35
    for action in actions:
        assert isinstance(action["id"], int) and action["themes"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", action["date_mise_en_oeuvre"])
        assert set(action["geo"]) == {"lat", "lon"}
    assert sum(a["type_collectivite"] != "Autre" for a in actions) >= 30
