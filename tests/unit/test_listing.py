from aggregator.listing import Listing


def test_listing_pages_by_keyset_with_sets_and_bounds(tmp_path) -> None:
    db = Listing(tmp_path / "state.sqlite3")
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
