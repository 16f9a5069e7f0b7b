import json
import sqlite3

import pytest

from aggregator.listing import Listing, memberships


def keyset_all(db: Listing, size: int, **bounds) -> list[str]:  # type: ignore[no-untyped-def]
    seen, after = [], None
    while page := db.published_page(after, size, **bounds):
        seen += [row.record_id for row in page]
        after = (page[-1].datestamp, page[-1].record_id)
    return seen


def test_listing_pages_by_keyset_with_sets_and_bounds(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    for n in range(7):
        db.publish(f"r{n}", "fondation", [f"theme:{'ENV' if n < 4 else 'SOL'}"])
    seen = keyset_all(db, 3)
    assert sorted(seen) == [f"r{n}" for n in range(7)] and len(seen) == 7
    assert {r.record_id for r in db.published_page(None, 10, set_spec="theme:SOL")} == {"r4", "r5", "r6"}
    assert db.count_published(set_spec="theme") == 7  # the root of the hierarchy holds every theme
    assert db.count_published(set_spec="them") == 0
    assert db.set_specs() == ["theme", "theme:ENV", "theme:SOL"]
    assert db.published_page(None, 10, until="2000-01-01T00:00:00Z") == []


def test_memberships_are_every_ancestor() -> None:
    assert memberships(["theme:ENV:ALI", "source:a"]) == {"theme", "theme:ENV", "theme:ENV:ALI", "source", "source:a"}


def test_keyset_within_one_set_and_bounds_exact_at_both_ends(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    for n in range(30):
        stamp = f"2024-05-{1 + n // 10:02d}T10:00:{n % 10:02d}Z"
        db.publish(f"r{n:02d}", "s", ["theme:ENV:ALI" if n % 3 == 0 else "theme:SOL"], datestamp=stamp)
    ali = keyset_all(db, 4, set_spec="theme:ENV:ALI")
    assert ali == [f"r{n:02d}" for n in range(0, 30, 3)]
    assert keyset_all(db, 2, set_spec="theme:ENV") == ali
    bounded = keyset_all(db, 3, from_="2024-05-02T10:00:03Z", until="2024-05-03T10:00:01Z")
    assert bounded == [f"r{n:02d}" for n in range(13, 22)]
    assert keyset_all(db, 3, set_spec="theme:SOL", from_="2024-05-02T10:00:03Z", until="2024-05-02T10:00:06Z") == [
        "r13",
        "r14",
        "r16",
    ]
    assert db.count_published(from_="2024-05-02T10:00:03Z", until="2024-05-03T10:00:01Z") == 9
    assert db.count_published(set_spec="theme:ENV:ALI", until="2024-05-01T23:59:59Z") == 4


def test_a_change_moves_the_record_and_its_memberships(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    db.publish("a", "s", ["theme:ENV", "region:bretagne"], datestamp="2024-01-01T00:00:00Z")
    db.publish("b", "s", ["theme:ENV"], datestamp="2024-01-02T00:00:00Z")
    db.publish("a", "s", ["theme:SOL"], datestamp="2024-01-03T00:00:00Z")
    assert [r.record_id for r in db.published_page(None, 10)] == ["b", "a"]
    assert [r.record_id for r in db.published_page(None, 10, set_spec="theme:ENV")] == ["b"]
    assert [r.record_id for r in db.published_page(None, 10, set_spec="theme:SOL")] == ["a"]
    assert db.set_specs() == ["theme", "theme:ENV", "theme:SOL"]
    assert db.count_published(set_spec="region:bretagne") == 0
    rows = db._db.execute("SELECT COUNT(*) FROM published_sets WHERE record_id='a'").fetchone()[0]
    assert rows == len(memberships(["theme:SOL"]))


def test_withdrawing_a_tombstone_again_keeps_its_datestamp(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    db.publish("a", "s", ["source:s"], datestamp="2024-01-01T00:00:00Z")
    db.publish("a", "s", ["source:s"], deleted=True, datestamp="2024-01-02T00:00:00Z")
    db.publish("a", "s", ["source:s"], deleted=True, datestamp="2024-01-03T00:00:00Z")
    row = db.published_row("a")
    assert row is not None and row.deleted and row.datestamp == "2024-01-02T00:00:00Z"
    db.publish("a", "s", ["source:s"], datestamp="2024-01-04T00:00:00Z")  # back to life: a change
    row = db.published_row("a")
    assert row is not None and not row.deleted and row.datestamp == "2024-01-04T00:00:00Z"


def test_set_names_are_kept(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    db.publish("a", "s", ["region:ile-de-france"], names={"region:ile-de-france": "Île-de-France"})
    db.name_sets({"region:bretagne": "Bretagne"})
    assert db.set_names() == {"region:ile-de-france": "Île-de-France", "region:bretagne": "Bretagne"}
    assert db.has_sets()
    assert not Listing(tmp_path / "other.sqlite3").has_sets()


def test_a_listing_from_before_the_membership_table_is_backfilled_at_open(tmp_path) -> None:
    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE published (record_id TEXT PRIMARY KEY, source_id TEXT NOT NULL, datestamp TEXT NOT NULL,
               deleted INTEGER NOT NULL DEFAULT 0, sets TEXT NOT NULL DEFAULT '[]');"""
    )
    old.execute(
        "INSERT INTO published VALUES ('a', 's', '2024-01-01T00:00:00Z', 0, ?)",
        (json.dumps(["source:s", "theme:ENV", "theme:ENV:ALI"]),),
    )
    old.commit()
    old.close()
    db = Listing(path)
    assert [r.record_id for r in db.published_page(None, 5, set_spec="theme:ENV:ALI")] == ["a"]
    assert db.set_specs() == ["source", "source:s", "theme", "theme:ENV", "theme:ENV:ALI"]


def test_a_failed_write_leaves_the_listing_as_it_was(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    db.publish("a", "s", ["theme:ENV"], datestamp="2024-01-01T00:00:00Z")
    with pytest.raises(sqlite3.Error):
        db.publish("a", "s", ["theme:SOL"], names={"x": object()}, datestamp="2024-01-02T00:00:00Z")  # type: ignore[dict-item]
    row = db.published_row("a")
    assert row is not None and row.datestamp == "2024-01-01T00:00:00Z" and row.sets == ("theme:ENV",)
    assert [r.record_id for r in db.published_page(None, 5, set_spec="theme:ENV")] == ["a"]


def test_publish_many_loads_new_rows_with_their_memberships(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
    db.publish("a", "s", ["theme:SOL"], datestamp="2024-01-05T00:00:00Z")
    loaded = db.publish_many(
        [
            ("a", "s", ["theme:ENV"], False, "2024-01-01T00:00:00Z"),
            ("b", "s", ["theme:ENV:ALI"], False, "2024-01-02T00:00:00Z"),
            ("c", "s", ["theme:ENV"], True, "2024-01-03T00:00:00Z"),
        ]
    )
    assert loaded == 2
    assert [r.record_id for r in db.published_page(None, 10, set_spec="theme:ENV")] == ["b", "c"]
    assert db.published_row("a").sets == ("theme:SOL",)  # type: ignore[union-attr]
