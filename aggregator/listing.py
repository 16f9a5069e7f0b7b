"""The publication listing: what OAI-PMH pages through.

One row per record with the datestamp of its last change in the aggregate and its sets, in the
state database, so that pages are read by keyset on (datestamp, record_id), never by offset.
Tombstones stay in the listing forever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aggregator.state import connect, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS published (
    record_id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    datestamp TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    sets TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS published_by_datestamp ON published (datestamp, record_id);
"""


@dataclass(frozen=True)
class PublishedRow:
    record_id: str
    source_id: str
    datestamp: str
    deleted: bool
    sets: tuple[str, ...]


class Listing:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def publish(self, record_id: str, source_id: str, sets: list[str], deleted: bool = False) -> None:
        self._db.execute(
            """INSERT INTO published (record_id, source_id, datestamp, deleted, sets) VALUES (?,?,?,?,?)
               ON CONFLICT (record_id) DO UPDATE SET source_id=excluded.source_id,
                   datestamp=excluded.datestamp, deleted=excluded.deleted, sets=excluded.sets""",
            (record_id, source_id, utc_now(), int(deleted), json.dumps(sorted(sets))),
        )

    def published_page(
        self,
        after: tuple[str, str] | None,
        limit: int,
        from_: str | None = None,
        until: str | None = None,
        set_spec: str | None = None,
    ) -> list[PublishedRow]:
        """One page of the listing in (datestamp, record_id) order, starting after a key."""
        clauses, args = [], []
        if after is not None:
            clauses.append("(datestamp, record_id) > (?, ?)")
            args.extend(after)
        if from_:
            clauses.append("datestamp >= ?")
            args.append(from_)
        if until:
            clauses.append("datestamp <= ?")
            args.append(until)
        if set_spec:
            # A record lists every level of its hierarchical sets (theme:ENV and theme:ENV:ALI).
            clauses.append("EXISTS (SELECT 1 FROM json_each(sets) WHERE value = ?)")
            args.append(set_spec)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(
            f"SELECT record_id, source_id, datestamp, deleted, sets FROM published {where} "
            "ORDER BY datestamp, record_id LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [PublishedRow(r[0], r[1], r[2], bool(r[3]), tuple(json.loads(r[4]))) for r in rows]

    def count_published(
        self,
        from_: str | None = None,
        until: str | None = None,
        set_spec: str | None = None,
        include_deleted: bool = True,
    ) -> int:
        clauses, args = [], []
        if from_:
            clauses.append("datestamp >= ?")
            args.append(from_)
        if until:
            clauses.append("datestamp <= ?")
            args.append(until)
        if set_spec:
            # A record lists every level of its hierarchical sets (theme:ENV and theme:ENV:ALI).
            clauses.append("EXISTS (SELECT 1 FROM json_each(sets) WHERE value = ?)")
            args.append(set_spec)
        if not include_deleted:
            clauses.append("deleted = 0")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._db.execute(f"SELECT COUNT(*) FROM published {where}", args).fetchone()[0]

    def published_row(self, record_id: str) -> PublishedRow | None:
        r = self._db.execute(
            "SELECT record_id, source_id, datestamp, deleted, sets FROM published WHERE record_id=?",
            (record_id,),
        ).fetchone()
        return PublishedRow(r[0], r[1], r[2], bool(r[3]), tuple(json.loads(r[4]))) if r else None

    def set_specs(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT value FROM published, json_each(published.sets) ORDER BY value")
        return [r[0] for r in rows]

    def earliest_datestamp(self) -> str | None:
        return self._db.execute("SELECT MIN(datestamp) FROM published").fetchone()[0]
