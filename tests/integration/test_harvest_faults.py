"""Harvesting through every fault a source can throw: each ends with exactly the source's records, once each."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator.aggregate import Aggregate
from aggregator.harvest import HttpClient
from aggregator.pipeline import harvest_source, harvest_sources
from aggregator.settings import Settings, load_settings
from aggregator.sources import load_sources
from aggregator.state import RESUME_KEY, HarvestRun
from tests.fault_server import START, FaultServer, Item, assert_exactly, holdings, make_items, write_source
from tests.harvesting import harvest as harvest_sources_of_tests
from tests.paths import REPO

pytestmark = pytest.mark.integration


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "mappings_dir": tmp_path / "mappings",
        "http_timeout": 0.5,
        "http_retries": 4,
        "http_backoff": 0.01,
    }
    values.update(overrides)
    return load_settings(environ={}, **values)


def harvest(settings: Settings, source_id: str, full: bool = False) -> HarvestRun:
    return harvest_sources_of_tests(settings, [source_id], full=full)[source_id]


def list_requests(server: FaultServer) -> list[dict[str, str]]:
    return [query for path, query in server.log if path == "/oai"]


def test_every_fault_in_one_harvest_ends_with_exactly_the_records(tmp_path: Path) -> None:
    faults = [None, "429", None, "503", "timeout", None, "reset", "truncate", None, "truncate-xml", "500", "expire"]
    with FaultServer(faults=list(faults), slow_seconds=1.0, page_size=4) as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        run = harvest(settings, "pannes")
        assert run.status == "ok", run.errors
        assert server.faults == [], "every fault was served"
        held = assert_exactly(settings, "pannes", server.items)
        assert (run.new, run.deleted, run.failed) == (37, 3, 0)
        # The expired token restarted the list from the highest datestamp committed: the pair
        # sharing that datestamp came again, unchanged, and nothing was lost.
        assert any("jeton de reprise refusé" in w for w in run.warnings), run.warnings
        assert run.unchanged >= 1
        assert len(held.live) == 37


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    with FaultServer(faults=[None, "429"], retry_after="1") as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        aggregate, client = Aggregate(settings), HttpClient(settings)
        started = time.monotonic()
        run = harvest_source(aggregate, load_sources(settings)["pannes"], client)
        elapsed = time.monotonic() - started
        client.close()
        aggregate.close()
        assert run.status == "ok"
        assert client.waits == [1.0] and elapsed >= 1.0
        assert_exactly(settings, "pannes", server.items)


def test_a_source_that_keeps_failing_fails_alone_then_resumes_where_it_stopped(tmp_path: Path) -> None:
    # Sources run in name order: fichier takes the first answer, pannes the next ones.
    with FaultServer(faults=[None, None, "503", "503", "503", "503"]) as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        write_source(
            tmp_path / "mappings", "fichier", "json", f"{server.url}/data.json", {"items": "data.items", "id": "id"}
        )
        settings = settings_for(tmp_path)
        aggregate = Aggregate(settings)
        runs = {r.source_id: r for r in harvest_sources(aggregate, load_sources(settings).values())}
        resume = aggregate.state.get_source_state("pannes", RESUME_KEY)
        aggregate.close()
        assert runs["pannes"].status == "failed"
        assert "ne répond pas après 4 essais (HTTP 503)" in runs["pannes"].errors[0]["error"]
        assert runs["fichier"].status == "ok" and runs["fichier"].new == 37
        # The first page was committed, with the point to resume from.
        assert len(holdings(settings, "pannes").raw) == 10
        assert resume is not None and resume["token"]

        run = harvest(settings, "pannes")
        assert run.status == "ok" and run.mode == "resumed"
        assert "resumptionToken" in list_requests(server)[-4]  # the rerun began with the saved token
        assert (run.new + run.deleted, run.unchanged) == (30, 0)
        assert_exactly(settings, "pannes", server.items)


def _kill_mid_harvest(tmp_path: Path, server: FaultServer, settings: Settings) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CARREFOUR_MAPPINGS_DIR": str(settings.mappings_dir),
        "CARREFOUR_HTTP_BACKOFF": "0.01",
        "CARREFOUR_HTTP_TIMEOUT": "5",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "--data-dir", str(settings.data_dir), "harvest", "pannes"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while server.served_pages < 3 and time.monotonic() < deadline:
            assert process.poll() is None, "the harvest ended before it could be killed"
            time.sleep(0.02)
        time.sleep(server.page_delay / 2)  # somewhere inside the fourth page
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("tokens", ["kept", "expired"])
def test_kill_9_mid_harvest_then_rerun_loses_nothing_and_doubles_nothing(tmp_path: Path, tokens: str) -> None:
    with FaultServer(items=make_items(60, deleted=4), page_delay=0.25) as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path, http_timeout=5.0)
        _kill_mid_harvest(tmp_path, server, settings)
        partial = holdings(settings, "pannes")
        assert 0 < len(partial.raw) < 60, "killed mid-harvest"

        server.page_delay = 0
        if tokens == "expired":
            server.expire_tokens()
        run = harvest(settings, "pannes")
        assert run.status == "ok", run.errors
        assert run.mode == "resumed"
        first = list_requests(server)[-(server.served_pages - 3) :][0] if tokens == "kept" else None
        if first is not None:
            assert "resumptionToken" in first
        assert_exactly(settings, "pannes", server.items)
        # A third harvest, incremental, changes nothing.
        again = harvest(settings, "pannes")
        assert (again.new, again.updated, again.deleted, again.failed) == (0, 0, 0, 0)
        assert_exactly(settings, "pannes", server.items)


def test_incremental_harvest_from_the_last_datestamp_at_the_repository_granularity(tmp_path: Path) -> None:
    with FaultServer() as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        first = harvest(settings, "pannes")
        assert first.mode == "full" and first.new == 37
        last = max(i.stamp for i in server.items)

        changed = server.items[10]
        changed.title = "Titre changé à la source"
        changed.datestamp = server.items[-1].datestamp + __import__("datetime").timedelta(hours=1)
        server.items.append(Item("r999", changed.datestamp, "Une toute nouvelle innovation", "Nouvelle description."))
        server.items.sort(key=lambda i: (i.datestamp, i.key))
        second = harvest(settings, "pannes")
        assert second.mode == "incremental"
        assert [q.get("from") for q in list_requests(server) if "metadataPrefix" in q][-1] == last
        assert (second.new, second.updated, second.unchanged) == (1, 1, 2)
        assert_exactly(settings, "pannes", server.items)


def test_day_granularity_repositories_are_asked_by_day(tmp_path: Path) -> None:
    with FaultServer(granularity="YYYY-MM-DD") as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai", {"from": "2024-01-01T05:00:00Z"})
        settings = settings_for(tmp_path)
        harvest(settings, "pannes")
        assert list_requests(server)[0]["from"] == "2024-01-01"
        before = len(list_requests(server))
        harvest(settings, "pannes")
        assert list_requests(server)[before]["from"] == max(i.stamp for i in server.items)[:10]


def test_sets_until_and_a_single_page_without_token(tmp_path: Path) -> None:
    with FaultServer(page_size=100) as server:
        write_source(
            tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai", {"set": "pair", "until": "2024-01-01"}
        )
        settings = settings_for(tmp_path)
        run = harvest(settings, "pannes")
        assert run.status == "ok"
        expected = [i for i in server.items if "pair" in i.sets and i.stamp <= "2024-01-01T23:59:59Z"]
        assert_exactly(settings, "pannes", expected)
        assert list_requests(server)[0]["until"] == "2024-01-01T23:59:59Z"


def test_deleted_at_the_source_becomes_a_tombstone(tmp_path: Path) -> None:
    with FaultServer() as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        harvest(settings, "pannes")
        gone = server.items[20]
        gone.deleted = True
        gone.datestamp = server.items[-1].datestamp
        run = harvest(settings, "pannes")
        assert run.deleted == 1
        held = assert_exactly(settings, "pannes", server.items)
        assert len(held.tombstones) == 4


def test_no_record_matching_is_an_empty_success(tmp_path: Path) -> None:
    with FaultServer() as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai", {"from": "2030-01-01"})
        run = harvest(settings_for(tmp_path), "pannes")
        assert run.status in ("ok", "warning") and run.seen == 0


def test_a_sharp_drop_is_flagged_and_nothing_is_deleted(tmp_path: Path) -> None:
    with FaultServer(items=make_items(30)) as server:
        write_source(
            tmp_path / "mappings", "fichier", "json", f"{server.url}/data.json", {"items": "data.items", "id": "id"}
        )
        settings = settings_for(tmp_path)
        first = harvest(settings, "fichier")
        assert first.status == "ok" and first.new == 30
        kept = server.items
        server.items = kept[:10]
        second = harvest(settings, "fichier")
        assert second.status == "warning"
        assert "10 notices vues contre 30" in second.warnings[0] and "Rien n'a été supprimé" in second.warnings[0]
        # What the source stopped showing stays: we never delete on absence.
        assert_exactly(settings, "fichier", kept, prefix="")


def test_token_expirations_spread_over_a_long_harvest_do_not_fail_it(tmp_path: Path) -> None:
    # Seven expirations, each after good pages: more than MAX_TOKEN_RESTARTS in all, never in a row.
    # Per expiry: the token request fails, the restart (query) and the next token page go through.
    faults: list[str | None] = [None] + ["expire", None, None] * 7
    with FaultServer(items=make_items(80), faults=list(faults), page_size=4) as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        run = harvest(settings, "pannes")
        assert run.status == "ok", run.errors
        assert server.faults == []
        assert sum("jeton de reprise refusé" in w for w in run.warnings) == 7
        assert_exactly(settings, "pannes", server.items)


def test_tokens_that_keep_expiring_without_progress_still_fail_the_source(tmp_path: Path) -> None:
    # Every token is refused and every record has the same datestamp: each restart gets the same
    # first page again, never further than the one before.
    items = [dataclasses.replace(item, datestamp=START) for item in make_items(40)]
    with FaultServer(items=items, faults=[None] + ["expire", None] * 10, page_size=4) as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        run = harvest(settings, "pannes")
        assert run.status == "failed"
        assert "jeton de reprise refusé 6 fois de suite" in str(run.errors)


def test_an_expired_token_answered_with_http_400_restarts_the_list(tmp_path: Path) -> None:
    with FaultServer(faults=[None, "expire"], page_size=4, error_status=400) as server:
        write_source(tmp_path / "mappings", "pannes", "oai-pmh", f"{server.url}/oai")
        settings = settings_for(tmp_path)
        run = harvest(settings, "pannes")
        assert run.status == "ok", run.errors
        assert any("badResumptionToken" in w for w in run.warnings), run.warnings
        assert_exactly(settings, "pannes", server.items)
