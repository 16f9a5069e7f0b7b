"""HTTP for harvesters: retries with backoff, Retry-After, robots.txt, a politeness delay."""

from __future__ import annotations

import time
import urllib.robotparser
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from aggregator.settings import Settings

RETRY_STATUSES = {429, 500, 502, 503, 504}
#: Longest wait we accept from a Retry-After header, so one source cannot stall a whole run.
MAX_RETRY_AFTER = 120.0


class HarvestError(RuntimeError):
    """A source that could not be harvested; the message says why and what to check."""


class RobotsDisallowedError(HarvestError):
    pass


class HttpClient:
    def __init__(self, settings: Settings, obey_robots: bool = True) -> None:
        self.settings = settings
        self.obey_robots = obey_robots
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}
        self.backoff_base = 1.0

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        polite: bool = False,
    ) -> requests.Response:
        if self.obey_robots and not self.allowed(url):
            raise RobotsDisallowedError(f"robots.txt interdit {url} au robot {self.settings.user_agent}")
        if polite:
            self._wait_politely(url)
        last_problem = ""
        for attempt in range(1, self.settings.http_retries + 1):
            try:
                response = self.session.get(url, params=params, headers=headers, timeout=self.settings.http_timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                self._sleep_before_retry(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES:
                last_problem = f"HTTP {response.status_code}"
                self._sleep_before_retry(attempt, response.headers.get("Retry-After"))
                continue
            return response
        raise HarvestError(
            f"{url} ne répond pas après {self.settings.http_retries} essais ({last_problem}) ; "
            "vérifiez l'adresse de la source ou réessayez plus tard"
        )

    def _sleep_before_retry(self, attempt: int, retry_after: str | None) -> None:
        if attempt >= self.settings.http_retries:
            return
        delay = self.backoff_base * 2 ** (attempt - 1)
        if retry_after:
            delay = max(delay, _retry_after_seconds(retry_after))
        time.sleep(min(delay, MAX_RETRY_AFTER))

    def _wait_politely(self, url: str) -> None:
        host = urlsplit(url).netloc
        elapsed = time.monotonic() - self._last_request.get(host, 0.0)
        if elapsed < self.settings.politeness_delay:
            time.sleep(self.settings.politeness_delay - elapsed)
        self._last_request[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            self._robots[root] = self._load_robots(urljoin(root, "/robots.txt"))
        parser = self._robots[root]
        return True if parser is None else parser.can_fetch(self.settings.user_agent, url)

    def _load_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser | None:
        try:
            response = self.session.get(robots_url, timeout=self.settings.http_timeout)
        except requests.RequestException:
            return None  # no robots.txt reachable: nothing forbids, as crawlers conventionally read it
        if response.status_code >= 400:
            return None
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(response.text.splitlines())
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
