"""The publication listing: what OAI-PMH pages through.

One row per record with the datestamp of its last change in the aggregate and its sets, in the
state database, so that pages are read by keyset on (datestamp, record_id), never by offset.
Tombstones stay in the listing forever.

Set membership is also kept in ``published_sets``, one row per (set, record) with the record's
datestamp, keyed on (set_spec, datestamp, record_id): a page of one set is then a keyset range
of that index too, however rare the set. A record is a member of every ancestor of its set specs
(``theme:ENV:ALI`` makes it a member of ``theme:ENV`` and ``theme``), as OAI-PMH set hierarchies
require; its header still lists the specs it was published with.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
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
CREATE TABLE IF NOT EXISTS published_sets (
    set_spec TEXT NOT NULL,
    datestamp TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (set_spec, datestamp, record_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS set_names (
    set_spec TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
"""

_COLUMNS = "p.record_id, p.source_id, p.datestamp, p.deleted, p.sets"


@dataclass(frozen=True)
class PublishedRow:
    record_id: str
    source_id: str
    datestamp: str
    deleted: bool
    sets: tuple[str, ...]


def memberships(sets: Iterable[str]) -> set[str]:
    """Every set a record belongs to: its specs and all their ancestors (a:b:c -> a, a:b, a:b:c)."""
    out: set[str] = set()
    for spec in sets:
        parts = spec.split(":")
        out.update(":".join(parts[: n + 1]) for n in range(len(parts)))
    return out


def _row(r: tuple) -> PublishedRow:  # type: ignore[type-arg]
    return PublishedRow(r[0], r[1], r[2], bool(r[3]), tuple(json.loads(r[4])))


