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
            [
                sys.executable,
                "-m",
                "aggregator.cli",
                "demo",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
                "--samples-port",
                str(free_port()),
            ],
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


def test_a_second_demo_on_the_same_data_finds_everything_unchanged(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aggregator.cli import main
    from aggregator.state import StateDB

    data_dir, samples_port = tmp_path / "data", str(free_port())
    args = ["demo", "--data-dir", str(data_dir), "--no-serve", "--samples-port", samples_port]
    for _ in range(2):
        result = CliRunner().invoke(main, args, env={"COLUMNS": "200"}, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    state = StateDB(data_dir / "state.sqlite3")
    second = state.runs(limit=6)
    state.close()
    assert len(second) == 6
    for run in second:
        assert (run.new, run.updated, run.deleted, run.failed) == (0, 0, 0, 0), run


def test_a_taken_port_is_a_clear_error_before_any_work(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aggregator.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (["serve", "--port", port], ["demo", "--port", port]):
            result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)], catch_exceptions=False)
            assert result.exit_code != 0
            assert f"le port {port} de 127.0.0.1 est déjà pris" in result.output, result.output
            assert not (tmp_path / "store").exists(), "nothing is harvested when the portal cannot start"
    result = CliRunner().invoke(main, ["serve", "--port", "-5"], catch_exceptions=False)
    assert result.exit_code != 0 and "-5" in result.output
