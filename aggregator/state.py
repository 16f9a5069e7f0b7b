"""The state database (SQLite): raw records as received, harvest runs, and per-source harvest memory.

The harvest memory of a source holds what the next run needs: where a broken run stopped (its
resume point), the last datestamp seen, the validators of a feed (ETag, Last-Modified).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aggregator.records import HarvestedRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_records (
    source_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    record_id TEXT NOT NULL UNIQUE,
    payload BLOB NOT NULL,
    media_type TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    datestamp TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    url TEXT,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    PRIMARY KEY (source_id, identifier)
);
CREATE TABLE IF NOT EXISTS harvest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS source_state (
    source_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (source_id, key)
);
"""

#: Columns added after the first release, created on open when an older database lacks them.
MIGRATIONS = (
    ("raw_records", "mapped_version", "TEXT"),
    ("harvest_runs", "invalid", "INTEGER NOT NULL DEFAULT 0"),
    ("harvest_runs", "warnings", "TEXT NOT NULL DEFAULT '[]'"),
    ("harvest_runs", "mode", "TEXT NOT NULL DEFAULT 'full'"),
)

#: Keys of the harvest memory of a source.
RESUME_KEY = "resume"
MEMORY_KEY = "memory"


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: the web server answers from worker threads, and harvests may run in
    # several threads; StateDB serialises its own use of the connection with a lock.
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class HarvestRun:
    source_id: str
    started: str = field(default_factory=utc_now)
    ended: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    status: str = "running"
    id: int | None = None
    #: Records the crosswalk mapped but validation refused (``InvalidRecordError``).
    invalid: int = 0
    #: Things the people running the harvest should look at, the run having gone through.
    warnings: list[str] = field(default_factory=list)
    #: full, incremental, resumed, not-modified (feed answered 304) or remap.
    mode: str = "full"

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.deleted + self.failed + self.invalid


@dataclass(frozen=True)
class RawRow:
    """A raw record with what the pipeline knows of it: its local id and the crosswalk that mapped it."""

    record: HarvestedRecord
    record_id: str
    #: Version of the crosswalk that last mapped the payload; None if it never mapped successfully.
    mapped_version: str | None


_RUN_COLUMNS = (
    "id, source_id, started, ended, new, updated, unchanged, deleted, failed, errors, status, invalid, warnings, mode"
)


def _run_of(r: tuple[Any, ...]) -> HarvestRun:
    return HarvestRun(
        id=r[0],
        source_id=r[1],
        started=r[2],
        ended=r[3],
        new=r[4],
        updated=r[5],
        unchanged=r[6],
        deleted=r[7],
        failed=r[8],
        errors=json.loads(r[9]),
        status=r[10],
        invalid=r[11],
        warnings=json.loads(r[12]),
        mode=r[13],
    )


