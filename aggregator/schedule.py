"""Each source's refresh period (``harvest: {every: 1d}``) and which sources are due.

A period is a number and a unit: ``30m``, ``6h``, ``1d``, ``2w`` (minutes, hours, days, weeks).
A source is due when it was never harvested successfully, or when its last successful run
(ok or warning) started at least one period ago. A failed run does not count: the source stays due.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


class PeriodError(ValueError):
    pass


def parse_period(value: object) -> timedelta:
    match = _PERIOD.match(str(value))
    if not match:
        raise PeriodError(f"période « {value} » illisible (exemples : 30m, 6h, 1d, 2w)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def _moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def is_due(last_success_started: str | None, period: timedelta, now: datetime | None = None) -> bool:
    if last_success_started is None:
        return True
    now = now or datetime.now(UTC)
    return _moment(last_success_started) + period <= now


def next_due(last_success_started: str | None, period: timedelta) -> str:
    if last_success_started is None:
        return "maintenant"
    return (_moment(last_success_started) + period).strftime("%Y-%m-%dT%H:%M:%SZ")
