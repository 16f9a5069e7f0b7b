"""HTTP for harvesters: retries with backoff, Retry-After, robots.txt, a politeness delay.

A request is retried, a bounded number of times (``http_retries``), on HTTP 429 and 5xx, on a
timeout, on a refused or reset connection and on a body cut short; the wait doubles from
``http_backoff`` seconds, and a longer ``Retry-After`` from the server wins (up to
``http_max_retry_after``). Then the request fails with a ``HarvestError`` naming the URL and the
last problem, which fails that source alone (the last response stays on the error, for a caller
that can read a reason in its body, such as an OAI-PMH error code).

A body is read in chunks and refused past ``http_max_bytes`` (``ResponseTooLargeError``): a source
that sends an endless or huge response fails alone instead of filling the memory.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from aggregator.settings import Settings

RETRY_STATUSES = {429, 500, 502, 503, 504}
#: Problems in transit worth another try: the server or the network may do better next time.
TRANSIENT = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


#: RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; the rest is ignored.
ROBOTS_MAX_BYTES = 500 * 1024


class HarvestError(RuntimeError):
    """A source that could not be harvested; the message says why and what to check."""

    def __init__(self, message: str, response: requests.Response | None = None) -> None:
        super().__init__(message)
        #: The last response received, if any (its body already read).
        self.response = response


class ResponseTooLargeError(HarvestError):
    """A response body larger than ``http_max_bytes``."""


class RobotsDisallowedError(HarvestError):
    pass


class HttpClient:
    def __init__(self, settings: Settings, obey_robots: bool = True) -> None:
        self.settings = settings
        self.obey_robots = obey_robots
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_lock = threading.Lock()
        self._last_request: dict[str, float] = {}
        self.backoff_base = settings.http_backoff
        #: Every wait before a retry, in seconds (tests and the run summary read it).
        self.waits: list[float] = []

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        polite: bool = False,
        delay: float | None = None,
        obey_robots: bool | None = None,
    ) -> requests.Response:
        """GET with retries; ``polite`` waits ``delay`` (default: the setting) between requests to a host."""
        if (self.obey_robots if obey_robots is None else obey_robots) and not self.allowed(url):
            raise RobotsDisallowedError(f"robots.txt interdit {url} au robot {self.settings.user_agent}")
        last_problem = ""
        last_response: requests.Response | None = None
        retries = max(self.settings.http_retries, 1)
        for attempt in range(1, retries + 1):
            if polite:
                self._wait_politely(url, delay)
            try:
                response = self.session.get(
                    url, params=params, headers=headers, timeout=self.settings.http_timeout, stream=True
                )
                self._read_body(response)
            except TRANSIENT as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                self.sleep_before_retry(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES:
                last_problem = f"HTTP {response.status_code}"
                last_response = response
                self.sleep_before_retry(attempt, response.headers.get("Retry-After"))
                continue
            return response
        raise HarvestError(
            f"{url} ne répond pas après {retries} essais ({last_problem}) ; "
            "vérifiez l'adresse de la source ou réessayez plus tard",
            response=last_response,
        )

    def _read_body(self, response: requests.Response) -> None:
        """Read the body in chunks, up to ``http_max_bytes``; the response then behaves as usual."""
        limit = self.settings.http_max_bytes
        declared = response.headers.get("Content-Length", "")
        if limit > 0 and declared.isdigit() and int(declared) > limit:
            response.close()
            raise self._too_large(response, f"{int(declared)} octets annoncés")
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if limit > 0 and size > limit:
                response.close()
                raise self._too_large(response, f"plus de {limit} octets reçus")
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what requests itself keeps once a body is read
        response.close()  # the whole body is read: the connection goes back to the pool

    def _too_large(self, response: requests.Response, what: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"{response.url} : réponse trop volumineuse ({what}, limite http_max_bytes = "
            f"{self.settings.http_max_bytes} octets) ; source abandonnée"
        )

    def sleep_before_retry(self, attempt: int, retry_after: str | None) -> None:
        if attempt >= max(self.settings.http_retries, 1):
            return
        delay = self.backoff_base * 2 ** (attempt - 1)
        if retry_after:
            delay = max(delay, _retry_after_seconds(retry_after))
        delay = min(delay, self.settings.http_max_retry_after)
        self.waits.append(delay)
        time.sleep(delay)

    def _wait_politely(self, url: str, delay: float | None) -> None:
        host = urlsplit(url).netloc
        wanted = self.settings.politeness_delay if delay is None else delay
        wanted = max(wanted, self.crawl_delay(url))
        elapsed = time.monotonic() - self._last_request.get(host, 0.0)
        if elapsed < wanted:
            time.sleep(wanted - elapsed)
        self._last_request[host] = time.monotonic()

    def _parser_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if root not in self._robots:
                self._robots[root] = self._load_robots(urljoin(root, "/robots.txt"))
            return self._robots[root]

    def allowed(self, url: str) -> bool:
        parser = self._parser_for(url)
        return True if parser is None else parser.can_fetch(self.settings.user_agent, url)

    def crawl_delay(self, url: str) -> float:
        """The Crawl-delay robots.txt asks of us on this host (0 if none)."""
        parser = self._parser_for(url) if self.obey_robots else None
        if parser is None:
            return 0.0
        try:
            value = parser.crawl_delay(self.settings.user_agent)
        except (TypeError, ValueError):
            return 0.0
        return min(float(value), self.settings.http_max_retry_after) if value else 0.0

    def _load_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's rules as RFC 9309 reads them: none for a 4xx, everything forbidden for a 5xx, and
        only the first ROBOTS_MAX_BYTES of the file."""
        try:
            with self.session.get(robots_url, timeout=self.settings.http_timeout, stream=True) as response:
                if 400 <= response.status_code < 500:
                    return None
                parser = urllib.robotparser.RobotFileParser(robots_url)
                if response.status_code >= 500:
                    parser.disallow_all = True
                    return parser
                body = b""
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) >= ROBOTS_MAX_BYTES:
                        break
        except requests.RequestException:
            return None  # the site itself is unreachable: its pages will fail and say so
        parser.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").splitlines())
        return parser


def _retry_after_seconds(value: str) -> float:
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return 0.0
