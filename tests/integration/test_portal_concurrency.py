"""A harvest next to a live portal: the portal reads, the harvest writes, and the new records show.

The embedded triple store (Oxigraph, RocksDB) has one writer process at a time. The portal opens it
read-only, so `carrefour harvest` (a cron next to `carrefour serve`) can write it; the portal reopens
it when it changed. Two writing commands at once: the second says so, in French, without a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from aggregator.store.oxigraph import OxigraphStore
from sample_platforms.catalogue import duplicate_pairs
from sample_platforms.server import run_in_background
from tests.paths import REPO

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def carrefour(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def eventually(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.fixture()
def portal(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """`carrefour serve` on an empty data folder (it starts before any harvest), and the samples."""
    data_dir = tmp_path / "data"
    port = free_port()
    with run_in_background() as samples:
        env = {
            "CARREFOUR_SAMPLES_URL": samples.url,
            "CARREFOUR_PORTAL_REFRESH_INTERVAL": "0.2",
            "CARREFOUR_BASE_URL": f"http://127.0.0.1:{port}",
        }
        log = (tmp_path / "serve.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:

            def up() -> bool:
                try:
                    return requests.get(f"{base}/api/search", timeout=2).status_code == 200
                except requests.ConnectionError:
                    return process.poll() is not None

            assert eventually(up, 30), (tmp_path / "serve.log").read_text()
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            yield base, data_dir, env
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def total(base: str, **params: str) -> int:
    return int(requests.get(f"{base}/api/search", params=params, timeout=10).json()["total"])


def test_a_harvest_beside_the_live_portal_shows_without_restarting_it(portal) -> None:  # type: ignore[no-untyped-def]
    base, data_dir, env = portal
    assert total(base) == 0

    result = carrefour("harvest", "--data-dir", str(data_dir), "atlas", env=env)
    assert result.returncode == 0, result.stderr
    assert "LOCK" not in result.stderr and "Traceback" not in result.stderr

    assert eventually(lambda: total(base) == 35), total(base)
    hit = requests.get(f"{base}/api/search", timeout=10).json()["results"][0]
    # The record's page reads the store: the portal reopened it (it was empty when it started).
    page = requests.get(f"{base}/id/innovation/{hit['id']}", headers={"Accept": "text/turtle"}, timeout=10)
    assert page.status_code == 200 and hit["title"] in page.text
    sparql = requests.get(
        f"{base}/sparql",
        params={"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert sparql.status_code == 200 and int(sparql.json()["results"]["bindings"][0]["n"]["value"]) >= 35

    # A second harvest while the portal still serves, and the read-only commands beside it.
    result = carrefour("harvest", "--data-dir", str(data_dir), "laureats", env=env)
    assert result.returncode == 0, result.stderr
    # The harvest links duplicates across the two sources: each planted pair shows as one hit.
    pairs = [p for p in duplicate_pairs() if {p[0].split(":")[0], p[1].split(":")[0]} == {"atlas", "laureats"}]
    expected = 35 + 45 - len(pairs)
    assert eventually(lambda: total(base) == expected), total(base)
    for command in (["runs"], ["validate", "--no-details", "atlas"], ["duplicates"], ["remap", "atlas"]):
        result = carrefour(*command, "--data-dir", str(data_dir), env=env)
        assert "LOCK" not in result.stderr and "Traceback" not in result.stderr, (command, result.stderr)
        assert "une autre commande écrit" not in result.stderr, command
    assert total(base) == expected


def test_two_writers_at_once_the_second_says_so_in_french(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    writer = OxigraphStore(data_dir / "store")  # what a running harvest holds
    try:
        for command in (["harvest", "atlas"], ["remap"], ["duplicates"], ["reindex"]):
            result = carrefour(
                *command, "--data-dir", str(data_dir), env={"CARREFOUR_SAMPLES_URL": "http://127.0.0.1:9"}
            )
            assert result.returncode != 0, command
            assert f"Erreur : une autre commande écrit déjà dans {data_dir} : attendez qu'elle finisse" in (
                result.stderr.replace("\n", " ")
            ), result.stderr
            assert "Traceback" not in result.stderr and "OSError" not in result.stderr
        # Reading commands run beside the writer.
        result = carrefour("runs", "--data-dir", str(data_dir), env={})
        assert result.returncode == 0, result.stderr
    finally:
        writer.close()


def test_a_record_changed_after_the_portal_opened_the_store_shows_its_new_content(portal) -> None:  # type: ignore[no-untyped-def]
    """The portal reopens its read-only view when the store changes: not only new records, changed ones too."""
    from aggregator.aggregate import Aggregate
    from aggregator.innovation_graph import RecordContext
    from aggregator.mapped import MappedRecord
    from aggregator.settings import load_settings

    base, data_dir, env = portal
    result = carrefour("harvest", "--data-dir", str(data_dir), "atlas", env=env)
    assert result.returncode == 0, result.stderr
    assert eventually(lambda: total(base) == 35), total(base)
    hit = requests.get(f"{base}/api/search", timeout=10).json()["results"][0]
    turtle = {"Accept": "text/turtle"}
    assert requests.get(f"{base}/id/innovation/{hit['id']}", headers=turtle, timeout=10).status_code == 200

    # Another process (this test) writes a new version of that record while the portal serves.
    settings = load_settings(environ={"CARREFOUR_BASE_URL": env["CARREFOUR_BASE_URL"]}, data_dir=data_dir)
    aggregate = Aggregate(settings)
    try:
        new_title = "Un titre réécrit pendant que le portail sert"
        ctx = RecordContext(settings.base_url, hit["id"], "atlas", "1001", "1", "2026-01-01T00:00:00Z")
        aggregate.put(MappedRecord({"title": [new_title], "region": ["Bretagne"]}), ctx)
    finally:
        aggregate.close()

    def shows_new_title() -> bool:
        page = requests.get(f"{base}/id/innovation/{hit['id']}", headers=turtle, timeout=10)
        return page.status_code == 200 and new_title in page.text

    assert eventually(shows_new_title), "the portal kept serving its old view of the store"
