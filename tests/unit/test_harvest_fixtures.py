"""Every recorded real-world response gets its expected outcome (tables in ../shared/fixtures)."""

import csv
from pathlib import Path

import pytest

from aggregator.harvest.feeds import entries_of
from aggregator.harvest.http import HarvestError
from aggregator.harvest.oai import OAIError, parse_oai_response, records_of
from aggregator.records import HarvestedRecord, RecordError
from tests.paths import FIXTURES


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


OAI_CASES = table(FIXTURES / "oai-pmh" / "EXPECTED.tsv")
FEED_CASES = table(FIXTURES / "feeds" / "feedparser" / "EXPECTED.tsv")


@pytest.mark.parametrize("case", OAI_CASES, ids=[c["file"] for c in OAI_CASES])
def test_oai_fixture_outcome(case: dict[str, str]) -> None:
    data = (FIXTURES / case["file"]).read_bytes()
    if case["wellformed"] == "no":
        with pytest.raises(HarvestError, match="mal formée"):
            parse_oai_response(data, case["file"])
        return
    if case["verb"] == "-":
        with pytest.raises(HarvestError, match="n'est pas de l'OAI-PMH"):
            parse_oai_response(data, case["file"])
        return
    if case["error_codes"] not in ("-", ""):
        with pytest.raises(OAIError) as raised:
            parse_oai_response(data, case["file"])
        assert raised.value.code == case["error_codes"].split(",")[0]
        return
    root = parse_oai_response(data, case["file"])
    outcomes = list(records_of(root, "fixture"))
    records = [r for r in outcomes if isinstance(r, HarvestedRecord)]
    problems = [r for r in outcomes if isinstance(r, RecordError)]
    if case["verb"] == "ListRecords":
        assert records, "a ListRecords page with records yielded none"
        # A header without identifier cannot be keyed: it is reported, and the others are kept.
        assert sum(r.deleted for r in records) + len(problems) == int(case["deleted_headers"])
        assert len({r.identifier for r in records}) == len(records)
    else:
        assert records == []


@pytest.mark.parametrize("case", FEED_CASES, ids=[c["file"] for c in FEED_CASES])
def test_feed_fixture_outcome(case: dict[str, str]) -> None:
    data = (FIXTURES / "feeds" / "feedparser" / case["file"]).read_bytes()
    expected = int(case["entries"])
    if expected == 0 and case["feedparser_bozo"] == "1":
        with pytest.raises(HarvestError, match="flux illisible"):
            list(entries_of(data, "fixture", case["file"]))
        return
    records = list(entries_of(data, "fixture", case["file"]))
    assert len(records) == expected
    for record in records:
        assert b"<script" not in record.payload.lower(), "script left in a feed entry"


@pytest.mark.parametrize(
    "case", [c for c in FEED_CASES if c["feed_language"] and c["entries"] != "0"], ids=lambda c: c["file"]
)
def test_feed_language_reaches_every_entry(case: dict[str, str]) -> None:
    import json

    data = (FIXTURES / "feeds" / "feedparser" / case["file"]).read_bytes()
    for record in entries_of(data, "fixture", case["file"]):
        language = json.loads(record.payload)["language"]
        # The entry's own xml:lang wins over the feed's; otherwise the feed's language is given.
        assert language == case["feed_language"] or case["file"] == "entry_content_xml_lang_inherit_2.xml"


def test_http_content_language_is_the_last_resort() -> None:
    import json

    data = b'<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>x</title></item></channel></rss>'
    (record,) = entries_of(data, "fixture", "x", {"Content-Language": "fr"})
    assert json.loads(record.payload)["language"] == "fr"
