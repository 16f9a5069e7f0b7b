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


def test_runs_are_recorded(tmp_path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    run = db.save_run(HarvestRun("s"))
    run.new, run.status = 3, "ok"
    db.save_run(run)
    assert [(r.source_id, r.new, r.status) for r in db.runs()] == [("s", 3, "ok")]
