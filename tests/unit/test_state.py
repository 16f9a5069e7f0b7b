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


def test_harvest_memory_and_resume_point_per_source(tmp_path) -> None:
    from aggregator.state import MEMORY_KEY, RESUME_KEY

    db = StateDB(tmp_path / "state.sqlite3")
    assert db.get_source_state("s", RESUME_KEY) is None
    db.set_source_state("s", RESUME_KEY, {"token": "abc", "highest": "2024-01-01T00:00:00Z"})
    db.set_source_state("s", MEMORY_KEY, {"etag": '"x"'})
    db.close()
    db = StateDB(tmp_path / "state.sqlite3")
    assert db.get_source_state("s", RESUME_KEY)["token"] == "abc"
    assert db.get_source_state("t", RESUME_KEY) is None
    db.set_source_state("s", RESUME_KEY, None)
    assert db.get_source_state("s", RESUME_KEY) is None
    assert db.get_source_state("s", MEMORY_KEY) == {"etag": '"x"'}


def test_a_transaction_interrupted_leaves_nothing(tmp_path) -> None:
    import pytest

    db = StateDB(tmp_path / "state.sqlite3")
    record = HarvestedRecord("s", "oai:s:1", b"<x/>", "application/xml")
    with pytest.raises(RuntimeError), db.transaction():
        db.save_raw(record, "s-1", "1")
        db.set_source_state("s", "resume", {"token": "t"})
        raise RuntimeError("crash")
    assert db.stored("s", "oai:s:1") is None and db.get_source_state("s", "resume") is None
    with db.transaction():
        db.save_raw(record, "s-1", "1")
    assert db.stored("s", "oai:s:1") == (record.content_hash, "1")
    assert [(row.record_id, row.mapped_version) for row in db.raw_rows("s")] == [("s-1", "1")]


def test_runs_by_source_with_invalid_warnings_and_mode(tmp_path) -> None:
    db = StateDB(tmp_path / "state.sqlite3")
    first = db.save_run(HarvestRun("a", status="ok", new=10, mode="full"))
    db.save_run(HarvestRun("b", status="failed"))
    last = db.save_run(HarvestRun("a", status="warning", new=2, invalid=3, warnings=["baisse"], mode="full"))
    assert [r.id for r in db.runs(source_id="a")] == [last.id, first.id]
    stored = db.run(last.id)
    assert stored is not None and (stored.invalid, stored.warnings, stored.seen) == (3, ["baisse"], 5)
    assert db.previous_run("a", last.id, ("full",), ("ok", "warning")).id == first.id
    assert db.previous_run("b", None, ("full",), ("ok",)) is None


def test_an_older_database_gains_the_new_columns(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE harvest_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, source_id TEXT NOT NULL,"
        " started TEXT NOT NULL, ended TEXT, new INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,"
        " unchanged INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
        " errors TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'running');"
        "INSERT INTO harvest_runs (source_id, started, status) VALUES ('a', '2024-01-01T00:00:00Z', 'ok');"
    )
    old.commit()
    old.close()
    db = StateDB(path)
    assert [(r.source_id, r.mode, r.invalid) for r in db.runs()] == [("a", "full", 0)]
