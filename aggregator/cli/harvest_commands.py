"""Sub-commands that fill the aggregate: harvest, sources, runs, reindex."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.cli.common import console, data_dir_option, load_sources_or_fail, open_aggregate, pass_settings
from aggregator.settings import Settings
from aggregator.state import HarvestRun


def run_harvest(settings: Settings, wanted: tuple[str, ...] = ()) -> bool:
    """Harvest the sources with a progress line each, then a summary table; True if all went well."""
    from aggregator.harvest import HttpClient
    from aggregator.pipeline import harvest_source

    sources = load_sources_or_fail(settings, wanted)
    aggregate = open_aggregate(settings)
    client = HttpClient(settings)
    runs: list[HarvestRun] = []
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            for source in sources:
                task = progress.add_task(source.id, total=None, counts="")

                def show(run: HarvestRun, task: int = task) -> None:
                    progress.update(
                        task, counts=f"{run.seen} notices ({run.new} nouvelles, {run.unchanged} inchangées)"
                    )

                run = harvest_source(aggregate, source, client, show)
                progress.update(task, total=1, completed=1, counts=f"{run.seen} notices — {run.status}")
                runs.append(run)
    finally:
        client.close()
        aggregate.close()
    print_summary(runs)
    return all(run.status == "ok" for run in runs)


def print_summary(runs: list[HarvestRun]) -> None:
    table = Table(title="Moisson")
    for column in ("source", "état", "nouvelles", "modifiées", "inchangées", "supprimées", "en échec"):
        table.add_column(column, justify="left" if column in ("source", "état") else "right")
    for run in runs:
        table.add_row(
            run.source_id,
            run.status,
            str(run.new),
            str(run.updated),
            str(run.unchanged),
            str(run.deleted),
            str(run.failed),
        )
    console.print(table)
    for run in runs:
        for error in run.errors[:5]:
            console.print(f"[red]{run.source_id}[/red] {error['record']} : {error['error']}")
        if len(run.errors) > 5:
            console.print(f"[red]{run.source_id}[/red] … et {len(run.errors) - 5} autres erreurs")


@click.command()
@data_dir_option
@click.argument("source_ids", nargs=-1)
@pass_settings
def harvest(settings: Settings, source_ids: tuple[str, ...]) -> None:
    """Moissonne les sources (toutes, ou celles nommées)."""
    if not run_harvest(settings, source_ids):
        sys.exit(1)


@click.command()
@data_dir_option
@pass_settings
def sources(settings: Settings) -> None:
    """Liste les sources déclarées dans mappings/."""
    table = Table(title=f"Sources ({settings.mappings_dir})")
    for column in ("id", "type", "nom", "adresse"):
        table.add_column(column)
    for source in load_sources_or_fail(settings):
        table.add_row(source.id, source.kind, source.label, source.url)
    Console().print(table)


@click.command()
@data_dir_option
@pass_settings
def runs(settings: Settings) -> None:
    """Liste les dernières moissons."""
    aggregate = open_aggregate(settings)
    table = Table(title="Moissons")
    for column in ("n°", "source", "début", "fin", "état", "nouv.", "modif.", "inch.", "suppr.", "échecs"):
        table.add_column(column)
    for run in aggregate.state.runs():
        table.add_row(
            str(run.id),
            run.source_id,
            run.started,
            run.ended or "",
            run.status,
            str(run.new),
            str(run.updated),
            str(run.unchanged),
            str(run.deleted),
            str(run.failed),
        )
    aggregate.close()
    Console().print(table)


@click.command()
@data_dir_option
@pass_settings
def reindex(settings: Settings) -> None:
    """Reconstruit l'index de recherche à partir du triplestore."""
    from aggregator.pipeline import reindex as rebuild

    aggregate = open_aggregate(settings)
    with console.status("Réindexation…") as status:
        count = rebuild(aggregate, lambda n: status.update(f"Réindexation… {n} documents"))
    aggregate.close()
    console.print(f"{count} documents indexés.")