class StateDB:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.RLock()
        self._db.executescript(SCHEMA)
        for table, column, declaration in MIGRATIONS:
            columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside is committed together, or not at all (a crash in between loses it all)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # raw records -------------------------------------------------------------
    def stored_hash(self, source_id: str, identifier: str) -> str | None:
        stored = self.stored(source_id, identifier)
        return stored[0] if stored else None

    def stored(self, source_id: str, identifier: str) -> tuple[str, str | None] | None:
        """The content hash of the stored payload and the crosswalk version that mapped it."""
        with self._lock:
            row = self._db.execute(
                "SELECT content_hash, mapped_version FROM raw_records WHERE source_id=? AND identifier=?",
                (source_id, identifier),
            ).fetchone()
        return (row[0], row[1]) if row else None

    def save_raw(self, record: HarvestedRecord, record_id: str, mapped_version: str | None = None) -> None:
        now = utc_now()
        with self._lock:
            self._db.execute(
                """INSERT INTO raw_records (source_id, identifier, record_id, payload, media_type,
                       content_hash, datestamp, deleted, url, first_seen, last_changed, mapped_version)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT (source_id, identifier) DO UPDATE SET
                       payload=excluded.payload, media_type=excluded.media_type,
                       content_hash=excluded.content_hash, datestamp=excluded.datestamp,
                       deleted=excluded.deleted, url=excluded.url, last_changed=excluded.last_changed,
                       mapped_version=excluded.mapped_version""",
                (
                    record.source_id,
                    record.identifier,
                    record_id,
                    record.payload,
                    record.media_type,
                    record.content_hash,
                    record.datestamp,
                    int(record.deleted),
                    record.url,
                    now,
                    now,
                    mapped_version,
                ),
            )

    def set_mapped_version(self, source_id: str, identifier: str, mapped_version: str | None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE raw_records SET mapped_version=? WHERE source_id=? AND identifier=?",
                (mapped_version, source_id, identifier),
            )

    def raw_records(self, source_id: str | None = None) -> Iterator[HarvestedRecord]:
        for row in self.raw_rows(source_id):
            yield row.record

    def raw_rows(self, source_id: str | None = None) -> Iterator[RawRow]:
        query = (
            "SELECT source_id, identifier, payload, media_type, datestamp, deleted, url, record_id, mapped_version"
            " FROM raw_records"
        )
        args: tuple[str, ...] = ()
        if source_id:
            query += " WHERE source_id=?"
            args = (source_id,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY source_id, identifier", args).fetchall()
        for row in rows:
            record = HarvestedRecord(row[0], row[1], bytes(row[2]), row[3], row[4], bool(row[5]), row[6])
            yield RawRow(record, row[7], row[8])

    def count_raw(self, source_id: str, deleted: bool | None = None) -> int:
        query, args = "SELECT COUNT(*) FROM raw_records WHERE source_id=?", [source_id]
        if deleted is not None:
            query += " AND deleted=?"
            args.append(str(int(deleted)))
        with self._lock:
            return int(self._db.execute(query, args).fetchone()[0])

    # harvest memory of each source ----------------------------------------------
    def get_source_state(self, source_id: str, key: str) -> Any:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM source_state WHERE source_id=? AND key=?", (source_id, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def set_source_state(self, source_id: str, key: str, value: Any) -> None:
        with self._lock:
            if value is None:
                self._db.execute("DELETE FROM source_state WHERE source_id=? AND key=?", (source_id, key))
            else:
                self._db.execute(
                    "INSERT INTO source_state (source_id, key, value) VALUES (?,?,?)"
                    " ON CONFLICT (source_id, key) DO UPDATE SET value=excluded.value",
                    (source_id, key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
                )

    # harvest runs ------------------------------------------------------------
    def save_run(self, run: HarvestRun) -> HarvestRun:
        values = (
            run.source_id,
            run.started,
            run.ended,
            run.new,
            run.updated,
            run.unchanged,
            run.deleted,
            run.failed,
            json.dumps(run.errors, ensure_ascii=False),
            run.status,
            run.invalid,
            json.dumps(run.warnings, ensure_ascii=False),
            run.mode,
        )
        with self._lock:
            if run.id is None:
                cursor = self._db.execute(
                    "INSERT INTO harvest_runs (source_id, started, ended, new, updated, unchanged, deleted,"
                    " failed, errors, status, invalid, warnings, mode) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    values,
                )
                run.id = cursor.lastrowid
            else:
                self._db.execute(
                    "UPDATE harvest_runs SET source_id=?, started=?, ended=?, new=?, updated=?, unchanged=?,"
                    " deleted=?, failed=?, errors=?, status=?, invalid=?, warnings=?, mode=? WHERE id=?",
                    (*values, run.id),
                )
        return run

    def runs(self, limit: int = 50, source_id: str | None = None) -> list[HarvestRun]:
        query, args = f"SELECT {_RUN_COLUMNS} FROM harvest_runs", []
        if source_id:
            query += " WHERE source_id=?"
            args.append(source_id)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_run_of(r) for r in rows]

    def run(self, run_id: int) -> HarvestRun | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM harvest_runs WHERE id=?", (run_id,)).fetchone()
        return _run_of(row) if row else None

    def previous_run(self, source_id: str, before: int | None, modes: tuple[str, ...], statuses: tuple[str, ...]):  # type: ignore[no-untyped-def]
        """The latest run of a source before run ``before`` with one of these modes and statuses."""
        query = (
            f"SELECT {_RUN_COLUMNS} FROM harvest_runs WHERE source_id=?"
            f" AND mode IN ({','.join('?' * len(modes))}) AND status IN ({','.join('?' * len(statuses))})"
        )
        args: list[Any] = [source_id, *modes, *statuses]
        if before is not None:
            query += " AND id<?"
            args.append(before)
        with self._lock:
            row = self._db.execute(query + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _run_of(row) if row else None
