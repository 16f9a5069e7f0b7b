"""The HTTP client of the harvesters against the fault-injecting server: bounded retries, then a clear failure."""

from __future__ import annotations

import pytest

from aggregator.harvest.http import HarvestError, HttpClient, ResponseTooLargeError
from aggregator.harvest.oai import DAY, SECONDS, OAIError, at_granularity, fetch_page, normalise_datestamp
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


# Response size cap (http_max_bytes) and OAI-PMH errors sent with an HTTP error status.


@pytest.mark.parametrize("fault", [None, "unsized"])
def test_a_body_larger_than_http_max_bytes_fails_clearly(fault: str | None) -> None:
    # None: the server announces its Content-Length; "unsized": the body just goes on, and is cut while read.
    with FaultServer(faults=[fault]) as server:
        http = client(http_max_bytes=500)
        with pytest.raises(ResponseTooLargeError, match=r"réponse trop volumineuse .*http_max_bytes = 500 octets"):
            http.get(f"{server.url}/data.json")
        assert len(server.log) == 1, "a body too large is not fetched again"
        assert http.waits == []


def test_a_body_within_http_max_bytes_reads_as_usual_even_unsized() -> None:
    with FaultServer(faults=["unsized"]) as server:
        response = client(http_max_bytes=1_000_000).get(f"{server.url}/data.json")
        assert response.status_code == 200 and len(response.json()["data"]["items"]) == 37


@pytest.mark.parametrize("status", [400, 422])
def test_an_oai_error_sent_with_a_4xx_is_reported_by_its_code(status: int) -> None:
    with FaultServer(error_status=status) as server:
        with pytest.raises(OAIError, match="cannotDisseminateFormat") as caught:
            fetch_page(client(), f"{server.url}/oai", {"verb": "ListRecords", "metadataPrefix": "marc"})
        assert caught.value.code == "cannotDisseminateFormat"
        assert f"HTTP {status}" not in str(caught.value)


def test_an_oai_error_sent_with_a_500_is_reported_by_its_code_after_the_retries() -> None:
    with FaultServer(error_status=500) as server:
        http = client(http_retries=2)
        with pytest.raises(OAIError) as caught:
            fetch_page(http, f"{server.url}/oai", {"verb": "ListRecords", "metadataPrefix": "marc"})
        assert caught.value.code == "cannotDisseminateFormat"
        assert len(server.log) == 2


def test_an_http_error_without_an_oai_body_still_says_http_status() -> None:
    with FaultServer() as server:
        with pytest.raises(HarvestError, match="HTTP 404"):
            fetch_page(client(), f"{server.url}/nulle-part", {"verb": "ListRecords"})


class _Robots:
    """A site whose robots.txt answers with a given status and body (loopback, free port)."""

    def __init__(self, status: int, body: bytes) -> None:
        import http.server
        import threading

        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                status, body = (outer.status, outer.body) if self.path == "/robots.txt" else (200, b"ok")
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.status, self.body = status, body
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "allowed"),
    [
        (404, b"", True),  # no robots.txt: nothing is forbidden
        (503, b"", False),  # the server cannot say: RFC 9309 says assume everything is forbidden
        (200, b"User-agent: *\nDisallow: /prive/\n", False),
        # Rules past the first 500 KiB are not read (RFC 9309's parsing limit).
        (200, b"# " + b"x" * (600 * 1024) + b"\nUser-agent: *\nDisallow: /prive/\n", True),
    ],
)
def test_robots_txt_follows_rfc_9309(status: int, body: bytes, allowed: bool) -> None:
    site = _Robots(status, body)
    try:
        assert client().allowed(f"{site.url}/prive/page") is allowed
    finally:
        site.close()
