"""The search page in a real headless Chromium: a person searching, filtering, on a desk and on a phone.

Chromium and ChromeDriver come from Debian (``.ci/run`` installs them); axe-core, from npm,
checks accessibility in the rendered page.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.paths import REPO

pytestmark = pytest.mark.integration

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "install Debian's chromium and chromium-driver (see .ci/run)"
    profile = tempfile.mkdtemp(prefix="carrefour-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)


def submit(browser: webdriver.Chrome, button_selector: str) -> None:
    """Click a submit button and wait for the next page, so nothing is read from the old one."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, button_selector).click()
    WebDriverWait(browser, 10).until(ready.staleness_of(old))


def total_shown(browser: webdriver.Chrome) -> int:
    heading = WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.ID, "resultats-titre")))
    return int("".join(c for c in heading.text if c.isdigit()))


def test_search_then_filter_by_a_facet(browser: webdriver.Chrome, live_server: str) -> None:
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    everything = total_shown(browser)

    box = browser.find_element(By.ID, "q")
    box.send_keys("jardins")
    submit(browser, "form.search-form button[type=submit]")
    found = total_shown(browser)
    assert 0 < found < everything
    titles = [a.text.lower() for a in browser.find_elements(By.CSS_SELECTOR, ".result-list .result a")]
    assert any("jardin" in t for t in titles)

    facet = browser.find_element(By.CSS_SELECTOR, "#facette-theme input[type=checkbox]")
    label = browser.find_element(By.CSS_SELECTOR, f"label[for='{facet.get_attribute('id')}']").text
    expected = int(label.rsplit("(", 1)[1].split()[0].rstrip(")"))
    facet.click()
    submit(browser, "aside.facets button[type=submit]")
    assert total_shown(browser) == expected
    assert "theme=" in browser.current_url


def test_the_skip_link_is_the_first_stop_of_the_keyboard(browser: webdriver.Chrome, live_server: str) -> None:
    browser.get(live_server + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys("\ue004")  # Tab
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link"
    assert focused.get_attribute("href").endswith("#contenu")


def test_no_horizontal_scrolling_on_a_phone(browser: webdriver.Chrome, live_server: str) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(live_server + "/?q=jardins")
        total_shown(browser)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        browser.set_window_size(1280, 900)


@pytest.mark.parametrize("path", ["/", "/?q=jardins", "/?q=zzzzzz", "/sparql"])
def test_no_serious_accessibility_violation(browser: webdriver.Chrome, live_server: str, path: str) -> None:
    assert AXE.is_file(), "run `make assets` (npm install) to get axe-core"
    browser.get(live_server + path)
    browser.execute_script(Path(AXE).read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))));"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
