from aggregator.records import HarvestedRecord
from aggregator.state import HarvestRun, StateDB


def test_raw_record_round_trip_and_hash(tmp_path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    record = HarvestedRecord("s", "oai:s:1", b"<x/>", "application/xml", "2024-01-01")
    assert db.stored_hash("s", "oai:s:1") is None
    db.save_raw(record, "s-1")
    assert db.stored_hash("s", "oai:s:1") == record.content_hash
    assert list(db.raw_records("s")) == [record]
    deleted = HarvestedRecord("s", "oai:s:1", b"<x/>", "application/xml", deleted=True)
    assert deleted.content_hash != record.content_hash


def test_listing_pages_by_keyset_with_sets_and_bounds(tmp_path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    for n in range(7):
        db.publish(f"r{n}", "fondation", [f"theme:{'ENV' if n < 4 else 'SOL'}"])
    seen, after = [], None
    while page := db.published_page(after, 3):
        seen += [row.record_id for row in page]
        after = (page[-1].datestamp, page[-1].record_id)
    assert sorted(seen) == [f"r{n}" for n in range(7)] and len(seen) == 7
    assert {r.record_id for r in db.published_page(None, 10, set_spec="theme:SOL")} == {"r4", "r5", "r6"}
    assert db.count_published(set_spec="theme") == 0
    assert db.set_specs() == ["theme:ENV", "theme:SOL"]
    assert db.published_page(None, 10, until="2000-01-01T00:00:00Z") == []


def test_runs_are_recorded(tmp_path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    run = db.save_run(HarvestRun("s"))
    run.new, run.status = 3, "ok"
    db.save_run(run)
    assert [(r.source_id, r.new, r.status) for r in db.runs()] == [("s", 3, "ok")]