class Listing:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        # One connection serves the web server's threads: a lock keeps a reader out of a writer's
        # half-done transaction (SQLite isolates connections, not threads sharing one).
        self._lock = threading.RLock()
        self._db.executescript(SCHEMA)
        self._backfill_memberships()

    def close(self) -> None:
        self._db.close()

    # writing ---------------------------------------------------------------------------------
    def publish(
        self,
        record_id: str,
        source_id: str,
        sets: list[str],
        deleted: bool = False,
        names: Mapping[str, str] | None = None,
        datestamp: str | None = None,
    ) -> None:
        """Record a change of a record: a new datestamp, its sets (and, optionally, display names of sets).

        Withdrawing a record that is already a tombstone with the same sets changes nothing a
        harvester could see, so its datestamp stays.
        """
        specs = sorted(set(sets))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                old = self._db.execute(
                    "SELECT source_id, datestamp, deleted, sets FROM published WHERE record_id=?", (record_id,)
                ).fetchone()
                if old is not None and deleted and old[2] and old[0] == source_id and json.loads(old[3]) == specs:
                    self._db.execute("COMMIT")
                    return
                stamp = datestamp or utc_now()
                if old is not None:
                    self._db.executemany(
                        "DELETE FROM published_sets WHERE set_spec=? AND datestamp=? AND record_id=?",
                        [(spec, old[1], record_id) for spec in memberships(json.loads(old[3]))],
                    )
                self._db.execute(
                    """INSERT INTO published (record_id, source_id, datestamp, deleted, sets) VALUES (?,?,?,?,?)
                       ON CONFLICT (record_id) DO UPDATE SET source_id=excluded.source_id,
                           datestamp=excluded.datestamp, deleted=excluded.deleted, sets=excluded.sets""",
                    (record_id, source_id, stamp, int(deleted), json.dumps(specs)),
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO published_sets (set_spec, datestamp, record_id) VALUES (?,?,?)",
                    [(spec, stamp, record_id) for spec in sorted(memberships(specs))],
                )
                if names:
                    self._db.executemany(
                        "INSERT INTO set_names (set_spec, name) VALUES (?,?)"
                        " ON CONFLICT (set_spec) DO UPDATE SET name=excluded.name",
                        sorted(names.items()),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def publish_many(self, rows: Iterable[tuple[str, str, list[str], bool, str]]) -> int:
        """Bulk load of (record_id, source_id, sets, deleted, datestamp) rows, new records only, one transaction.

        For rebuilding a listing and for benchmarks; a record already listed is left as it is.
        """
        count = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for record_id, source_id, sets, deleted, datestamp in rows:
                    specs = sorted(set(sets))
                    cursor = self._db.execute(
                        "INSERT OR IGNORE INTO published (record_id, source_id, datestamp, deleted, sets)"
                        " VALUES (?,?,?,?,?)",
                        (record_id, source_id, datestamp, int(deleted), json.dumps(specs)),
                    )
                    if cursor.rowcount:
                        count += 1
                        self._db.executemany(
                            "INSERT OR IGNORE INTO published_sets (set_spec, datestamp, record_id) VALUES (?,?,?)",
                            [(spec, datestamp, record_id) for spec in memberships(specs)],
                        )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return count

    def name_sets(self, names: Mapping[str, str]) -> None:
        """Remember display names of sets (for example a region's name behind its slug)."""
        with self._lock:
            self._db.executemany(
                "INSERT INTO set_names (set_spec, name) VALUES (?,?)"
                " ON CONFLICT (set_spec) DO UPDATE SET name=excluded.name",
                sorted(names.items()),
            )

    def _backfill_memberships(self) -> None:
        """A listing written before ``published_sets`` existed gets its memberships once, at open."""
        with self._lock:
            if self._db.execute("SELECT 1 FROM published_sets LIMIT 1").fetchone() is not None:
                return
            if self._db.execute("SELECT 1 FROM published LIMIT 1").fetchone() is None:
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for record_id, datestamp, sets in self._db.execute(
                    "SELECT record_id, datestamp, sets FROM published"
                ).fetchall():
                    self._db.executemany(
                        "INSERT OR IGNORE INTO published_sets (set_spec, datestamp, record_id) VALUES (?,?,?)",
                        [(spec, datestamp, record_id) for spec in memberships(json.loads(sets))],
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # reading ---------------------------------------------------------------------------------
    def published_page(
        self,
        after: tuple[str, str] | None,
        limit: int,
        from_: str | None = None,
        until: str | None = None,
        set_spec: str | None = None,
    ) -> list[PublishedRow]:
        """One page of the listing in (datestamp, record_id) order, starting after a key.

        The cost depends on the page size, not on how far the key is into the listing: both
        queries are a range scan of an index that starts at the key.
        """
        key = "s" if set_spec else "p"
        if after is not None and from_ is not None and after[0] >= from_:
            # The key already implies the lower bound; given both, SQLite would start the range at from.
            from_ = None
        clauses, args = self._bounds(key, from_, until, set_spec)
        if after is not None:
            clauses.append(f"({key}.datestamp, {key}.record_id) > (?, ?)")
            args.extend(after)
        where = " AND ".join(clauses) or "1"
        source = "published_sets s JOIN published p ON p.record_id = s.record_id" if set_spec else "published p"
        sql = f"SELECT {_COLUMNS} FROM {source} WHERE {where} ORDER BY {key}.datestamp, {key}.record_id LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [_row(r) for r in rows]

    def count_published(
        self,
        from_: str | None = None,
        until: str | None = None,
        set_spec: str | None = None,
        include_deleted: bool = True,
    ) -> int:
        """How many rows a list has: O(rows counted), so OAI-PMH counts once per harvest, at its first page."""
        key = "s" if set_spec else "p"
        clauses, args = self._bounds(key, from_, until, set_spec)
        source = "published_sets s" if set_spec else "published p"
        if not include_deleted:
            if set_spec:
                source += " JOIN published p ON p.record_id = s.record_id"
            clauses.append("p.deleted = 0")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM {source}{where}", args).fetchone()[0]

    @staticmethod
    def _bounds(key: str, from_: str | None, until: str | None, set_spec: str | None) -> tuple[list[str], list[str]]:
        clauses: list[str] = []
        args: list[str] = []
        if set_spec:
            clauses.append("s.set_spec = ?")
            args.append(set_spec)
        if from_:
            clauses.append(f"{key}.datestamp >= ?")
            args.append(from_)
        if until:
            clauses.append(f"{key}.datestamp <= ?")
            args.append(until)
        return clauses, args

    def published_row(self, record_id: str) -> PublishedRow | None:
        with self._lock:
            r = self._db.execute(f"SELECT {_COLUMNS} FROM published p WHERE record_id=?", (record_id,)).fetchone()
        return _row(r) if r else None

    def set_specs(self) -> list[str]:
        """Every set with at least one record (ancestors included), sorted; one index probe per set."""
        with self._lock:
            rows = self._db.execute(
                """WITH RECURSIVE specs(spec) AS (
                       SELECT MIN(set_spec) FROM published_sets
                       UNION ALL
                       SELECT (SELECT MIN(set_spec) FROM published_sets WHERE set_spec > specs.spec)
                       FROM specs WHERE specs.spec IS NOT NULL)
                   SELECT spec FROM specs WHERE spec IS NOT NULL"""
            ).fetchall()
        return [r[0] for r in rows]

    def has_sets(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM published_sets LIMIT 1").fetchone() is not None

    def set_names(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT set_spec, name FROM set_names").fetchall())

    def earliest_datestamp(self) -> str | None:
        with self._lock:
            return self._db.execute("SELECT MIN(datestamp) FROM published").fetchone()[0]
