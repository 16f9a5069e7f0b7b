"""``/oai``: every verb and every error validates against the OAI-PMH schemas; a real harvest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from aggregator.records import record_id

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
DOMAIN = "carrefour.example.org"


def oai(client, validate_oai, method: str = "GET", **args):  # type: ignore[no-untyped-def]
    if method == "GET":
        response = client.get("/oai", query_string=args)
    else:
        response = client.post("/oai", data=args)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return validate_oai(response.data)


def error_code(doc) -> str | None:  # type: ignore[no-untyped-def]
    found = doc.xpath("/o:OAI-PMH/o:error/@code", namespaces=NS)
    return found[0] if found else None


def listing(published, set_spec=None):  # type: ignore[no-untyped-def]
    state = published.app.extensions["carrefour"].aggregate.listing
    return state.published_page(None, 10_000, set_spec=set_spec)


def harvest(client, validate_oai, verb: str, method: str = "GET", **args):  # type: ignore[no-untyped-def]
    """Follow resumption tokens to the end; returns (headers, pages) and checks cursors on the way."""
    headers, pages = [], []
    doc = oai(client, validate_oai, method, verb=verb, **args)
    expected_cursor = 0
    while True:
        assert error_code(doc) is None, etree.tostring(doc)
        pages.append(doc)
        page_headers = doc.xpath(f"/o:OAI-PMH/o:{verb}//o:header", namespaces=NS)
        headers.extend(page_headers)
        token = doc.xpath(f"/o:OAI-PMH/o:{verb}/o:resumptionToken", namespaces=NS)
        if not token:
            assert len(pages) == 1
            return headers, pages
        assert int(token[0].get("cursor")) == expected_cursor
        expected_cursor += len(page_headers)
        if not (token[0].text or "").strip():
            assert int(token[0].get("completeListSize")) == len(headers)
            return headers, pages
        doc = oai(client, validate_oai, method, verb=verb, resumptionToken=token[0].text)


def test_identify(client, validate_oai, published):  # type: ignore[no-untyped-def]
    doc = oai(client, validate_oai, verb="Identify")
    ident = doc.xpath("/o:OAI-PMH/o:Identify", namespaces=NS)[0]

    def get(name: str) -> str:
        return ident.xpath(f"o:{name}/text()", namespaces=NS)[0]

    assert get("repositoryName") == "Carrefour des innovations sociales"
    # The address the request reached (the test client's), not the base_url setting.
    assert get("baseURL") == "http://localhost/oai"
    assert get("protocolVersion") == "2.0"
    assert get("adminEmail") == "contact@carrefour.example.org"
    assert get("deletedRecord") == "persistent"
    assert get("granularity") == "YYYY-MM-DDThh:mm:ssZ"
    state = published.app.extensions["carrefour"].aggregate.listing
    assert get("earliestDatestamp") == state.earliest_datestamp()
    assert doc.xpath("//id:oai-identifier/id:repositoryIdentifier/text()", namespaces=NS) == [DOMAIN]
    sample = doc.xpath("//id:oai-identifier/id:sampleIdentifier/text()", namespaces=NS)[0]
    assert sample.startswith(f"oai:{DOMAIN}:")
    request = doc.xpath("/o:OAI-PMH/o:request", namespaces=NS)[0]
    assert request.get("verb") == "Identify" and request.text == "http://localhost/oai"


def test_identify_by_post(client, validate_oai):  # type: ignore[no-untyped-def]
    doc = oai(client, validate_oai, "POST", verb="Identify")
    assert doc.xpath("/o:OAI-PMH/o:Identify/o:protocolVersion/text()", namespaces=NS) == ["2.0"]


def test_list_metadata_formats(client, validate_oai, published):  # type: ignore[no-untyped-def]
    doc = oai(client, validate_oai, verb="ListMetadataFormats")
    assert doc.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "rdf"]
    rid = next(iter(published.live))
    doc = oai(client, validate_oai, verb="ListMetadataFormats", identifier=f"oai:{DOMAIN}:{rid}")
    assert doc.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "rdf"]
    doc = oai(client, validate_oai, verb="ListMetadataFormats", identifier=f"oai:{DOMAIN}:nope-0")
    assert error_code(doc) == "idDoesNotExist"


def test_list_sets(client, validate_oai):  # type: ignore[no-untyped-def]
    doc = oai(client, validate_oai, verb="ListSets")
    sets = dict(
        zip(
            doc.xpath("//o:set/o:setSpec/text()", namespaces=NS),
            doc.xpath("//o:set/o:setName/text()", namespaces=NS),
            strict=True,
        )
    )
    assert sets["source:fondation"] == "Source : Fondation pour l'innovation solidaire"
    assert sets["theme:ENV"] == "Thématique : Environnement"
    assert sets["theme:ENV:ALI"] == "Thématique : Alimentation durable"
    assert {"source:avise", "source:territoires", "source:solidarum"} <= set(sets)
    assert "theme:FIN" in sets  # monnaie locale: Finance solidaire
    doc = oai(client, validate_oai, verb="ListSets", resumptionToken="x")
    assert error_code(doc) == "badResumptionToken"


def test_get_record_oai_dc(client, validate_oai):  # type: ignore[no-untyped-def]
    rid = record_id("fondation", "p-001")
    doc = oai(client, validate_oai, verb="GetRecord", identifier=f"oai:{DOMAIN}:{rid}", metadataPrefix="oai_dc")
    record = doc.xpath("/o:OAI-PMH/o:GetRecord/o:record", namespaces=NS)[0]
    assert record.xpath("o:header/o:identifier/text()", namespaces=NS) == [f"oai:{DOMAIN}:{rid}"]
    specs = record.xpath("o:header/o:setSpec/text()", namespaces=NS)
    assert {"source:fondation", "theme:ENV", "theme:ENV:ALI", "theme:SOL", "theme:SOL:LIE"} <= set(specs)
    dc = record.xpath("o:metadata/oai_dc:dc", namespaces=NS)[0]

    def values(name: str) -> list[str]:
        return dc.xpath(f"dc:{name}/text()", namespaces=NS)

    assert values("title") == ["Un jardin potager au pied des immeubles"]
    assert values("creator") == ["Association Les Mains Vertes"]
    assert {"Environnement", "Alimentation durable", "Solidarité", "Lien social", "Vivre ensemble"} <= set(
        values("subject")
    )
    assert any(v.startswith("Des habitants cultivent") for v in values("description"))
    assert {"Rennes", "Bretagne"} <= set(values("coverage"))
    assert f"http://carrefour.test/id/innovation/{rid}" in values("identifier")
    assert values("source") == ["https://fondation.example.org/projets/p-001"]
    assert values("date") == ["2019-04"]
    assert values("language") == ["fr"] and values("type")


def test_get_record_of_a_withdrawn_record_is_a_deleted_header(client, validate_oai, published):  # type: ignore[no-untyped-def]
    rid = published.withdrawn[0]
    doc = oai(client, validate_oai, verb="GetRecord", identifier=f"oai:{DOMAIN}:{rid}", metadataPrefix="oai_dc")
    header = doc.xpath("//o:record/o:header", namespaces=NS)[0]
    assert header.get("status") == "deleted"
    assert not doc.xpath("//o:record/o:metadata", namespaces=NS)


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_lists_page_by_resumption_token_over_the_whole_listing(client, validate_oai, published, verb, method):  # type: ignore[no-untyped-def]
    headers, pages = harvest(client, validate_oai, verb, method, metadataPrefix="oai_dc")
    rows = listing(published)
    assert len(pages) == -(-len(rows) // 7) and len(pages) > 2  # page size 7: tokens are exercised
    assert [h.xpath("o:identifier/text()", namespaces=NS)[0] for h in headers] == [
        f"oai:{DOMAIN}:{r.record_id}" for r in rows
    ]
    deleted = {h.xpath("o:identifier/text()", namespaces=NS)[0] for h in headers if h.get("status") == "deleted"}
    assert deleted == {f"oai:{DOMAIN}:{rid}" for rid in published.withdrawn}
    first_token = pages[0].xpath(f"//o:{verb}/o:resumptionToken", namespaces=NS)[0]
    assert first_token.get("completeListSize") == str(len(rows)) == "32"
    if verb == "ListRecords":
        live = [p for p in pages for p in p.xpath("//o:record[o:metadata]", namespaces=NS)]
        assert len(live) == len(published.live)


def test_selective_harvest_by_set(client, validate_oai, published):  # type: ignore[no-untyped-def]
    headers, _ = harvest(client, validate_oai, "ListIdentifiers", metadataPrefix="oai_dc", set="theme:ENV:ALI")
    got = {h.xpath("o:identifier/text()", namespaces=NS)[0] for h in headers}
    assert got == {
        f"oai:{DOMAIN}:{record_id(s, i)}"
        for s, i in [("fondation", "p-001"), ("fondation", "p-002"), ("avise", "a-104"), ("territoires", "t-202")]
    }
    headers, _ = harvest(client, validate_oai, "ListRecords", metadataPrefix="oai_dc", set="source:fondation")
    expected = [f"oai:{DOMAIN}:{r.record_id}" for r in listing(published, "source:fondation")]
    assert [h.xpath("o:identifier/text()", namespaces=NS)[0] for h in headers] == expected
    assert len(expected) >= 8


def test_from_until(client, validate_oai, published):  # type: ignore[no-untyped-def]
    state = published.app.extensions["carrefour"].aggregate.listing
    earliest = datetime.strptime(state.earliest_datestamp(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    day = earliest.strftime("%Y-%m-%d")
    headers, _ = harvest(client, validate_oai, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": day})
    assert len(headers) == 32
    headers, _ = harvest(
        client,
        validate_oai,
        "ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": state.earliest_datestamp(), "until": "2999-12-31T23:59:59Z"},
    )
    assert len(headers) == 32
    before = (earliest - timedelta(days=1)).strftime("%Y-%m-%d")
    doc = oai(client, validate_oai, verb="ListRecords", metadataPrefix="oai_dc", until=before)
    assert error_code(doc) == "noRecordsMatch"


def test_tampered_or_foreign_tokens_are_bad_resumption_tokens(client, validate_oai):  # type: ignore[no-untyped-def]
    doc = oai(client, validate_oai, verb="ListRecords", metadataPrefix="oai_dc")
    token = doc.xpath("//o:resumptionToken/text()", namespaces=NS)[0]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "bm90IGEgdG9rZW4", token.replace(".", ".x", 1)):
        doc = oai(client, validate_oai, verb="ListRecords", resumptionToken=bad)
        assert error_code(doc) == "badResumptionToken"
        assert not doc.xpath("//o:ListRecords", namespaces=NS)
    doc = oai(client, validate_oai, verb="ListIdentifiers", resumptionToken=token)  # given for ListRecords
    assert error_code(doc) == "badResumptionToken"
    assert (client.application.extensions["carrefour"].settings.data_dir / "oai-token-secret").is_file()


@pytest.mark.parametrize(
    "args, code",
    [
        ({}, "badVerb"),
        ({"verb": "Frobnicate"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-45"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-02-01T00:00:00Z"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "abc"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "abc"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "theme:NOPE"}, "noRecordsMatch"),
        ({"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": f"oai:{DOMAIN}:x"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{DOMAIN}:nope-1"}, "idDoesNotExist"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere.org:x"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "nope"}, "idDoesNotExist"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_errors_validate_and_carry_their_code(client, validate_oai, args, code, method):  # type: ignore[no-untyped-def]
    doc = oai(client, validate_oai, method, **args)
    assert error_code(doc) == code
    assert doc.xpath("/o:OAI-PMH/o:error/text()", namespaces=NS)[0].strip()
    request = doc.xpath("/o:OAI-PMH/o:request", namespaces=NS)[0]
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the request is not echoed when it is wrong
    else:
        assert request.get("verb") == args["verb"]
    assert len(doc) == 3  # responseDate, request, error: nothing else


def test_repeated_arguments_are_errors(client, validate_oai):  # type: ignore[no-untyped-def]
    doc = validate_oai(client.get("/oai?verb=Identify&verb=Identify").data)
    assert error_code(doc) == "badVerb"
    doc = validate_oai(client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc").data)
    assert error_code(doc) == "badArgument"


def test_post_must_be_form_encoded(client, validate_oai):  # type: ignore[no-untyped-def]
    response = client.post("/oai", data=b"verb=Identify", content_type="text/plain")
    assert error_code(validate_oai(response.data)) == "badArgument"


def test_sickle_harvests_everything_over_http(live_server, published):  # type: ignore[no-untyped-def]
    from sickle import Sickle

    sickle = Sickle(f"{live_server}/oai", max_retries=1, timeout=30)
    identify = sickle.Identify()
    assert identify.protocolVersion == "2.0" and identify.deletedRecord == "persistent"
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    rows = listing(published)
    assert [r.header.identifier for r in records] == [f"oai:{DOMAIN}:{row.record_id}" for row in rows]
    assert [r.header.deleted for r in records] == [row.deleted for row in rows]
    titles = {r.header.identifier: r.metadata.get("title", [None])[0] for r in records if not r.header.deleted}
    assert titles[f"oai:{DOMAIN}:{record_id('avise', 'a-101')}"] == "Coopérative d'énergie citoyenne"
    identifiers = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=True)]
    assert len(identifiers) == len(published.live)
    assert {s.setSpec for s in sickle.ListSets()} >= {"source:fondation", "theme:ENV"}
    record = sickle.GetRecord(identifier=f"oai:{DOMAIN}:{record_id('fondation', 'p-001')}", metadataPrefix="oai_dc")
    assert record.metadata["creator"] == ["Association Les Mains Vertes"]


def test_an_empty_repository_answers_validly(tmp_path, validate_oai):  # type: ignore[no-untyped-def]
    from aggregator.settings import load_settings
    from endpoint.app import create_app

    settings = load_settings(environ={}, data_dir=tmp_path / "data", mappings_dir=tmp_path / "none")
    app = create_app(settings)
    try:
        client = app.test_client()
        doc = validate_oai(client.get("/oai?verb=Identify").data)
        assert doc.xpath("//o:earliestDatestamp/text()", namespaces=NS)
        assert error_code(validate_oai(client.get("/oai?verb=ListSets").data)) == "noSetHierarchy"
        doc = validate_oai(client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data)
        assert error_code(doc) == "noRecordsMatch"
        assert "0 innovation<" in client.get("/").data.decode()
    finally:
        app.extensions["carrefour"].aggregate.close()
