"""The HTTP client of the harvesters against the fault-injecting server: bounded retries, then a clear failure."""

from __future__ import annotations

import pytest

from aggregator.harvest.http import HarvestError, HttpClient
from aggregator.harvest.oai import DAY, SECONDS, at_granularity, fetch_page, normalise_datestamp
from aggregator.settings import load_settings
from tests.fault_server import FaultServer


def client(**overrides: object) -> HttpClient:
    values: dict[str, object] = {"http_timeout": 0.3, "http_retries": 3, "http_backoff": 0.01}
    values.update(overrides)
    return HttpClient(load_settings(environ={}, **values))


@pytest.mark.parametrize("fault", ["429", "503", "500", "timeout", "reset", "truncate"])
def test_each_transient_fault_is_retried(fault: str) -> None:
    with FaultServer(faults=[fault], slow_seconds=0.6) as server:
        http = client()
        response = http.get(f"{server.url}/data.json")
        assert response.status_code == 200 and response.json()["data"]["items"]
        assert len(server.log) == 2 and len(http.waits) == 1


def test_backoff_doubles_and_retry_after_wins_up_to_its_cap() -> None:
    with FaultServer(faults=["503", "503", "503"], retry_after="0") as server:
        http = client(http_retries=3, http_backoff=0.02)
        with pytest.raises(HarvestError, match=r"ne répond pas après 3 essais \(HTTP 503\)"):
            http.get(f"{server.url}/data.json")
        assert http.waits == [0.02, 0.04]
    with FaultServer(faults=["429"], retry_after="5") as server:
        http = client(http_max_retry_after=0.05)
        assert http.get(f"{server.url}/data.json").status_code == 200
        assert http.waits == [0.05]


def test_a_truncated_xml_page_is_fetched_again() -> None:
    with FaultServer(faults=["truncate-xml"]) as server:
        http = client()
        root = fetch_page(http, f"{server.url}/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        assert len(root.findall(".//{http://www.openarchives.org/OAI/2.0/}record")) == 10


def test_robots_txt_is_obeyed_unless_told_otherwise() -> None:
    with FaultServer() as server:
        http = client()
        assert not http.allowed(f"{server.url}/site/private/secret")
        with pytest.raises(HarvestError, match="robots.txt interdit"):
            http.get(f"{server.url}/site/private/secret")
        assert http.get(f"{server.url}/site/private/secret", obey_robots=False).status_code == 404


def test_datestamps_at_granularity() -> None:
    assert normalise_datestamp("2024-05-01") == "2024-05-01T00:00:00Z"
    assert at_granularity("2024-05-01T10:11:12Z", DAY) == "2024-05-01"
    assert at_granularity("2024-05-01", SECONDS) == "2024-05-01T00:00:00Z"
