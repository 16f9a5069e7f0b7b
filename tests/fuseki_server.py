"""A real Apache Jena Fuseki for the tests: fetched with Maven if missing, on 127.0.0.1 and a free port.

    with running_fuseki(tmp_dir) as fuseki:
        store = SparqlStore(fuseki.dataset_url)

The jar is ``build/fuseki/jena-fuseki-server-<version>.jar`` (git-ignored), fetched by
``mvn -f servers/fuseki/pom.xml dependency:copy`` the first time. The dataset is a fresh TDB2
directory under ``workdir``, served with ``servers/fuseki/carrefour.ttl`` (services /query, /union,
/update, /data). ``FUSEKI_JAR`` points at another jar; ``FUSEKI_JAVA_OPTS`` adds JVM options.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FUSEKI_VERSION = "5.6.0"
FUSEKI_DIR = ROOT / "build" / "fuseki"
POM = ROOT / "servers" / "fuseki" / "pom.xml"
CONFIG_TEMPLATE = ROOT / "servers" / "fuseki" / "carrefour.ttl"
DATASET = "carrefour"
#: A small heap and a quick JIT: the test datasets hold a few thousand triples.
DEFAULT_JAVA_OPTS = ["-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"]


class FusekiUnavailableError(RuntimeError):
    """Fuseki could not be fetched or started (no Java, no Maven, no network to Maven Central...)."""


@dataclass
class Fuseki:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    started_in: float  # seconds from launch to the first answered query
    database: Path  # the TDB2 directory (removed by stop_fuseki when it is on tmpfs)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dataset_url(self) -> str:
        return f"{self.url}/{DATASET}"


def fuseki_jar() -> Path:
    """The runnable Fuseki jar, fetched from Maven Central with Maven the first time."""
    override = os.environ.get("FUSEKI_JAR")
    if override:
        return Path(override)
    jar = FUSEKI_DIR / f"jena-fuseki-server-{FUSEKI_VERSION}.jar"
    if jar.exists():
        return jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise FusekiUnavailableError(f"{jar} manque et Maven (mvn) est introuvable pour le télécharger.")
    done = subprocess.run(
        [mvn, "-q", "-B", "-f", str(POM), "dependency:copy", f"-Dfuseki.version={FUSEKI_VERSION}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not jar.exists():
        raise FusekiUnavailableError(
            f"Téléchargement de Fuseki par Maven en échec :\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return jar


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(workdir: Path, database: Path) -> Path:
    config = workdir / "carrefour.ttl"
    text = CONFIG_TEMPLATE.read_text(encoding="utf-8").replace("@LOCATION@", database.as_posix())
    config.write_text(text, encoding="utf-8")
    return config


def start_fuseki(workdir: Path, timeout: float = 90.0, query_timeout_ms: int | None = None) -> Fuseki:
    """Launch Fuseki on a fresh TDB2 dataset under ``workdir`` and wait until the dataset answers."""
    java = shutil.which("java")
    if java is None:
        raise FusekiUnavailableError("Java (17 ou plus) est introuvable : Fuseki ne peut pas démarrer.")
    jar = fuseki_jar()
    workdir.mkdir(parents=True, exist_ok=True)
    database = _database_dir(workdir)
    config = write_config(workdir, database)
    port = free_port()
    java_opts = DEFAULT_JAVA_OPTS + shlex.split(os.environ.get("FUSEKI_JAVA_OPTS", ""))
    command = [java, *java_opts, "-jar", str(jar), "--localhost", "--port", str(port), "--ping"]
    if query_timeout_ms is not None:
        command.append(f"--timeout={query_timeout_ms}")
    command += ["--config", str(config)]
    log_path = workdir / "fuseki.log"
    env = {**os.environ, "FUSEKI_BASE": str(workdir / "run")}
    began = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env)
    fuseki = Fuseki(port, process, log_path, 0.0, database)
    try:
        _wait_ready(fuseki, began + timeout)
    except BaseException:
        stop_fuseki(fuseki)
        raise
    fuseki.started_in = time.monotonic() - began
    return fuseki


def _wait_ready(fuseki: Fuseki, deadline: float) -> None:
    """Ready = /$/ping answers and the dataset answers a query (the server ping comes a little earlier)."""
    probe = f"{fuseki.dataset_url}/query"
    with requests.Session() as session:
        while time.monotonic() < deadline:
            if fuseki.process.poll() is not None:
                raise FusekiUnavailableError(f"Fuseki s'est arrêté au démarrage :\n{_tail(fuseki.log_path)}")
            try:
                ping = session.get(f"{fuseki.url}/$/ping", timeout=2)
                if ping.ok:
                    answer = session.post(
                        probe,
                        data={"query": "ASK {}"},
                        headers={"Accept": "application/sparql-results+json"},
                        timeout=5,
                    )
                    if answer.ok and "boolean" in answer.json():
                        return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.1)
    raise FusekiUnavailableError(f"Fuseki n'a pas répondu à temps sur {fuseki.url} :\n{_tail(fuseki.log_path)}")


def _database_dir(workdir: Path) -> Path:
    """A fresh TDB2 directory: on tmpfs (/dev/shm) when there is one, as every TDB2 commit syncs to disk.

    On a disk, the sample harvest spends most of its time waiting for those syncs (≈ 40 ms per
    update); the tests check behaviour, not durability. ``FUSEKI_TEST_TMPFS=0`` keeps it under workdir.
    """
    shm = Path("/dev/shm")
    if os.environ.get("FUSEKI_TEST_TMPFS", "1") != "0" and shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="carrefour-fuseki-", dir=shm))
    database = workdir / "tdb2"
    database.mkdir(exist_ok=True)
    return database


def stop_fuseki(fuseki: Fuseki, grace: float = 10.0) -> None:
    if fuseki.process.poll() is None:
        fuseki.process.terminate()
        try:
            fuseki.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            fuseki.process.kill()
            fuseki.process.wait(timeout=grace)
    if fuseki.database.is_relative_to("/dev/shm"):
        shutil.rmtree(fuseki.database, ignore_errors=True)


@contextmanager
def running_fuseki(workdir: Path, **options: object) -> Iterator[Fuseki]:
    fuseki = start_fuseki(workdir, **options)  # type: ignore[arg-type]
    try:
        yield fuseki
    finally:
        stop_fuseki(fuseki)


def clear_dataset(dataset_url: str) -> None:
    """Empty every graph, so that one server serves several tests (quicker than a restart)."""
    response = requests.post(
        f"{dataset_url}/update",
        data=b"DROP SILENT ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=60,
    )
    response.raise_for_status()


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-size:]
    except OSError:
        return "(pas de journal)"
