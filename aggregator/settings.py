"""Every setting of Carrefour, in one place.

Settings come, from lowest to highest precedence, from the defaults below, from a TOML
settings file (``--config``, else ``CARREFOUR_CONFIG``, else ``carrefour.toml`` in the data
directory if it exists) and from ``CARREFOUR_<NAME>`` environment variables, where
``<NAME>`` is the upper-case name of the field. ``tests/unit/test_settings_documented.py``
fails if a field below has no line in ``docs/settings.md``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    #: Where the store, the index and the state database live.
    data_dir: Path = Path("data")
    #: Public address of the portal; URIs of records are minted under it.
    base_url: str = "http://127.0.0.1:5000"
    #: Folder of the source declarations (one YAML file per source).
    mappings_dir: Path = PROJECT_ROOT / "mappings"
    #: Folder of the vocabulary (ontology, SKOS schemes).
    vocab_dir: Path = PROJECT_ROOT / "vocab"
    #: Address of the bundled sample platforms, substituted for ${CARREFOUR_SAMPLES_URL} in mappings.
    samples_url: str = "http://127.0.0.1:8765"
    #: Seconds before an HTTP request to a source is abandoned.
    http_timeout: float = 30.0
    #: Attempts for one HTTP request to a source before it fails.
    http_retries: int = 3
    #: Seconds before the first retry of a failed request; each further retry waits twice as long.
    http_backoff: float = 1.0
    #: Longest wait accepted from a Retry-After header (seconds); longer ones are cut to this.
    http_max_retry_after: float = 120.0
    #: Largest response body accepted from a source (bytes); a larger one fails that source.
    http_max_bytes: int = 100_000_000
    #: Seconds to wait between two requests to the same HTML site.
    politeness_delay: float = 0.0
    #: A full harvest seeing fewer than this share of the previous full harvest's records is flagged.
    harvest_drop_ratio: float = 0.5
    #: Refresh period of a source that does not give one (harvest.every), for ``harvest --due``.
    harvest_every: str = "1d"
    #: Sources harvested at once by ``carrefour harvest`` (``--jobs``).
    harvest_jobs: int = 1
    #: Triple store: "oxigraph" (embedded, on disk) or "sparql" (a SPARQL 1.1 server such as Fuseki).
    store_backend: str = "oxigraph"
    #: With store_backend = "sparql": the dataset's address (Fuseki: http://host:3030/carrefour).
    sparql_endpoint: str = ""
    #: Search index: "tantivy" (embedded, on disk) or "solr" (an Apache Solr core or collection).
    index_backend: str = "tantivy"
    #: With index_backend = "solr": the core's or collection's address (http://host:8983/solr/carrefour).
    solr_url: str = ""
    #: User-Agent sent to sources (robots.txt rules are matched against it).
    user_agent: str = "CarrefourBot/0.1 (+https://w3id.org/carrefour)"
    #: Public address of the portal behind a proxy ("" : the address each request reached); /oai announces it.
    public_url: str = ""
    #: Name of the OAI-PMH repository in Identify.
    repository_name: str = "Carrefour des innovations sociales"
    #: Address given as adminEmail in Identify.
    admin_email: str = "contact@carrefour.example.org"
    #: Domain of OAI identifiers: oai:{oai_domain}:{id}.
    oai_domain: str = "carrefour.example.org"
    #: Records per page of an OAI-PMH list.
    oai_page_size: int = 100
    #: Seconds a resumption token of /oai stays valid after it is issued.
    oai_token_lifetime: int = 86400
    #: Results per page of the search page.
    search_page_size: int = 20
    #: The portal looks at most this often (seconds) whether a harvest changed the triple store, and then reopens it.
    portal_refresh_interval: float = 1.0
    #: Seconds a /sparql query may run; past it, its worker process is killed and the answer is 503.
    sparql_timeout: float = 30.0
    #: Most results (solutions or triples) a /sparql query may return; beyond, the answer is 400.
    sparql_max_rows: int = 100000

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite3"

    def with_overrides(self, **values: object) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None})


def _coerce(kind: type | str, raw: object) -> object:
    kind_name = kind if isinstance(kind, str) else kind.__name__
    if "Path" in kind_name:
        return Path(str(raw))
    if "int" in kind_name:
        return int(raw)  # type: ignore[arg-type]
    if "float" in kind_name:
        return float(raw)  # type: ignore[arg-type]
    return str(raw)


class SettingsError(ValueError):
    """A settings file or variable that cannot be used."""


def load_settings(
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    **overrides: object,
) -> Settings:
    env = os.environ if environ is None else environ
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, object] = {}

    data_dir = overrides.get("data_dir") or env.get("CARREFOUR_DATA_DIR") or "data"
    candidate = config_file or (Path(env["CARREFOUR_CONFIG"]) if env.get("CARREFOUR_CONFIG") else None)
    if candidate is None and (Path(str(data_dir)) / "carrefour.toml").exists():
        candidate = Path(str(data_dir)) / "carrefour.toml"
    if candidate is not None:
        try:
            from_file = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"Fichier de réglages illisible {candidate} : {exc}") from exc
        for name, raw in from_file.items():
            if name not in fields:
                raise SettingsError(f"{candidate} : réglage inconnu « {name} » (voir docs/settings.md)")
            values[name] = raw

    for name in fields:
        env_value = env.get(f"CARREFOUR_{name.upper()}")
        if env_value is not None:
            values[name] = env_value
    values.update({k: v for k, v in overrides.items() if v is not None})

    try:
        typed = {name: _coerce(fields[name].type, raw) for name, raw in values.items()}
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"Réglage invalide : {exc}") from exc
    settings = Settings(**typed)  # type: ignore[arg-type]
    return dataclasses.replace(settings, base_url=settings.base_url.rstrip("/"))


__all__ = ["Settings", "SettingsError", "load_settings", "PROJECT_ROOT"]
