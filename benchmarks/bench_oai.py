"""OAI-PMH: pages served per second, and the cost of a page deep into a large listing.

A listing of 120,000 records is bulk-loaded into a temporary state database (``Listing.publish_many``)
with a small graph per record in a temporary Oxigraph store, then ``/oai`` is called through the
Flask test client (no network), so that the figures are the listing query plus the response.
Every figure is a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RECORDS = 120_000
DEEP = 100_000
PER_SECOND = 40  # records sharing a datestamp, as after a bulk harvest
THEMES = ["ENV", "ENV:ALI", "SOL", "SOL:LIE", "EMP", "SAN"]
REGIONS = ["bretagne", "occitanie", "grand-est", "normandie", "ile-de-france"]


def _build(data_dir: Path):  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    from aggregator.innovation_graph import CIS, DCT
    from aggregator.settings import load_settings
    from aggregator.store.oxigraph import graph_iri
    from endpoint.app import create_app

    settings = load_settings(environ={}, data_dir=data_dir, mappings_dir=data_dir / "none", base_url="http://b.test")
    app = create_app(settings)
    aggregate = app.extensions["carrefour"].aggregate
    rows = []
    quads = []
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for n in range(RECORDS):
        rid = f"src{n % 6}-{n:016x}"
        seconds = n // PER_SECOND
        stamp = f"2024-{1 + seconds // 2_000_000:02d}-{1 + seconds // 86_400 % 28:02d}T"
        stamp += f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}Z"
        theme = THEMES[n % len(THEMES)]
        sets = [f"source:src{n % 6}", f"theme:{theme}", f"region:{REGIONS[n % len(REGIONS)]}"]
        rows.append((rid, f"src{n % 6}", sets, n % 50 == 0, stamp))
        uri = aggregate.record_uri(rid)
        graph = ox.NamedNode(graph_iri(uri))
        subject = ox.NamedNode(uri)
        quads += [
            ox.Quad(subject, rdf_type, ox.NamedNode(CIS + "SocialInnovation"), graph),
            ox.Quad(subject, ox.NamedNode(DCT + "title"), ox.Literal(f"Innovation {n}", language="fr"), graph),
            ox.Quad(subject, ox.NamedNode(DCT + "description"), ox.Literal(f"Texte {n} " * 8, language="fr"), graph),
            ox.Quad(subject, ox.NamedNode(DCT + "source"), ox.NamedNode(f"http://b.test/id/source/src{n % 6}"), graph),
        ]
    aggregate.listing.publish_many(rows)
    aggregate.store._store.bulk_extend(quads)  # noqa: SLF001 - a benchmark loads the store directly
    return app, aggregate


def _timed(call: Callable[[], object], repeat: int) -> float:
    """Median seconds of one call."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> str:
    from endpoint.oai.tokens import ListState

    with tempfile.TemporaryDirectory(prefix="carrefour-bench-oai-") as tmp:
        started = time.perf_counter()
        app, aggregate = _build(Path(tmp) / "data")
        build_seconds = time.perf_counter() - started
        client = app.test_client()
        try:
            client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc")  # creates the token secret, warms caches
            codec = app.extensions["carrefour"].extra["oai_codec"]
            listing = aggregate.listing
            page = aggregate.settings.oai_page_size

            def deep_token(verb: str, prefix: str, set_spec: str | None, skip: int) -> str:
                rows = listing.published_page(None, skip, set_spec=set_spec)
                last = rows[-1]
                key = (last.datestamp, last.record_id)
                state = ListState(verb, prefix, None, "2099-01-01T00:00:00Z", set_spec, key, skip, RECORDS)
                return codec.encode(state)

            def get(query: str) -> Callable[[], object]:
                def call() -> object:
                    response = client.get("/oai?" + query)
                    assert response.status_code == 200 and b"<error" not in response.data, response.data[:500]
                    return response

                return call

            figures = []
            identify = _timed(get("verb=Identify"), 30)
            for verb, prefix in (("ListIdentifiers", "oai_dc"), ("ListRecords", "oai_dc"), ("ListRecords", "rdf")):
                first = _timed(get(f"verb={verb}&metadataPrefix={prefix}"), 15)
                token = deep_token(verb, prefix, None, DEEP)
                deep = _timed(get(f"verb={verb}&resumptionToken={token}"), 15)
                figures.append((f"{verb} {prefix}, whole listing", first, deep))
            set_spec = "theme:ENV"
            members = listing.count_published(set_spec=set_spec)
            first = _timed(get(f"verb=ListIdentifiers&metadataPrefix=oai_dc&set={set_spec}"), 15)
            token = deep_token("ListIdentifiers", "oai_dc", set_spec, members - 2 * page)
            deep = _timed(get(f"verb=ListIdentifiers&resumptionToken={token}"), 15)
            figures.append((f"ListIdentifiers, set {set_spec} ({members:,} records), near its end", first, deep))

            # Offset paging, what keyset paging avoids: the same SQL page at OFFSET 100,000.
            db = listing._db  # noqa: SLF001
            sql = "SELECT record_id, datestamp FROM published ORDER BY datestamp, record_id LIMIT ? OFFSET ?"
            offset_first = _timed(lambda: db.execute(sql, (page, 0)).fetchall(), 15)
            offset_deep = _timed(lambda: db.execute(sql, (page, DEEP)).fetchall(), 15)
            after = listing.published_page(None, DEEP)[-1]
            keyset_first = _timed(lambda: listing.published_page(None, page), 15)
            keyset_deep = _timed(lambda: listing.published_page((after.datestamp, after.record_id), page), 15)

            # Pages per second over a real harvest: 100 consecutive ListRecords pages by token.
            def harvest(pages: int) -> int:
                response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
                served = 1
                while served < pages:
                    data = response.data
                    start = data.find(b"<resumptionToken")
                    token_text = data[data.find(b">", start) + 1 : data.find(b"</resumptionToken>")].decode()
                    response = client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": token_text})
                    served += 1
                return served

            pages = 100
            start = time.perf_counter()
            harvest(pages)
            harvest_seconds = time.perf_counter() - start
        finally:
            aggregate.close()

    lines = [
        "## OAI-PMH (`/oai`)",
        "",
        f"`python -m benchmarks oai`. A listing of {RECORDS:,} records ({PER_SECOND} per datestamp second, 2 % "
        f"tombstones, 3 to 4 sets each) bulk-loaded with a small graph each in {build_seconds:.1f} s; requests "
        f"through the Flask test client; page size {page}. Medians. Baseline: the first page of the same list, "
        "measured in the same run.",
        "",
        f"| list | first page | page after the {DEEP:,}th record | deep / first |",
        "|---|---|---|---|",
    ]
    for name, first_t, deep_t in figures:
        lines.append(f"| {name} | {first_t * 1000:.1f} ms | {deep_t * 1000:.1f} ms | {deep_t / first_t:.2f} |")
    lines += [
        "",
        "The first page also counts the list once (completeListSize, carried in the token), which is why a deep "
        "page can cost less than the first.",
        "",
        f"| listing query alone (SQLite) | at the start | after {DEEP:,} records | ratio |",
        "|---|---|---|---|",
        f"| keyset, as `/oai` pages | {keyset_first * 1000:.2f} ms | {keyset_deep * 1000:.2f} ms | "
        f"{keyset_deep / keyset_first:.2f} |",
        f"| OFFSET (not used) | {offset_first * 1000:.2f} ms | {offset_deep * 1000:.2f} ms | "
        f"{offset_deep / offset_first:.1f} |",
        "",
        f"Harvest rate: {pages} consecutive ListRecords oai_dc pages by resumption token in {harvest_seconds:.2f} s, "
        f"**{pages / harvest_seconds:.0f} pages/s** ({pages * page / harvest_seconds:,.0f} records/s); one Identify "
        f"takes {identify * 1000:.2f} ms, so a page of {page} records costs "
        f"{harvest_seconds / pages / identify:.1f} × an Identify.",
    ]
    return "\n".join(lines)
