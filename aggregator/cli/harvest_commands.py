"""Sub-commands that fill the aggregate: harvest, runs, reindex."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.cli.common import console, data_dir_option, load_sources_or_fail, open_aggregate, pass_settings
from aggregator.settings import Settings
from aggregator.state import HarvestRun

if TYPE_CHECKING:
    from aggregator.enrich.duplicates import DuplicateStats

#: Run statuses that do not fail the command (a warning is shown, the data is in).
GOOD = ("ok", "warning")
#: Run modes of a harvest (a remap is not one).
HARVEST_MODES = ("full", "incremental", "resumed", "not-modified")


def due_sources(settings: Settings, sources):  # type: ignore[no-untyped-def]
    """The sources whose refresh period (harvest.every, else the setting) has passed since their last success."""
    from aggregator.schedule import is_due, parse_period
    from aggregator.state import StateDB

    if not settings.state_path.exists():
        return list(sources)
    state = StateDB(settings.state_path)
    try:
        due = []
        for source in sources:
            last = state.previous_run(source.id, None, HARVEST_MODES, GOOD)
            period = parse_period(source.harvest.get("every", settings.harvest_every))
            if is_due(last.started if last else None, period):
                due.append(source)
        return due
    finally:
        state.close()


def run_harvest(
    settings: Settings, wanted: tuple[str, ...] = (), due: bool = False, jobs: int | None = None, full: bool = False
) -> bool:
    """Harvest the sources with a progress line each, then a summary table; True if all went well."""
    from aggregator.pipeline import harvest_sources, link_across_sources

    sources = load_sources_or_fail(settings, wanted)
    if due:
        sources = due_sources(settings, sources)
        if not sources:
            console.print("Aucune source n'est à moissonner maintenant (voir « carrefour sources »).")
            return True
    aggregate = open_aggregate(settings)
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            tasks = {source.id: progress.add_task(source.id, total=None, counts="en attente") for source in sources}

            def progress_for(source):  # type: ignore[no-untyped-def]
                task = tasks[source.id]

                def show(run: HarvestRun) -> None:
                    progress.update(
                        task, counts=f"{run.seen} notices ({run.new} nouvelles, {run.unchanged} inchangées)"
                    )

                return show

            def done(run: HarvestRun) -> None:
                progress.update(tasks[run.source_id], total=1, completed=1, counts=f"{run.seen} notices — {run.status}")

            runs = harvest_sources(
                aggregate, sources, jobs or settings.harvest_jobs, full, progress_for=progress_for, on_done=done
            )
        with console.status("Recherche des doublons entre sources…"):
            duplicates = link_across_sources(aggregate, runs)
    finally:
        aggregate.close()
    print_summary(runs)
    print_duplicates(duplicates)
    return all(run.status in GOOD for run in runs)


def print_duplicates(stats: DuplicateStats | None) -> None:
    if stats is not None:
        console.print(
            f"Doublons entre sources : {stats.clusters} innovation(s) publiée(s) plusieurs fois "
            f"({stats.members} notices reliées par owl:sameAs)."
        )


def print_summary(runs: list[HarvestRun], title: str = "Moisson") -> None:
    table = Table(title=title, box=box.SIMPLE_HEAVY, pad_edge=False, collapse_padding=True)
    table.add_column("source", no_wrap=True)
    table.add_column("état", no_wrap=True)
    for column in ("nouv.", "modif.", "inchangées", "suppr.", "échecs", "inval."):
        table.add_column(column, justify="right", no_wrap=True)
    for run in runs:
        table.add_row(
            run.source_id,
            run.status,
            str(run.new),
            str(run.updated),
            str(run.unchanged),
            str(run.deleted),
            str(run.failed),
            str(run.invalid),
        )
    console.print(table)
    modes = {"incremental": "incrémentale", "resumed": "reprise", "not-modified": "source inchangée (304)"}
    for run in runs:
        if run.mode in modes:
            console.print(f"{run.source_id} : moisson {modes[run.mode]}")
        for warning in run.warnings:
            console.print(f"[yellow]{run.source_id}[/yellow] attention : {warning}")
        for error in run.errors[:5]:
            console.print(f"[red]{run.source_id}[/red] {error['record']} : {error['error']}")
        if len(run.errors) > 5:
            console.print(
                f"[red]{run.source_id}[/red] … et {len(run.errors) - 5} autres erreurs "
                f"(carrefour runs --errors {run.id})"
            )


@click.command()
@data_dir_option
@click.argument("source_ids", nargs=-1)
@click.option("--due", is_flag=True, help="Seulement les sources dont la période (harvest.every) est écoulée.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Sources moissonnées en parallèle.")
@click.option("--full", is_flag=True, help="Tout reprendre : sans date de départ, ni ETag, ni point de reprise.")
@pass_settings
def harvest(settings: Settings, source_ids: tuple[str, ...], due: bool, jobs: int | None, full: bool) -> None:
    """Moissonne les sources (toutes, ou celles nommées), à partir de là où la dernière s'est arrêtée."""
    if not run_harvest(settings, source_ids, due=due, jobs=jobs, full=full):
        sys.exit(1)


