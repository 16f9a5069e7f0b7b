"""Crosswalk expressions are checked when the file is read, and the ``microdata:`` selector."""

from pathlib import Path

import pytest

from aggregator.crosswalk import Crosswalk, CrosswalkError, microdata_items
from aggregator.records import HarvestedRecord


def load(tmp_path: Path, text: str) -> Crosswalk:
    import yaml

    path = tmp_path / "source.yaml"
    path.write_text(text, encoding="utf-8")
    return Crosswalk.from_declaration(yaml.safe_load(text)["crosswalk"], path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "crosswalk:\n  namespaces:\n    dc: http://purl.org/dc/elements/1.1/\n  fields:\n"
            "    title: dc:title\n    summary: //zz:title\n",
            r"source\.yaml, ligne 6 : .*préfixe d'espace de noms « zz » non déclaré .*déclarés .* : dc\)",
        ),
        (
            "crosswalk:\n  fields:\n    title:\n      xpath: //dc:title\n",
            r"ligne 4 : .*préfixe d'espace de noms « dc » non déclaré.*: aucun\)",
        ),
        (
            "crosswalk:\n  fields:\n    title: {css: 'zz|h1'}\n",
            r"ligne 3 : .*préfixe d'espace de noms « zz » non déclaré",
        ),
        (
            "crosswalk:\n  fields:\n    title: {xpath: 'inconnue(//h1)'}\n",
            r"ligne 3 : expression invalide dans « title »",
        ),
        ("crosswalk:\n  fields:\n    title: {css: 'h1::before'}\n", r"ligne 3 : expression invalide dans « title »"),
        (
            "crosswalk:\n  fields:\n    title: {css: h1}\n    started:\n      css: time\n      date: maybe\n",
            r"ligne 6 : « date » de « started » doit valoir true ou false, pas « maybe »",
        ),
        (
            "crosswalk:\n  fields:\n    title: {css: h1, strip_html: 2}\n",
            r"ligne 3 : « strip_html » de « title » doit valoir true ou false, pas « 2 »",
        ),
        (
            "crosswalk:\n  fields:\n    title: {css: h1}\n    website: {css: a, absolute_url: 'yes'}\n",
            r"ligne 4 : « absolute_url » de « website » doit valoir true ou false",
        ),
        (
            "crosswalk:\n  fields:\n    tags: {css: li, split: true}\n",
            r"ligne 3 : « split » de « tags » doit être un texte",
        ),
        (
            "crosswalk:\n  fields:\n    title: {css: h1, regex: 5}\n",
            r"ligne 3 : « regex » de « title » doit être un texte",
        ),
        (
            "crosswalk:\n  fields:\n    title: {css: h1, join: [1]}\n",
            r"ligne 3 : « join » de « title » doit être un texte",
        ),
        (
            "crosswalk:\n  fields:\n    title: {css: h1, default: {a: 1}}\n",
            r"ligne 3 : « default » de « title » doit être un texte",
        ),
    ],
)
def test_expression_and_option_errors_are_found_when_the_file_is_read(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CrosswalkError, match=message):
        load(tmp_path, text)


def test_prefixes_in_axes_strings_and_declared_namespaces_are_accepted(tmp_path: Path) -> None:
    cw = load(
        tmp_path,
        "crosswalk:\n  namespaces:\n    dc: http://purl.org/dc/elements/1.1/\n  fields:\n"
        "    title: \"/descendant-or-self::dc:title[not(contains(., 'x:y'))]\"\n"
        "    started: {xpath: //dc:date, date: true}\n",
    )
    payload = b'<r xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Un jardin</dc:title></r>'
    assert cw.apply(HarvestedRecord("s", "1", payload, "application/xml")).values["title"] == ["Un jardin"]


PAGE = """<!doctype html><html><head><title>Portrait</title></head><body>
<article itemscope itemtype="https://schema.org/Project" itemid="https://ex.org/p/1">
  <h1 itemprop="name">Le jardin des Voisins</h1>
  <p itemprop="description">Un potager <em>partagé</em> au pied des immeubles.</p>
  <meta itemprop="foundingDate" content="2019-04-01">
  <a itemprop="url" href="https://jardin.example.org/">site</a>
  <img itemprop="image" src="/img/jardin.jpg" alt="">
  <span itemprop="keywords">Alimentation</span>, <span itemprop="keywords">Lien social</span>
  <div itemprop="location" itemscope itemtype="https://schema.org/Place">
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <span itemprop="addressLocality">Die</span> <span itemprop="postalCode">26150</span>
    </div>
  </div>
  <div itemprop="sponsor funder" itemscope itemtype="https://schema.org/Organization">
    <span itemprop="name">Mairie de Die</span>
  </div>
  <p>Mis à jour le <time itemprop="dateModified" datetime="2024-02-03">3 février</time></p>
</article>
<aside itemscope itemtype="https://schema.org/BreadcrumbList"><span itemprop="name">Accueil</span></aside>
</body></html>"""


def test_microdata_items_are_read_into_dicts() -> None:
    import lxml.html

    project, breadcrumb = microdata_items(lxml.html.document_fromstring(PAGE))
    assert project["@type"] == "Project" and project["@id"] == "https://ex.org/p/1"
    assert project["name"] == "Le jardin des Voisins"
    assert project["description"] == "Un potager partagé au pied des immeubles."
    assert (project["foundingDate"], project["dateModified"]) == ("2019-04-01", "2024-02-03")
    assert (project["url"], project["image"]) == ("https://jardin.example.org/", "/img/jardin.jpg")
    assert project["keywords"] == ["Alimentation", "Lien social"]
    assert project["location"]["address"] == {"@type": "PostalAddress", "addressLocality": "Die", "postalCode": "26150"}
    assert project["sponsor"] == project["funder"] == {"@type": "Organization", "name": "Mairie de Die"}
    assert "name" not in project["location"]  # a nested item's properties stay in it
    assert breadcrumb == {"@type": "BreadcrumbList", "name": "Accueil"}


def test_the_microdata_selector_uses_the_path_syntax(tmp_path: Path) -> None:
    cw = load(
        tmp_path,
        "crosswalk:\n  fields:\n    title: {microdata: 'name'}\n"
        "    started: {microdata: 'foundingDate'}\n    tags: {microdata: 'keywords[]'}\n"
        "    commune: {microdata: location.address.addressLocality}\n"
        "    website: {microdata: 'url'}\n    image: {microdata: image, absolute_url: true}\n"
        "  organisations:\n    - each: {microdata: 'sponsor'}\n      fields:\n        name: {microdata: name}\n",
    )
    record = HarvestedRecord("s", "1", PAGE.encode(), "text/html", url="https://portraits.example.org/p/1")
    mapped = cw.apply(record)
    assert mapped.values["title"] == ["Le jardin des Voisins"]  # the breadcrumb's name comes second
    assert mapped.values["started"] == ["2019-04-01"]
    assert mapped.values["tags"] == ["Alimentation", "Lien social"]
    assert mapped.values["commune"] == ["Die"]
    assert mapped.values["image"] == ["https://portraits.example.org/img/jardin.jpg"]
    assert [o.first("name") for o in mapped.organisations] == ["Mairie de Die"]
