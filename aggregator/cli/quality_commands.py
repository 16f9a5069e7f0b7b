"""Sub-commands about the quality of the mapped data: validate, crosswalk test, duplicates, gazetteer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from aggregator.cli.common import console, data_dir_option, load_sources_or_fail, open_aggregate, pass_settings
from aggregator.settings import Settings

#: Media type of a payload read from a file, by kind of source (feed entries and CSV rows are JSON).
SAMPLE_MEDIA_TYPES = {
    "oai-pmh": "application/xml",
    "html": "text/html",
    "rss": "application/json",
    "atom": "application/json",
    "csv": "application/json",
    "json": "application/json",
    "xlsx": "application/json",
}


@click.command()
@click.argument("source_ids", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Rapport en JSON (pour un programme).")
@click.option("--details/--no-details", default=True, help="Lister les notices non conformes et non géocodées.")
@data_dir_option
@pass_settings
def validate(settings: Settings, source_ids: tuple[str, ...], as_json: bool, details: bool) -> None:
    """Re-valide (SHACL) les notices moissonnées et affiche le rapport de qualité par source."""
    from aggregator.validate import quality_report

    sources = load_sources_or_fail(settings, source_ids)
    aggregate = open_aggregate(settings, read_only=True)
    try:
        report = quality_report(aggregate, sources)
    finally:
        aggregate.close()
    if as_json:
        click.echo(json.dumps({k: v.as_dict() for k, v in report.items()}, ensure_ascii=False, indent=2))
    else:
        out = Console()
        table = Table(title="Qualité par source")
        for column in ("source", "notices", "conformes", "non conformes", "thèmes alignés", "géocodées", "coord.",
                       "données perso.", "langues"):  # fmt: skip
            table.add_column(column, justify="left" if column in ("source", "langues") else "right")
        for q in report.values():
            table.add_row(
                q.source,
                str(q.records),
                str(q.valid),
                str(len(q.invalid) + len(q.mapping_errors)),
                f"{q.tags_aligned}/{q.tags} ({q.alignment_rate:.0%})",
                f"{q.geocoded}/{q.places} ({q.geocoding_rate:.0%})",
                str(q.with_coordinates),
                str(q.personal_data),
                ", ".join(f"{k} {v}" for k, v in q.languages.items()),
            )
        out.print(table)
        if details:
            for q in report.values():
                for identifier, violations in q.invalid:
                    out.print(f"[red]{q.source}[/] {identifier} : " + "; ".join(v.describe() for v in violations))
                for identifier, error in q.mapping_errors:
                    out.print(f"[red]{q.source}[/] {identifier or '(correspondance)'} : {error}")
                for identifier, reason in q.unresolved:
                    out.print(f"[yellow]{q.source}[/] lieu non résolu {identifier} : {reason}")
                if q.unaligned_tags:
                    shown = ", ".join(f"{tag} ({n})" for tag, n in list(q.unaligned_tags.items())[:30])
                    out.print(f"[yellow]{q.source}[/] mots-clés non alignés : {shown}")
                if q.unaligned_lookups:
                    shown = ", ".join(f"{label} ({n})" for label, n in q.unaligned_lookups.items())
                    out.print(f"[yellow]{q.source}[/] libellés non trouvés dans les schémas : {shown}")
    if any(q.invalid or q.mapping_errors for q in report.values()):
        sys.exit(1)


@click.group()
def crosswalk() -> None:
    """Mettre au point une correspondance (mappings/<source>.yaml)."""


@crosswalk.command("test")
@click.argument("source_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("sample", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=False)
@click.option("--fetch", is_flag=True, help="Prendre la première notice de la source en ligne.")
@click.option("--width", type=int, default=None, help="Largeur de chaque colonne (défaut : la moitié du terminal).")
@data_dir_option
@pass_settings
def crosswalk_test(settings: Settings, source_file: Path, sample: Path | None, fetch: bool, width: int | None) -> None:
    """Montre, côte à côte, une notice telle que reçue et les triplets que la correspondance en tire.

    SAMPLE est un fichier qui contient une notice (XML OAI-PMH, page HTML, objet JSON d'une entrée de
    flux, d'une ligne CSV ou d'un élément JSON) ; avec --fetch, la première notice de la source.
    """
    from aggregator.crosswalk import Crosswalk, CrosswalkError, RecordMappingError
    from aggregator.enrich import Enricher
    from aggregator.enrich.themes import load_theme_scheme
    from aggregator.innovation_graph import MappingError, RecordContext, innovation_triples
    from aggregator.records import HarvestedRecord, record_id
    from aggregator.sources import SourceFileError, load_source
    from aggregator.state import utc_now
    from aggregator.validate import load_validator
    from endpoint.rdf import serialize

    if (sample is None) == (not fetch):
        raise click.UsageError("donnez soit un fichier SAMPLE, soit --fetch")
    try:
        source = load_source(source_file, settings)
        cw = Crosswalk.from_declaration(source.crosswalk, source.path)
    except (SourceFileError, CrosswalkError) as exc:
        raise click.ClickException(str(exc)) from exc
    if sample is not None:
        record = HarvestedRecord(source.id, sample.name, sample.read_bytes(), SAMPLE_MEDIA_TYPES[source.kind])
    else:
        record = _first_record(settings, source)
    try:
        mapped = cw.apply(record)
        Enricher.for_vocabulary(settings.vocab_dir, settings.data_dir).enrich(mapped)
        ctx = RecordContext(
            settings.base_url,
            record_id(source.id, record.identifier),
            source.id,
            record.identifier,
            cw.version,
            utc_now(),
        )
        triples = innovation_triples(mapped, ctx, load_theme_scheme(settings.vocab_dir))
    except (RecordMappingError, MappingError) as exc:
        raise click.ClickException(f"notice {record.identifier} : {exc}") from exc
    received = _pretty(record.payload, record.media_type)
    produced = serialize(triples, "text/turtle").decode("utf-8")
    out = Console(width=width * 2 + 7 if width else None)
    table = Table(title=f"{source.id} — {record.identifier}", show_lines=False, expand=True)
    table.add_column("Notice reçue", overflow="fold", ratio=1)
    table.add_column(f"Triplets produits ({len(triples)})", overflow="fold", ratio=1)
    table.add_row(received, produced)
    out.print(table)
    violations = load_validator(settings.vocab_dir).validate(triples)
    for violation in violations:
        out.print(f"[red]non conforme[/] {violation.describe()}")
    for name, values in mapped.unaligned.items():
        out.print(f"[yellow]non trouvé dans le schéma[/] {name} : {', '.join(values)}")
    unaligned = [t for t in mapped.all("tags") if not load_theme_scheme(settings.vocab_dir).align(t)]
    if unaligned:
        out.print(f"[yellow]mots-clés non alignés[/] : {', '.join(unaligned)}")
    for key, note in mapped.notes.items():
        out.print(f"[dim]{key} : {note}[/]")
    if violations:
        sys.exit(1)


def _first_record(settings: Settings, source):  # type: ignore[no-untyped-def]
    from aggregator.harvest import HarvestContext, HarvestError, HttpClient, harvester_for
    from aggregator.records import HarvestedRecord

    client = HttpClient(settings)
    try:
        for item in harvester_for(source.kind)(HarvestContext(source, client, full=True)):
            if isinstance(item, HarvestedRecord) and not item.deleted:
                return item
    except HarvestError as exc:
        raise click.ClickException(f"{source.id} : {exc}") from exc
    finally:
        client.close()
    raise click.ClickException(f"{source.id} : la source n'a donné aucune notice")


def _pretty(payload: bytes, media_type: str) -> str:
    from aggregator.text import decode_text

    text = decode_text(payload)
    if media_type == "application/json":
        try:
            return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
        except ValueError:
            return text
    if media_type == "text/html":
        from aggregator.text import strip_html

        return strip_html(text)[:4000]
    return text[:6000]


@click.command()
@data_dir_option
@pass_settings
def duplicates(settings: Settings) -> None:
    """Relie par owl:sameAs les innovations publiées par plusieurs sources (et met l'index à jour)."""
    from aggregator.enrich.duplicates import link_duplicates

    aggregate = open_aggregate(settings)
    try:
        stats = link_duplicates(aggregate)
    finally:
        aggregate.close()
    console.print(
        f"{stats.records} notices, {stats.pairs_compared} paires comparées, {stats.links} liens, "
        f"{stats.clusters} groupes de doublons ({stats.members} notices)"
    )


COMMANDS = (validate, crosswalk, duplicates)
