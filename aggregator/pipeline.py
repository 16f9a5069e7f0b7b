"""Harvest → map → store → index, for one source at a time (several sources may run in parallel).

- A record whose payload hash is unchanged, and that the current crosswalk version already mapped,
  is not re-mapped, so a second harvest of an unchanged source leaves the store and the index as
  they were.
- Commits: the store is written record by record; every ``INDEX_BATCH`` records and at every
  ``Checkpoint`` of the harvester, the index is committed, then the raw records and the resume
  point are written in one SQLite transaction. A raw record is therefore never saved before its
  graph and its index document: a harvest killed at any point, run again, re-maps what was not
  committed (the store replaces a record's graph, so nothing is doubled) and resumes at the last
  committed page.
- Nothing is deleted because a source stopped showing it: only a record the source says is
  deleted (OAI-PMH ``status="deleted"``) is withdrawn. A full harvest that sees far fewer records
  than the previous one is flagged (status ``warning``).
- Sources run in parallel fetch in their own threads; every write to the aggregate (store, index,
  state) goes through one lock, since the embedded store and index have one writer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from aggregator.aggregate import Aggregate
from aggregator.crosswalk import Crosswalk, CrosswalkError, RecordMappingError
from aggregator.harvest import Checkpoint, HarvestContext, HarvestError, HttpClient, harvester_for
from aggregator.index.document import IndexDocument
from aggregator.innovation_graph import MappingError, RecordContext
from aggregator.records import HarvestedRecord, RecordError, record_id
from aggregator.sources import Source
from aggregator.state import MEMORY_KEY, RESUME_KEY, HarvestRun, utc_now

#: Index writes are batched: a Tantivy commit per record would dominate the harvest time.
INDEX_BATCH = 200
#: Errors kept in a run's record (the count goes on past it).
MAX_ERRORS_KEPT = 1000
#: Class name of the validation error another module defines (a MappingError): counted as invalid.
INVALID_ERROR = "InvalidRecordError"

if TYPE_CHECKING:
    from aggregator.enrich.duplicates import DuplicateStats

ProgressCallback = Callable[[HarvestRun], None]


def _note_error(run: HarvestRun, identifier: str, message: str) -> None:
    if len(run.errors) < MAX_ERRORS_KEPT:
        run.errors.append({"record": identifier, "error": message})


class SourcePipeline:
    def __init__(self, aggregate: Aggregate, source: Source, lock: threading.RLock | None = None) -> None:
        self.aggregate = aggregate
        self.source = source
        self.crosswalk = Crosswalk.from_declaration(source.crosswalk, source.path)
        self.lock = lock or threading.RLock()
        self._pending_docs: list[IndexDocument] = []
        self._pending_deletions: list[str] = []
        #: identifier → (record, record id, version that mapped it): saved once store and index are.
        self._pending_raw: dict[str, tuple[HarvestedRecord, str, str | None]] = {}
        self._memory: dict[str, object] = {}

    # harvesting ---------------------------------------------------------------
    def harvest(self, client: HttpClient, progress: ProgressCallback | None = None, full: bool = False) -> HarvestRun:
        state = self.aggregate.state
        with self.lock:
            run = state.save_run(HarvestRun(self.source.id))
            self._memory = state.get_source_state(self.source.id, MEMORY_KEY) or {}
            resume = None if full else state.get_source_state(self.source.id, RESUME_KEY)
        ctx = HarvestContext(self.source, client, dict(self._memory), resume, full)
        try:
            for item in harvester_for(self.source.kind)(ctx):
                with self.lock:
                    if isinstance(item, Checkpoint):
                        self.commit(item)
                    else:
                        self.accept(item, run)
                if progress:
                    progress(run)
            run.status = "ok"
        except HarvestError as exc:
            run.status = "failed"
            _note_error(run, "", str(exc))
        except Exception as exc:  # a bug or an unforeseen answer fails this source alone, and says so
            run.status = "failed"
            _note_error(run, "", f"erreur inattendue {type(exc).__name__} : {exc}")
        finally:
            with self.lock:
                self.commit(None)
                run.ended = utc_now()
                run.mode = ctx.mode
                run.warnings.extend(ctx.warnings)
                if run.status == "ok":
                    self.check_yield(run)
                state.save_run(run)
        return run

    def check_yield(self, run: HarvestRun) -> None:
        """Flag a full harvest that saw far fewer records than the previous one (the site may have changed)."""
        if run.mode != "full":
            return
        ratio = self.aggregate.settings.harvest_drop_ratio
        previous = self.aggregate.state.previous_run(self.source.id, run.id, ("full",), ("ok", "warning"))
        if previous is not None and previous.seen > 0 and run.seen < ratio * previous.seen:
            run.status = "warning"
            run.warnings.append(
                f"{run.seen} notices vues contre {previous.seen} à la moisson n° {previous.id} : "
                "la source a-t-elle changé (adresse, sélecteurs) ? Rien n'a été supprimé."
            )
        elif previous is None and run.seen == 0:
            run.status = "warning"
            run.warnings.append("aucune notice vue : vérifiez l'adresse et les réglages harvest de la source")

    def accept(self, record: HarvestedRecord | RecordError, run: HarvestRun) -> None:
        if isinstance(record, RecordError):
            run.failed += 1
            _note_error(run, record.identifier, record.message)
            return
        rid = record_id(record.source_id, record.identifier)
        pending = self._pending_raw.get(record.identifier)
        if pending is not None:
            previous: tuple[str, str | None] | None = (pending[0].content_hash, pending[2])
        else:
            previous = self.aggregate.state.stored(record.source_id, record.identifier)
        version = self.crosswalk.version
        if previous is not None and previous[0] == record.content_hash and (record.deleted or previous[1] == version):
            run.unchanged += 1
            return
        mapped_version: str | None = version
        if record.deleted:
            self.aggregate.withdraw(rid, record.source_id)
            self._pending_deletions.append(rid)
            run.deleted += 1
        else:
            try:
                document = self.map_and_store(record, rid)
            except (RecordMappingError, MappingError) as exc:
                if type(exc).__name__ == INVALID_ERROR:
                    run.invalid += 1
                else:
                    run.failed += 1
                _note_error(run, record.identifier, str(exc))
                # The payload is kept as received (``remap`` takes it up once the crosswalk is fixed);
                # no mapped version: the next harvest tries it again.
                mapped_version = None
            else:
                self._pending_docs.append(document)
                if previous is None:
                    run.new += 1
                else:
                    run.updated += 1
        self._pending_raw[record.identifier] = (record, rid, mapped_version)
        if len(self._pending_raw) >= INDEX_BATCH:
            self.commit(None)

    def commit(self, checkpoint: Checkpoint | None) -> None:
        """Index first, then raw records and resume point together: the order that makes a crash harmless."""
        state = self.aggregate.state
        self.flush_index()
        with state.transaction():
            for record, rid, mapped_version in self._pending_raw.values():
                state.save_raw(record, rid, mapped_version)
            if checkpoint is not None and checkpoint.final:
                state.set_source_state(self.source.id, RESUME_KEY, None)
                if checkpoint.memory:
                    memory = {**self._memory, **checkpoint.memory}
                    self._memory = {k: v for k, v in memory.items() if v is not None}
                    state.set_source_state(self.source.id, MEMORY_KEY, self._memory)
            elif checkpoint is not None and checkpoint.resume is not None:
                state.set_source_state(self.source.id, RESUME_KEY, checkpoint.resume)
        self._pending_raw.clear()

    def map_and_store(self, record: HarvestedRecord, rid: str) -> IndexDocument:
        mapped = self.crosswalk.apply(record)
        ctx = RecordContext(
            base_url=self.aggregate.settings.base_url,
            record_id=rid,
            source_id=record.source_id,
            source_identifier=record.identifier,
            crosswalk_version=self.crosswalk.version,
            harvested_at=utc_now(),
        )
        return self.aggregate.put(mapped, ctx)

    def flush_index(self) -> None:
        self.aggregate.index.write(self._pending_docs, self._pending_deletions)
        self._pending_docs, self._pending_deletions = [], []

    # re-mapping from the raw store -----------------------------------------------
    def remap(self, force: bool = False, progress: ProgressCallback | None = None) -> HarvestRun:
        """Map again, from the raw store, the records the current crosswalk version has not mapped."""
        state = self.aggregate.state
        version = self.crosswalk.version
        with self.lock:
            run = state.save_run(HarvestRun(self.source.id, mode="remap"))
            try:
                for row in state.raw_rows(self.source.id):
                    record = row.record
                    if record.deleted or (row.mapped_version == version and not force):
                        run.unchanged += 1
                        continue
                    try:
                        self._pending_docs.append(self.map_and_store(record, row.record_id))
                    except (RecordMappingError, MappingError) as exc:
                        if type(exc).__name__ == INVALID_ERROR:
                            run.invalid += 1
                        else:
                            run.failed += 1
                        _note_error(run, record.identifier, str(exc))
                        state.set_mapped_version(self.source.id, record.identifier, None)
                        continue
                    run.updated += 1
                    if len(self._pending_docs) >= INDEX_BATCH:
                        self.flush_index()
                    # Saved per record after the store; the index catches up at the next flush, and
                    # a crash before it leaves the version unsaved for those records (remapped again).
                    self._pending_raw[record.identifier] = (record, row.record_id, version)
                    if len(self._pending_raw) >= INDEX_BATCH:
                        self.commit(None)
                    if progress:
                        progress(run)
                run.status = "ok"
            finally:
                self.commit(None)
                run.ended = utc_now()
                state.save_run(run)
        return run


def _failed_run(aggregate: Aggregate, source: Source, message: str, mode: str = "full") -> HarvestRun:
    run = HarvestRun(source.id, status="failed", errors=[{"record": "", "error": message}], mode=mode)
    run.ended = utc_now()
    return aggregate.state.save_run(run)


def harvest_source(
    aggregate: Aggregate,
    source: Source,
    client: HttpClient,
    progress: ProgressCallback | None = None,
    full: bool = False,
    lock: threading.RLock | None = None,
) -> HarvestRun:
    """Harvest one source: incrementally (from where the last run ended) unless ``full``."""
    try:
        pipeline = SourcePipeline(aggregate, source, lock)
    except CrosswalkError as exc:
        return _failed_run(aggregate, source, str(exc))
    return pipeline.harvest(client, progress, full)


def harvest_sources(
    aggregate: Aggregate,
    sources: Iterable[Source],
    jobs: int = 1,
    full: bool = False,
    progress_for: Callable[[Source], ProgressCallback | None] | None = None,
    on_done: Callable[[HarvestRun], None] | None = None,
) -> list[HarvestRun]:
    """Harvest several sources, ``jobs`` at a time, each with its own HTTP client; runs in source order."""
    lock = threading.RLock()
    sources = list(sources)

    def one(source: Source) -> HarvestRun:
        client = HttpClient(aggregate.settings)
        try:
            run = harvest_source(aggregate, source, client, progress_for(source) if progress_for else None, full, lock)
        finally:
            client.close()
        if on_done:
            on_done(run)
        return run

    if jobs <= 1 or len(sources) <= 1:
        return [one(source) for source in sources]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="harvest") as pool:
        return list(pool.map(one, sources))


def remap_source(
    aggregate: Aggregate, source: Source, force: bool = False, progress: ProgressCallback | None = None
) -> HarvestRun:
    try:
        pipeline = SourcePipeline(aggregate, source)
    except CrosswalkError as exc:
        return _failed_run(aggregate, source, str(exc), mode="remap")
    return pipeline.remap(force, progress)


def reindex(aggregate: Aggregate, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the search index from the store alone."""
    aggregate.index.clear()
    batch: list[IndexDocument] = []
    count = 0
    after: tuple[str, str] | None = None
    while rows := aggregate.listing.published_page(after, 500):
        for row in rows:
            if not row.deleted and (document := aggregate.document(row.record_id)) is not None:
                batch.append(document)
        after = (rows[-1].datestamp, rows[-1].record_id)
        aggregate.index.write(batch)
        count += len(batch)
        batch = []
        if progress:
            progress(count)
    return count


def link_across_sources(aggregate: Aggregate, runs: Iterable[HarvestRun]) -> DuplicateStats | None:
    """Link duplicates again after runs that changed something; unchanged runs cannot create or break one."""
    if not any(run.new or run.updated or run.deleted for run in runs):
        return None
    from aggregator.enrich.duplicates import link_duplicates

    return link_duplicates(aggregate)
