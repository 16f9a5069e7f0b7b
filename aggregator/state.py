"""The state database (SQLite): raw records as received, and harvest runs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
"""


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: the web server answers from worker threads; SQLite itself
    # serialises writers, and every write here is one short transaction.
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

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.deleted + self.failed


class StateDB:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # raw records -------------------------------------------------------------
    def stored_hash(self, source_id: str, identifier: str) -> str | None:
        row = self._db.execute(
            "SELECT content_hash FROM raw_records WHERE source_id=? AND identifier=?",
            (source_id, identifier),
        ).fetchone()
        return row[0] if row else None

    def save_raw(self, record: HarvestedRecord, record_id: str) -> None:
        now = utc_now()
        self._db.execute(
            """INSERT INTO raw_records (source_id, identifier, record_id, payload, media_type,
                   content_hash, datestamp, deleted, url, first_seen, last_changed)
               VALUES (?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (source_id, identifier) DO UPDATE SET
                   payload=excluded.payload, media_type=excluded.media_type,
                   content_hash=excluded.content_hash, datestamp=excluded.datestamp,
                   deleted=excluded.deleted, url=excluded.url, last_changed=excluded.last_changed""",
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
            ),
        )

    def raw_records(self, source_id: str | None = None) -> Iterator[HarvestedRecord]:
        query = "SELECT source_id, identifier, payload, media_type, datestamp, deleted, url FROM raw_records"
        args: tuple[str, ...] = ()
        if source_id:
            query += " WHERE source_id=?"
            args = (source_id,)
        for row in self._db.execute(query + " ORDER BY source_id, identifier", args).fetchall():
            yield HarvestedRecord(row[0], row[1], bytes(row[2]), row[3], row[4], bool(row[5]), row[6])

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
        )
        if run.id is None:
            cursor = self._db.execute(
                "INSERT INTO harvest_runs (source_id, started, ended, new, updated, unchanged, deleted,"
                " failed, errors, status) VALUES (?,?,?,?,?,?,?,?,?,?)",
                values,
            )
            run.id = cursor.lastrowid
        else:
            self._db.execute(
                "UPDATE harvest_runs SET source_id=?, started=?, ended=?, new=?, updated=?, unchanged=?,"
                " deleted=?, failed=?, errors=?, status=? WHERE id=?",
                (*values, run.id),
            )
        return run

    def runs(self, limit: int = 50) -> list[HarvestRun]:
        rows = self._db.execute(
            "SELECT id, source_id, started, ended, new, updated, unchanged, deleted, failed, errors, status"
            " FROM harvest_runs ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            HarvestRun(
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
            )
            for r in rows
        ]
