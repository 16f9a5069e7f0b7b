"""A real Apache Solr node for the tests: built with Maven if needed, started on 127.0.0.1 with a
free port and the core ``carrefour`` (from ``solr_config/configset``), stopped at the end.

    with SolrServer.start(tmp_path / "solr-home") as solr:
        index = SolrIndex(solr.url)

The node is ``solr_config/start-solr.sh`` (``org.apache.solr.embedded.JettySolrRunner`` from
``solr-test-framework``); it stops by itself when this process dies (its standard input closes).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "solr_config" / "start-solr.sh"
READY = "CARREFOUR-SOLR READY "
BUILD_TIMEOUT = 270.0  # under the 300 s per test of setup.cfg: our error, not a bare timeout
START_TIMEOUT = 120.0


class SolrStartError(RuntimeError):
    """Java or Maven is missing, the build failed, or Solr did not start in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build() -> None:
    """Fetch Solr from Maven Central and compile the launcher (skipped when up to date)."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise SolrStartError(
                f"{tool} est introuvable : Solr ne peut pas être construit (voir docs/backends-solr.md)"
            )
    try:
        done = subprocess.run(
            ["bash", str(SCRIPT), "--build-only"], capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SolrStartError(f"la construction de Solr (Maven) dépasse {BUILD_TIMEOUT:.0f} s") from exc
    if done.returncode != 0:
        raise SolrStartError(f"la construction de Solr (Maven) a échoué :\n{done.stderr[-3000:]}{done.stdout[-2000:]}")


@dataclass
class SolrServer:
    process: subprocess.Popen[str]
    url: str
    log: list[str] = field(default_factory=list)

    @classmethod
    @contextmanager
    def start(cls, home: Path, timeout: float = START_TIMEOUT, cloud: bool = False) -> Iterator[SolrServer]:
        build()
        command = ["bash", str(SCRIPT), "--port", str(free_port()), "--home", str(home), "--exit-on-stdin-eof"]
        if cloud:
            command.append("--cloud")
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "SOLR_HEAP": os.environ.get("SOLR_HEAP", "512m")},
        )
        log: list[str] = []
        found: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:  # also keeps the pipe drained while Solr runs
                if line.startswith(READY) and not found:
                    found.append(line[len(READY) :].strip())
                    ready.set()
                else:
                    log.append(line.rstrip())
                    del log[:-200]
            ready.set()

        threading.Thread(target=read, daemon=True, name="solr-output").start()
        server = None
        try:
            if not ready.wait(timeout) or not found:
                raise SolrStartError(
                    f"Solr n'a pas démarré en {timeout:.0f} s (code {process.poll()}) :\n" + "\n".join(log[-40:])
                )
            server = cls(process, found[0], log)
            server.wait_until_ready(deadline=time.monotonic() + timeout)
            yield server
        finally:
            cls._stop(process)

    def wait_until_ready(self, deadline: float) -> None:
        while True:
            try:
                if requests.get(f"{self.url}/select", params={"q": "*:*", "rows": 0}, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SolrStartError(f"le cœur {self.url} ne répond pas")
            time.sleep(0.2)

    @staticmethod
    def _stop(process: subprocess.Popen[str]) -> None:
        if process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()  # the launcher stops Solr cleanly when its input closes
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if process.stdout is not None:
            process.stdout.close()
