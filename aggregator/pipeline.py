"""Harvest → map → store → index, for one source at a time.

A record whose payload hash is unchanged is not re-mapped, so a second harvest of an unchanged
source leaves the store and the index as they were.
"""

from __future__ import annotations

from collections.abc import Callable

from aggregator.aggregate import Aggregate
from aggregator.crosswalk import Crosswalk, CrosswalkError, RecordMappingError
from aggregator.harvest import HarvestError, HttpClient, harvester_for
from aggregator.index.document import IndexDocument
from aggregator.innovation_graph import MappingError, RecordContext
from aggregator.records import HarvestedRecord, RecordError, record_id
from aggregator.sources import Source
from aggregator.state import HarvestRun, utc_now

#: Index writes are batched: a Tantivy commit per record would dominate the harvest time.
INDEX_BATCH = 200

ProgressCallback = Callable[[HarvestRun], None]


class SourcePipeline:
    def __init__(self, aggregate: Aggregate, source: Source) -> None:
        self.aggregate = aggregate
        self.source = source
        self.crosswalk = Crosswalk.from_declaration(source.crosswalk, source.path)
        self._pending_docs: list[IndexDocument] = []
        self._pending_deletions: list[str] = []

    def harvest(self, client: HttpClient, progress: ProgressCallback | None = None) -> HarvestRun:
        state = self.aggregate.state
        run = state.save_run(HarvestRun(self.source.id))
        try:
            for record in harvester_for(self.source.kind)(self.source, client):
                self.accept(record, run)
                if progress:
                    progress(run)
            run.status = "ok"
        except HarvestError as exc:
            run.status = "failed"
            run.errors.append({"record": "", "error": str(exc)})
        finally:
            self.flush_index()
            run.ended = utc_now()
            state.save_run(run)
        return run

    def accept(self, record: HarvestedRecord | RecordError, run: HarvestRun) -> None:
        if isinstance(record, RecordError):
            run.failed += 1
            run.errors.append({"record": record.identifier, "error": record.message})
            return
        state = self.aggregate.state
        rid = record_id(record.source_id, record.identifier)
        previous = state.stored_hash(record.source_id, record.identifier)
        if previous == record.content_hash:
            run.unchanged += 1
            return
        if record.deleted:
            self.aggregate.withdraw(rid, record.source_id)
            self._pending_deletions.append(rid)
            run.deleted += 1
        else:
            try:
                document = self.map_and_store(record, rid)
            except (RecordMappingError, MappingError) as exc:
                run.failed += 1
                run.errors.append({"record": record.identifier, "error": str(exc)})
                return
            self._pending_docs.append(document)
            if previous is None:
                run.new += 1
            else:
                run.updated += 1
        state.save_raw(record, rid)
        if len(self._pending_docs) + len(self._pending_deletions) >= INDEX_BATCH:
            self.flush_index()

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


def harvest_source(
    aggregate: Aggregate, source: Source, client: HttpClient, progress: ProgressCallback | None = None
) -> HarvestRun:
    try:
        pipeline = SourcePipeline(aggregate, source)
    except CrosswalkError as exc:
        run = HarvestRun(source.id, status="failed", errors=[{"record": "", "error": str(exc)}])
        run.ended = utc_now()
        return aggregate.state.save_run(run)
    return pipeline.harvest(client, progress)


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
