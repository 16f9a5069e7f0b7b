"""``/oai`` as a data provider partners can rely on.

Beyond tests/integration/test_endpoint_oai.py: the ``rdf`` format (RDF/XML that parses back to
exactly the record's graph), named and described sets with their hierarchy, exact from/until
bounds, signed and expiring resumption tokens carrying a snapshot, records changing during a
harvest, and complete harvests by the project's own harvester and by Sickle compared record by
record to the store. Every response is validated against the OAI-PMH schemas, with a local
driver that also knows the ``rdf:RDF`` root (tests/oai_schemas.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree

from aggregator.innovation_graph import RecordContext
from aggregator.records import record_id
from aggregator.settings import load_settings
from aggregator.store.oxigraph import graph_iri
from tests.integration.conftest import RECORDS, Published, _write_sources, mapped_record
from tests.oai_schemas import assert_valid_oai

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
DOMAIN = "carrefour.example.org"
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def valid(body: bytes) -> etree._Element:
    # oai_dc inside metadata and setDescription is checked strictly by the schema; rdf:RDF only by
    # its root, so its content is checked by parsing it back (see rdf_triples).
    return assert_valid_oai(body)


def oai(client, method: str = "GET", **args):  # type: ignore[no-untyped-def]
    response = client.get("/oai", query_string=args) if method == "GET" else client.post("/oai", data=args)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return valid(response.data)


def error_code(doc) -> str | None:  # type: ignore[no-untyped-def]
    found = doc.xpath("/o:OAI-PMH/o:error/@code", namespaces=NS)
    return found[0] if found else None


def ids(elements) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.xpath("string(descendant-or-self::o:header/o:identifier)", namespaces=NS) for e in elements]


def oai_id(rid: str) -> str:
    return f"oai:{DOMAIN}:{rid}"


def rdf_triples(record) -> set[ox.Triple]:  # type: ignore[no-untyped-def]
    rdf = record.xpath("o:metadata/rdf:RDF", namespaces=NS)
    assert len(rdf) == 1
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(etree.tostring(rdf[0]), format=ox.RdfFormat.RDF_XML)
    }


def store_triples(app, rid: str) -> set[ox.Triple]:  # type: ignore[no-untyped-def]
    aggregate = app.extensions["carrefour"].aggregate
    return set(aggregate.store.graph_triples(graph_iri(aggregate.record_uri(rid))))


def full_list(client, verb: str, **args) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    """Every item of a list, following tokens; returns (items, pages)."""
    items, pages = [], []
    doc = oai(client, verb=verb, **args)
    while True:
        assert error_code(doc) is None, etree.tostring(doc)[:2000]
        pages.append(doc)
        items += doc.xpath(f"/o:OAI-PMH/o:{verb}/o:record | /o:OAI-PMH/o:{verb}/o:header", namespaces=NS)
        token = doc.xpath(f"/o:OAI-PMH/o:{verb}/o:resumptionToken/text()", namespaces=NS)
        if not token:
            return items, pages
        doc = oai(client, verb=verb, resumptionToken=token[0])


# A repository of our own, with a clock we control -----------------------------------------------
class Clock:
    def __init__(self, start: str) -> None:
        self.now = datetime.strptime(start, STAMP).replace(tzinfo=UTC)

    def stamp(self) -> str:
        return self.now.strftime(STAMP)

    def tick(self, seconds: int = 1) -> str:
        self.now += timedelta(seconds=seconds)
        return self.stamp()


# The published aggregate of these modules: conftest's records, two of them withdrawn ------------
WITHDRAWN_HERE = [("fondation", "p-008"), ("solidarum", "s-307")]


def build_published(data_dir: Path, page_size: int = 7) -> Published:
    from endpoint.app import create_app

    _write_sources(data_dir / "mappings")
    settings = load_settings(
        environ={},
        data_dir=data_dir,
        mappings_dir=data_dir / "mappings",
        oai_page_size=page_size,
        base_url="http://carrefour.test",
    )
    app = create_app(settings)
    aggregate = app.extensions["carrefour"].aggregate
    live = {}
    for row in RECORDS:
        rid = record_id(row[0], row[1])
        ctx = RecordContext(settings.base_url, rid, row[0], row[1], "1", "2024-05-02T10:00:00Z")
        aggregate.index.write([aggregate.put(mapped_record(row), ctx)])
        live[rid] = row
    withdrawn = []
    for source, identifier in WITHDRAWN_HERE:
        rid = record_id(source, identifier)
        aggregate.withdraw(rid, source)
        aggregate.index.write([], [rid])
        live.pop(rid)
        withdrawn.append(rid)
    return Published(settings, app, live, withdrawn)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    built = build_published(tmp_path_factory.mktemp("oai-provider"))
    yield built
    built.app.extensions["carrefour"].aggregate.close()  # type: ignore[attr-defined]


@pytest.fixture()
def client(published: Published):  # type: ignore[no-untyped-def]
    return published.app.test_client()  # type: ignore[attr-defined]


@dataclasses.dataclass
class Repo:
    app: object
    clock: Clock
    rows: dict[str, tuple]

    @property
    def aggregate(self):  # type: ignore[no-untyped-def]
        return self.app.extensions["carrefour"].aggregate  # type: ignore[attr-defined]

    @property
    def client(self):  # type: ignore[no-untyped-def]
        return self.app.test_client()  # type: ignore[attr-defined]

    def put(self, row: tuple) -> str:
        rid = record_id(row[0], row[1])
        settings = self.aggregate.settings
        ctx = RecordContext(settings.base_url, rid, row[0], row[1], "1", "2024-05-02T10:00:00Z")
        self.aggregate.index.write([self.aggregate.put(mapped_record(row), ctx)])
        self.rows[rid] = row
        return rid

    def withdraw(self, rid: str) -> None:
        self.aggregate.withdraw(rid, self.rows[rid][0])

    def datestamp(self, rid: str) -> str:
        return self.aggregate.listing.published_row(rid).datestamp


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """The 30 records of conftest, one published per second from 2024-05-01T10:00:00Z, page size 5."""
    from endpoint.app import create_app

    clock = Clock("2024-05-01T10:00:00Z")
    monkeypatch.setattr("aggregator.listing.utc_now", clock.stamp)
    monkeypatch.setattr("endpoint.oai.verbs.now_utc", lambda: clock.now)
    data_dir = tmp_path / "data"
    _write_sources(data_dir / "mappings")
    settings = load_settings(
        environ={},
        data_dir=data_dir,
        mappings_dir=data_dir / "mappings",
        oai_page_size=5,
        base_url="http://carrefour.test",
    )
    app = create_app(settings)
    repository = Repo(app, clock, {})
    for row in RECORDS:
        repository.put(row)
        clock.tick()
    clock.now = datetime(2024, 5, 2, tzinfo=UTC)
    yield repository
    repository.aggregate.close()


def changed(row: tuple, title: str) -> tuple:
    return (*row[:2], title, *row[3:])


# rdf: the whole graph ---------------------------------------------------------------------------
def test_get_record_in_rdf_parses_back_to_exactly_the_graph(client, published) -> None:  # type: ignore[no-untyped-def]
    for rid in list(published.live)[:5]:
        doc = oai(client, verb="GetRecord", identifier=oai_id(rid), metadataPrefix="rdf")
        record = doc.xpath("/o:OAI-PMH/o:GetRecord/o:record", namespaces=NS)[0]
        got = rdf_triples(record)
        assert got == store_triples(published.app, rid) and len(got) > 20
    doc = oai(client, verb="ListMetadataFormats")
    formats = dict(
        zip(
            doc.xpath("//o:metadataPrefix/text()", namespaces=NS),
            doc.xpath("//o:metadataNamespace/text()", namespaces=NS),
            strict=True,
        )
    )
    assert formats == {"oai_dc": NS["oai_dc"], "rdf": NS["rdf"]}


def test_list_records_in_rdf_over_the_whole_listing(client, published) -> None:  # type: ignore[no-untyped-def]
    records, pages = full_list(client, "ListRecords", metadataPrefix="rdf")
    assert len(pages) > 2
    rows = published.app.extensions["carrefour"].aggregate.listing.published_page(None, 1000)
    assert ids(records) == [oai_id(r.record_id) for r in rows]
    for record, row in zip(records, rows, strict=True):
        header = record.xpath("o:header", namespaces=NS)[0]
        if row.deleted:
            assert header.get("status") == "deleted" and not record.xpath("o:metadata", namespaces=NS)
        else:
            assert rdf_triples(record) == store_triples(published.app, row.record_id)


# Sets -------------------------------------------------------------------------------------------
def test_list_sets_names_describes_and_roots_the_hierarchy(client, published) -> None:  # type: ignore[no-untyped-def]
    doc = oai(client, verb="ListSets")
    sets = {s.findtext("o:setSpec", namespaces=NS): s for s in doc.xpath("//o:set", namespaces=NS)}
    names = {spec: s.findtext("o:setName", namespaces=NS) for spec, s in sets.items()}
    assert names["source"] == "Sources" and names["theme"] == "Thématiques" and names["region"] == "Régions"
    assert names["region:bretagne"] == "Région : Bretagne"
    assert names["region:ile-de-france"] == "Région : Île-de-France"
    assert "Région : Provence-Alpes-Côte d'Azur" in names.values()
    assert names["source:avise"] == "Source : Avise — banque de projets ESS"
    assert names["theme:ENV:ALI"] == "Thématique : Alimentation durable"
    for spec, element in sets.items():
        dc = element.xpath("o:setDescription/oai_dc:dc", namespaces=NS)
        assert len(dc) == 1, spec
        assert dc[0].xpath("dc:description/text()", namespaces=NS), spec
    assert sets["source:fondation"].xpath(".//dc:identifier/text()", namespaces=NS) == ["https://fondation.example.org"]
    assert sets["region:bretagne"].xpath(".//dc:coverage/text()", namespaces=NS) == ["Bretagne"]
    # Every set the headers carry is listed, with every ancestor of a hierarchical spec.
    listing = published.app.extensions["carrefour"].aggregate.listing
    carried = {spec for row in listing.published_page(None, 1000) for spec in row.sets}
    assert carried <= set(sets)
    assert {spec.rsplit(":", 1)[0] for spec in sets if ":" in spec} <= set(sets)


def test_every_set_harvests_exactly_its_members(client, published) -> None:  # type: ignore[no-untyped-def]
    listing = published.app.extensions["carrefour"].aggregate.listing
    rows = listing.published_page(None, 1000)
    specs = oai(client, verb="ListSets").xpath("//o:setSpec/text()", namespaces=NS)
    for spec in specs:
        headers, _ = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        expected = [oai_id(r.record_id) for r in rows if any(s == spec or s.startswith(spec + ":") for s in r.sets)]
        assert ids(headers) == expected, spec
        assert expected
    theme_root, _ = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", set="theme")
    assert len(theme_root) > len(full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", set="theme:ENV")[0])


# Datestamps and from/until ----------------------------------------------------------------------
def test_from_until_are_exact_at_second_and_day_bounds(repo: Repo) -> None:
    client = repo.client
    stamps = sorted(repo.datestamp(rid) for rid in repo.rows)
    assert stamps[0] == "2024-05-01T10:00:00Z" and stamps[-1] == "2024-05-01T10:00:29Z"

    def count(**bounds: str) -> int:
        doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **bounds)
        if error_code(doc) == "noRecordsMatch":
            return 0
        token = doc.xpath("//o:resumptionToken", namespaces=NS)
        return int(token[0].get("completeListSize")) if token else len(doc.xpath("//o:header", namespaces=NS))

    assert count(**{"from": "2024-05-01T10:00:10Z", "until": "2024-05-01T10:00:10Z"}) == 1
    assert count(**{"from": "2024-05-01T10:00:10Z", "until": "2024-05-01T10:00:14Z"}) == 5
    assert count(**{"from": "2024-05-01T10:00:29Z"}) == 1
    assert count(**{"from": "2024-05-01T10:00:30Z"}) == 0
    assert count(until="2024-05-01T09:59:59Z") == 0
    assert count(until="2024-05-01T10:00:00Z") == 1
    assert count(**{"from": "2024-05-01", "until": "2024-05-01"}) == 30
    assert count(until="2024-04-30") == 0
    assert count(**{"from": "2024-05-02"}) == 0
    doc = oai(client, verb="Identify")
    assert doc.xpath("//o:earliestDatestamp/text()", namespaces=NS) == ["2024-05-01T10:00:00Z"]


def test_a_datestamp_changes_when_the_record_changes_and_a_deletion_is_kept(repo: Repo) -> None:
    row = RECORDS[3]
    rid = record_id(row[0], row[1])
    before = repo.datestamp(rid)
    repo.clock.tick(60)
    repo.put(changed(row, "Covoiturage solidaire en milieu rural (nouvelle version)"))
    assert repo.datestamp(rid) == repo.clock.stamp() != before
    doc = oai(repo.client, verb="GetRecord", identifier=oai_id(rid), metadataPrefix="oai_dc")
    assert doc.xpath("//o:header/o:datestamp/text()", namespaces=NS) == [repo.clock.stamp()]
    assert doc.xpath("//dc:title/text()", namespaces=NS) == ["Covoiturage solidaire en milieu rural (nouvelle version)"]
    repo.clock.tick()
    repo.withdraw(rid)
    deleted_at = repo.datestamp(rid)
    repo.clock.tick()
    repo.withdraw(rid)  # the source reports the deletion again: nothing new for partners
    assert repo.datestamp(rid) == deleted_at
    for verb in ("GetRecord",):
        doc = oai(repo.client, verb=verb, identifier=oai_id(rid), metadataPrefix="rdf")
        assert doc.xpath("//o:header/@status", namespaces=NS) == ["deleted"]
    headers, _ = full_list(repo.client, "ListIdentifiers", metadataPrefix="rdf", **{"from": deleted_at})
    assert ids(headers) == [oai_id(rid)] and headers[0].get("status") == "deleted"


def test_a_record_harvested_again_unchanged_keeps_its_datestamp(repo: Repo) -> None:
    rid = record_id(RECORDS[3][0], RECORDS[3][1])
    before = repo.datestamp(rid)
    repo.clock.tick(60)
    repo.put(RECORDS[3])
    assert repo.datestamp(rid) == before


# Resumption tokens ------------------------------------------------------------------------------
def test_tokens_carry_expiration_cursor_and_size_and_the_last_page_has_none(repo: Repo) -> None:
    client = repo.client
    doc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = doc.xpath("//o:resumptionToken", namespaces=NS)[0]
    assert token.get("cursor") == "0" and token.get("completeListSize") == "30"
    expires = datetime.strptime(token.get("expirationDate"), STAMP).replace(tzinfo=UTC)
    assert expires == repo.clock.now.replace(microsecond=0) + timedelta(seconds=86400)  # oai_token_lifetime
    seen, cursors = len(doc.xpath("//o:record", namespaces=NS)), [0]
    while (token.text or "").strip():
        doc = oai(client, verb="ListRecords", resumptionToken=token.text)
        token = doc.xpath("//o:resumptionToken", namespaces=NS)[0]
        cursors.append(int(token.get("cursor")))
        seen += len(doc.xpath("//o:record", namespaces=NS))
        assert token.get("completeListSize") == "30"
    assert cursors == [0, 5, 10, 15, 20, 25] and seen == 30
    assert token.get("expirationDate") is None
    # A list that fits in one page has no token at all.
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="source:solidarum")
    assert len(doc.xpath("//o:header", namespaces=NS)) == 5 or doc.xpath("//o:resumptionToken", namespaces=NS)
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="region:normandie")
    assert len(doc.xpath("//o:header", namespaces=NS)) == 2 and not doc.xpath("//o:resumptionToken", namespaces=NS)


def test_an_expired_token_is_a_bad_resumption_token(repo: Repo) -> None:
    doc = oai(repo.client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = doc.xpath("//o:resumptionToken/text()", namespaces=NS)[0]
    codec = repo.app.extensions["carrefour"].extra["oai_codec"]  # type: ignore[attr-defined]
    codec._lifetime = timedelta(seconds=-1)
    try:
        doc = oai(repo.client, verb="ListIdentifiers", resumptionToken=token)
    finally:
        codec._lifetime = timedelta(hours=24)
    assert error_code(doc) == "badResumptionToken"
    assert "expiré" in doc.xpath("//o:error/text()", namespaces=NS)[0]
    assert doc.xpath("//o:request/@resumptionToken", namespaces=NS) == [token]


def test_a_token_signed_by_another_repository_is_refused(repo: Repo, tmp_path: Path) -> None:
    from endpoint.oai.tokens import ListState, TokenCodec

    forged = TokenCodec(b"x" * 64).encode(ListState("ListRecords", "oai_dc", None, None, None, None, 0, 1))
    doc = oai(repo.client, verb="ListRecords", resumptionToken=forged)
    assert error_code(doc) == "badResumptionToken"


# Records changing during a harvest --------------------------------------------------------------
def harvest_with(repo: Repo, change_after_first_page) -> tuple[list, str]:  # type: ignore[no-untyped-def]
    """A ListRecords harvest (page size 5) with changes made after its first page."""
    client = repo.client
    doc = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    response_date = doc.xpath("/o:OAI-PMH/o:responseDate/text()", namespaces=NS)[0]
    records = doc.xpath("//o:ListRecords/o:record", namespaces=NS)
    change_after_first_page()
    token = doc.xpath("//o:resumptionToken/text()", namespaces=NS)
    while token:
        doc = oai(client, verb="ListRecords", resumptionToken=token[0])
        records += doc.xpath("//o:ListRecords/o:record", namespaces=NS)
        token = doc.xpath("//o:resumptionToken/text()", namespaces=NS)
    return records, response_date


def title_of(record) -> str | None:  # type: ignore[no-untyped-def]
    found = record.xpath("o:metadata/oai_dc:dc/dc:title/text()", namespaces=NS)
    return found[0] if found else None


def test_changes_during_a_harvest_skip_nothing_and_repeat_nothing_unchanged(repo: Repo) -> None:
    order = [r.record_id for r in repo.aggregate.listing.published_page(None, 100)]
    done, ahead, gone = order[1], order[20], order[25]
    new_row = ("solidarum", "s-399", "Nouvelle innovation publiée pendant la moisson", *RECORDS[-1][3:])

    def change() -> None:
        repo.clock.tick()
        repo.put(changed(repo.rows[done], "Déjà livrée puis modifiée"))
        repo.put(changed(repo.rows[ahead], "Pas encore livrée puis modifiée"))
        repo.withdraw(gone)
        repo.put(new_row)

    records, response_date = harvest_with(repo, change)
    got = ids(records)
    assert len(got) == len(set(got)), "an identifier was delivered twice"
    unchanged = [rid for rid in order if rid not in (done, ahead, gone)]
    assert [g for g in got if g not in {oai_id(done), oai_id(ahead), oai_id(gone)}] == [oai_id(r) for r in unchanged]
    # The record already delivered is not repeated; the snapshot ends at the first response, so the
    # records changed after it are for the next incremental harvest, which starts from that date.
    assert oai_id(done) in got and oai_id(ahead) not in got and oai_id(gone) not in got
    assert response_date == "2024-05-02T00:00:00Z"
    following, _ = full_list(repo.client, "ListRecords", metadataPrefix="oai_dc", **{"from": response_date})
    new_id = record_id(new_row[0], new_row[1])
    assert sorted(ids(following)) == sorted(oai_id(r) for r in (done, ahead, gone, new_id))
    latest = {i: r for i, r in zip(ids(records) + ids(following), records + following, strict=True)}
    # After both harvests the partner holds every record in its current state, deletions included.
    for row in repo.aggregate.listing.published_page(None, 100):
        record = latest[oai_id(row.record_id)]
        assert (record.xpath("o:header/@status", namespaces=NS) == ["deleted"]) == row.deleted
        if not row.deleted:
            assert title_of(record) == repo.rows[row.record_id][2]


def test_a_record_changed_in_the_snapshot_second_is_delivered_once_more(repo: Repo) -> None:
    order = [r.record_id for r in repo.aggregate.listing.published_page(None, 100)]
    done, ahead = order[0], order[12]

    def change() -> None:  # same second as the first response: inside the snapshot
        repo.put(changed(repo.rows[done], "Modifiée dans la seconde"))
        repo.put(changed(repo.rows[ahead], "Modifiée aussi"))

    records, _ = harvest_with(repo, change)
    got = ids(records)
    assert got.count(oai_id(ahead)) == 1 and title_of(records[got.index(oai_id(ahead))]) == "Modifiée aussi"
    assert got.count(oai_id(done)) == 2  # delivered again because it changed: allowed, and it is the new version
    assert title_of(records[len(got) - 1 - got[::-1].index(oai_id(done))]) == "Modifiée dans la seconde"
    assert sorted(set(got)) == sorted(oai_id(r) for r in order)
    assert all(got.count(oai_id(r)) == 1 for r in order if r not in (done,))


def test_when_every_remaining_record_changed_the_harvest_goes_on_with_them(repo: Repo) -> None:
    order = [r.record_id for r in repo.aggregate.listing.published_page(None, 100)]
    client = repo.client
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2024-05-01T10:00:09Z")
    token = doc.xpath("//o:resumptionToken/text()", namespaces=NS)[0]
    repo.clock.tick()
    for rid in order[5:10]:
        repo.put(changed(repo.rows[rid], repo.rows[rid][2] + " (modifiée)"))
    doc = oai(client, verb="ListIdentifiers", resumptionToken=token)
    # Nothing is left below the harvester's own until: the list ends rather than going past it.
    assert error_code(doc) == "noRecordsMatch"
    order = [r.record_id for r in repo.aggregate.listing.published_page(None, 100)]
    doc = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")  # a new harvest
    token = doc.xpath("//o:resumptionToken/text()", namespaces=NS)[0]
    repo.clock.tick()
    for rid in order[5:]:
        repo.put(changed(repo.rows[rid], repo.rows[rid][2] + " (encore)"))
    headers = doc.xpath("//o:header", namespaces=NS)
    while token:
        doc = oai(client, verb="ListIdentifiers", resumptionToken=token)
        assert error_code(doc) is None
        headers += doc.xpath("//o:header", namespaces=NS)
        token = (doc.xpath("//o:resumptionToken/text()", namespaces=NS) or [""])[0]
    # The first page had order[:5]; everything after it changed: delivered, once, in its new state.
    assert ids(headers)[:5] == [oai_id(r) for r in order[:5]]
    assert sorted(ids(headers)[5:]) == sorted(oai_id(r) for r in order[5:]) and len(headers) == 30


# Errors -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, code",
    [
        ({"verb": "ListRecords", "metadataPrefix": ""}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": ""}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "theme::ENV"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": ""}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-05-01T10:00:00.5Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-05-01T10:00:00"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": ""}, "badArgument"),
        ({"verb": "ListIdentifiers", "resumptionToken": "abc", "set": "theme:ENV"}, "badArgument"),
        ({"verb": "ListSets", "resumptionToken": "abc", "extra": "1"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": f"oai:{DOMAIN}:x"}, "badArgument"),
        ({"verb": "Identify", "resumptionToken": "abc"}, "badArgument"),
        ({"verb": "ListMetadataFormats", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "identify"}, "badVerb"),
        ({"verb": ""}, "badVerb"),
        ({"verb": "GetRecord", "identifier": f"oai:{DOMAIN}:nope-1", "metadataPrefix": "rdf"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": f"oai:{DOMAIN}:"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "rdf", "until": "1999-12-31T23:59:59Z"}, "noRecordsMatch"),
        ({"verb": "ListSets", "resumptionToken": "abc"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "resumptionToken": "x" * 300}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_more_errors_validate_and_carry_their_code(client, args, code, method) -> None:  # type: ignore[no-untyped-def]
    doc = oai(client, method, **args)
    assert error_code(doc) == code, etree.tostring(doc)
    request = doc.xpath("/o:OAI-PMH/o:request", namespaces=NS)[0]
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}
    else:
        # Only valid arguments are echoed.
        assert request.get("verb") == args["verb"]
        for name, value in request.attrib.items():
            assert args[name] == value
    assert len(doc) == 3


def test_illegal_values_are_not_echoed(client) -> None:  # type: ignore[no-untyped-def]
    doc = oai(client, verb="GetRecord", identifier="a b<c", metadataPrefix="oai_dc")
    assert error_code(doc) == "idDoesNotExist"
    request = doc.xpath("/o:OAI-PMH/o:request", namespaces=NS)[0]
    assert dict(request.attrib) == {"verb": "GetRecord", "metadataPrefix": "oai_dc"}


def test_no_metadata_formats_for_a_record_whose_graph_is_missing(repo: Repo) -> None:
    repo.aggregate.listing.publish("ghost-0000000000000000", "fondation", ["source:fondation"])
    doc = oai(repo.client, verb="ListMetadataFormats", identifier=oai_id("ghost-0000000000000000"))
    assert error_code(doc) == "noMetadataFormats"
    rid = record_id(RECORDS[0][0], RECORDS[0][1])
    repo.withdraw(rid)
    doc = oai(repo.client, verb="ListMetadataFormats", identifier=oai_id(rid))
    assert doc.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "rdf"]


def test_a_set_in_an_empty_repository_is_no_set_hierarchy(tmp_path: Path) -> None:
    from endpoint.app import create_app

    settings = load_settings(environ={}, data_dir=tmp_path / "data", mappings_dir=tmp_path / "none")
    app = create_app(settings)
    try:
        client = app.test_client()
        for verb in ("ListIdentifiers", "ListRecords"):
            doc = oai(client, verb=verb, metadataPrefix="oai_dc", set="theme:ENV")
            assert error_code(doc) == "noSetHierarchy"
        assert error_code(oai(client, verb="ListSets")) == "noSetHierarchy"
        doc = oai(client, verb="ListMetadataFormats")
        assert doc.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "rdf"]
    finally:
        app.extensions["carrefour"].aggregate.close()


@pytest.mark.parametrize("verb", ["Identify", "ListMetadataFormats", "ListSets"])
def test_every_verb_answers_post_like_get(client, verb) -> None:  # type: ignore[no-untyped-def]
    get, post = oai(client, "GET", verb=verb), oai(client, "POST", verb=verb)
    strip = "/o:OAI-PMH/*[not(self::o:responseDate)]"
    assert [etree.tostring(e) for e in get.xpath(strip, namespaces=NS)] == [
        etree.tostring(e) for e in post.xpath(strip, namespaces=NS)
    ]
