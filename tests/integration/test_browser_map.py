"""The map of the search page in a real headless Chromium: the outline of France with no tile server,
one marker per located result of the current search, popups linking to the records, accessibility.

Same Chromium as ``test_browser_search.py`` (its ``browser`` fixture is reused); Leaflet and the
outline come from ``make assets``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from aggregator.records import record_id
from tests.integration import test_browser_search as search_page
from tests.integration.conftest import RECORDS
from tests.paths import REPO

pytestmark = pytest.mark.integration

browser = search_page.browser  # one module-scoped Chromium, set up like the search page's tests
OUTLINE = REPO / "endpoint" / "static" / "vendor" / "france.geojson"


def located(keep) -> set[str]:  # type: ignore[no-untyped-def]
    return {record_id(r[0], r[1]) for r in RECORDS if keep(r) and r[12] and r[13]}


def map_ready(browser: webdriver.Chrome) -> webdriver.remote.webelement.WebElement:
    """The map section once map.js has drawn the outline and the markers."""
    section = WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.ID, "carte-section")))
    WebDriverWait(browser, 10).until(lambda _: section.get_attribute("data-state") in ("ready", "error"))
    assert section.get_attribute("data-state") == "ready"
    return section


def markers(browser: webdriver.Chrome) -> dict[str, webdriver.remote.webelement.WebElement]:
    found = browser.find_elements(By.CSS_SELECTOR, "#carte path.carte-point")
    return {m.get_attribute("data-id"): m for m in found}


def test_the_map_draws_france_and_every_located_result_not_just_the_page(
    browser: webdriver.Chrome, live_server: str
) -> None:
    assert OUTLINE.is_file(), "run `make assets` to build the outline of France"
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/")
    section = map_ready(browser)
    assert section.is_displayed()
    assert not browser.find_elements(By.CSS_SELECTOR, "#carte .leaflet-tile-pane img")  # no tile at all
    outline = browser.find_element(By.CSS_SELECTOR, "#carte .leaflet-overlay-pane svg path.carte-france")
    assert len(outline.get_attribute("d")) > 1000  # metropolitan France, Corsica and overseas
    assert outline.size["width"] > 100 and outline.size["height"] > 100
    everything = located(lambda r: True)
    shown = markers(browser)
    assert set(shown) == everything and len(everything) == 30  # 30 markers, 10 results a page
    assert len(browser.find_elements(By.CSS_SELECTOR, ".result-list .result")) == 10
    assert section.get_attribute("data-located") == "30"
    summary = browser.find_element(By.ID, "carte-resume").text
    assert summary == "30 innovations localisées sur la carte ; la liste des résultats les donne toutes."
    # beside the results on a desk
    results = browser.find_element(By.CSS_SELECTOR, "section.results").rect
    assert section.rect["x"] >= results["x"] + results["width"]
    assert abs(section.rect["y"] - results["y"]) < 50


def test_a_query_and_a_facet_filter_change_the_markers(browser: webdriver.Chrome, live_server: str) -> None:
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/?q=insertion")
    map_ready(browser)
    with_query = set(markers(browser))
    listed = {a.get_attribute("href").rsplit("/", 1)[1] for a in browser.find_elements(By.CSS_SELECTOR, ".result h3 a")}
    assert with_query == listed and 0 < len(listed) == search_page.total_shown(browser) < 10  # one page: all of them

    browser.get(live_server + "/")
    map_ready(browser)
    facet = browser.find_element(By.CSS_SELECTOR, "#facette-region input[value='Bretagne']")
    facet.click()
    search_page.submit(browser, "aside.facets button[type=submit]")
    map_ready(browser)
    bretagne = located(lambda r: r[8] == "Bretagne")
    assert set(markers(browser)) == bretagne and len(bretagne) == 3
    assert browser.find_element(By.ID, "carte-resume").text.startswith("3 innovations localisées")


def test_clicking_a_marker_opens_a_popup_linking_to_the_record(browser: webdriver.Chrome, live_server: str) -> None:
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/?q=ressourcerie")
    map_ready(browser)
    rid = record_id("fondation", "p-003")
    assert browser.find_element(By.ID, "carte-resume").text.startswith("1 innovation localisée sur la carte")
    marker = markers(browser)[rid]
    marker.click()
    link = WebDriverWait(browser, 10).until(
        ready.visibility_of_element_located((By.CSS_SELECTOR, "#carte .leaflet-popup-content a"))
    )
    assert link.text == "Ressourcerie du pays de Die"
    assert link.get_attribute("href") == f"{live_server}/id/innovation/{rid}"
    old = browser.find_element(By.TAG_NAME, "html")
    link.click()
    WebDriverWait(browser, 10).until(ready.staleness_of(old))
    assert browser.current_url == f"{live_server}/id/innovation/{rid}"
    assert "Ressourcerie du pays de Die" in browser.find_element(By.TAG_NAME, "h1").text


def test_the_map_comes_last_and_scrolls_nothing_sideways_on_a_phone(
    browser: webdriver.Chrome, live_server: str
) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(live_server + "/?q=jardins")
        section = map_ready(browser)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        for other in ("section.results", "aside.facets"):
            box = browser.find_element(By.CSS_SELECTOR, other).rect
            assert section.rect["y"] >= box["y"] + box["height"]
        assert markers(browser)
    finally:
        browser.set_window_size(1280, 900)


def test_the_map_stays_out_of_the_keyboard_and_screen_reader_path(browser: webdriver.Chrome, live_server: str) -> None:
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/?q=ressourcerie")
    map_ready(browser)
    assert browser.find_element(By.ID, "carte").get_attribute("aria-hidden") == "true"
    markers(browser)[record_id("fondation", "p-003")].click()
    WebDriverWait(browser, 10).until(ready.visibility_of_element_located((By.CSS_SELECTOR, ".leaflet-popup")))
    reachable = browser.execute_script(
        "return [...document.querySelectorAll('#carte a, #carte button, #carte [tabindex]')]"
        ".filter(e => e.tabIndex >= 0).length"
    )
    assert reachable == 0


def axe_violations(browser: webdriver.Chrome) -> list[dict[str, object]]:
    browser.execute_script(Path(search_page.AXE).read_text(encoding="utf-8"))
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))));"
    )


@pytest.mark.parametrize("path, popup", [("/", False), ("/?q=ressourcerie", True), ("/?region=Bretagne", False)])
def test_no_serious_accessibility_violation_with_the_map(
    browser: webdriver.Chrome, live_server: str, path: str, popup: bool
) -> None:
    assert search_page.AXE.is_file(), "run `make assets` (npm install) to get axe-core"
    browser.set_window_size(1280, 900)
    browser.get(live_server + path)
    map_ready(browser)
    if popup:
        next(iter(markers(browser).values())).click()
        popup = WebDriverWait(browser, 10).until(
            ready.visibility_of_element_located((By.CSS_SELECTOR, ".leaflet-popup"))
        )
        WebDriverWait(browser, 10).until(lambda _: popup.value_of_css_property("opacity") == "1")  # faded in
    serious = [v for v in axe_violations(browser) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