#: Run modes as the ``runs`` table shows them, short enough for an 80-column terminal.
SHORT_MODES = {"full": "compl.", "incremental": "incr.", "resumed": "reprise", "not-modified": "304", "remap": "remap"}


def short_time(stamp: str, this_year: str) -> str:
    """2025-03-07T14:05:09Z -> "07/03 14:05" (the year only if it is not the current one)."""
    if len(stamp) < 16:
        return stamp
    year, month, day, hours = stamp[:4], stamp[5:7], stamp[8:10], stamp[11:16]
    return f"{day}/{month} {hours}" if year == this_year else f"{day}/{month}/{year[2:]} {hours}"


def short_duration(started: str, ended: str | None) -> str:
    """How long a run took: "8 s", "3 min", "2 h 05"; "—" for a run that never ended."""
    from datetime import datetime

    if not ended:
        return "—"
    try:
        seconds = int((datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds())
    except ValueError:
        return "?"
    if seconds < 60:
        return f"{max(seconds, 0)} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def runs_table(runs_list: list[HarvestRun]) -> Table:
    """The runs, one line each, within 80 columns: start without seconds, duration, short mode and headers."""
    from aggregator.state import utc_now

    this_year = utc_now()[:4]
    table = Table(
        title="Moissons (heures UTC)",
        box=None,
        header_style="bold underline",
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    table.add_column("n°", justify="right", no_wrap=True)
    table.add_column("source", overflow="ellipsis", no_wrap=True, min_width=6)
    table.add_column("début", no_wrap=True)
    table.add_column("durée", no_wrap=True)
    table.add_column("état", no_wrap=True)
    table.add_column("mode", no_wrap=True)
    for column in ("nouv", "modif", "inch", "suppr", "éch", "inv"):
        table.add_column(column, justify="right", no_wrap=True)
    for run in runs_list:
        table.add_row(
            str(run.id),
            run.source_id,
            short_time(run.started, this_year),
            short_duration(run.started, run.ended),
            run.status,
            SHORT_MODES.get(run.mode, run.mode),
            str(run.new),
            str(run.updated),
            str(run.unchanged),
            str(run.deleted),
            str(run.failed),
            str(run.invalid),
        )
    return table


@click.command()
@data_dir_option
@click.option("--source", "source_id", default=None, help="Seulement les moissons de cette source.")
@click.option(
    "--errors", "errors_of", type=int, default=None, metavar="N", help="Détail des erreurs de la moisson n° N."
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@pass_settings
def runs(settings: Settings, source_id: str | None, errors_of: int | None, limit: int) -> None:
    """Liste les dernières moissons (ou le détail des erreurs de l'une d'elles)."""
    from aggregator.state import StateDB

    # Only the state database is read: no triple store, so this runs beside a harvest or the portal.
    if not settings.state_path.exists():
        console.print(f"Aucune moisson dans {settings.data_dir}.")
        return
    state = StateDB(settings.state_path)
    try:
        if errors_of is not None:
            run = state.run(errors_of)
            if run is None:
                raise click.ClickException(f"aucune moisson n° {errors_of} (voir « carrefour runs »)")
            table = Table(title=f"Moisson n° {run.id} ({run.source_id}, {run.status}) : {len(run.errors)} erreurs")
            table.add_column("notice")
            table.add_column("erreur")
            for error in run.errors:
                table.add_row(error.get("record", ""), error.get("error", ""))
            for warning in run.warnings:
                table.add_row("(attention)", warning)
            Console().print(table)
            return
        Console().print(runs_table(state.runs(limit, source_id)))
    finally:
        state.close()


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
