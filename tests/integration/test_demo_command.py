"""`carrefour demo`, as `make demo` runs it: sample platforms, harvest, portal, in one command."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.oai_schemas import assert_valid_oai
from tests.paths import REPO

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "demo.log"
    data_dir = tmp_path_factory.mktemp("demo-data")
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "demo", "--data-dir", str(data_dir), "--port", str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                if requests.get(base + "/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        else:
            pytest.fail("the portal did not come up:\n" + log.read_text())
        yield base, log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_demo_prints_the_three_addresses(demo: tuple[str, str]) -> None:
    base, output = demo
    for path in ("/", "/oai", "/sparql"):
        assert f"{base}{path}" in output


def test_demo_shows_progress_and_a_summary(demo: tuple[str, str]) -> None:
    _, output = demo
    assert "Moisson" in output and "inchangées" in output
    for source in Path(REPO / "mappings").glob("*.yaml"):
        assert source.stem in output


def test_search_page_lists_at_least_300_innovations(demo: tuple[str, str]) -> None:
    base, _ = demo
    answer = requests.get(base + "/api/search", timeout=10).json()
    assert answer["total"] >= 300
    assert len(answer["facets"]["source"]) >= 5
    page = requests.get(base + "/", timeout=10).text
    assert str(answer["total"]) in page.replace("\u202f", "").replace(" ", "")


def test_oai_list_records_is_valid(demo: tuple[str, str]) -> None:
    base, _ = demo
    response = requests.get(base + "/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc"}, timeout=30)
    root = assert_valid_oai(response.content)
    assert root.find(".//{http://www.openarchives.org/OAI/2.0/}record") is not None


def test_sparql_counts_the_innovations(demo: tuple[str, str]) -> None:
    base, _ = demo
    query = "SELECT (COUNT(?i) AS ?n) WHERE { ?i a <https://w3id.org/carrefour/vocab#SocialInnovation> }"
    answer = requests.get(
        base + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    ).json()
    assert int(answer["results"]["bindings"][0]["n"]["value"]) >= 300
