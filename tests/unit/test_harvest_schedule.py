from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.schedule import PeriodError, is_due, next_due, parse_period
from aggregator.settings import load_settings
from aggregator.sources import SourceFileError, load_source


def test_periods() -> None:
    assert parse_period("30m") == timedelta(minutes=30)
    assert parse_period("6h") == timedelta(hours=6)
    assert parse_period(" 1d ") == timedelta(days=1)
    assert parse_period("2w") == timedelta(weeks=2)
    for bad in ("", "1", "d", "1y", "-1d", "un jour"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_due_when_never_harvested_or_when_the_period_has_passed() -> None:
    now = datetime(2025, 1, 2, 12, 0, tzinfo=UTC)
    assert is_due(None, timedelta(days=1), now)
    assert is_due("2025-01-01T12:00:00Z", timedelta(days=1), now)
    assert not is_due("2025-01-01T12:00:01Z", timedelta(days=1), now)
    assert next_due("2025-01-01T12:00:00Z", timedelta(hours=6)) == "2025-01-01T18:00:00Z"
    assert next_due(None, timedelta(hours=6)) == "maintenant"


def test_a_bad_period_in_a_source_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "id: s\nlabel: S\nkind: xlsx\nurl: http://x.example.org/a.xlsx\nharvest: {every: souvent}\n"
        "crosswalk: {fields: {title: {path: t}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceFileError, match="harvest.every : période « souvent » illisible"):
        load_source(path, load_settings(environ={}))
