"""The ``carrefour`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.settings import Settings, SettingsError, load_settings

console = Console(stderr=True)


@click.group()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Dossier des données (défaut : $CARREFOUR_DATA_DIR, sinon ./data).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="Fichier de réglages TOML (voir docs/settings.md).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, config_file: Path | None) -> None:
    """Carrefour : moissonne, relie et republie les innovations sociales."""
    try:
        ctx.obj = load_settings(config_file=config_file, data_dir=data_dir)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from aggregator.aggregate import Aggregate

    return Aggregate(settings)


def _load_sources(settings: Settings, wanted: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from aggregator.sources import SourceFileError, load_sources

    try:
        sources = load_sources(settings)
    except SourceFileError as exc:
        raise click.ClickException(str(exc)) from exc
    unknown = [s for s in wanted if s not in sources]
    if unknown:
        raise click.ClickException(f"source(s) inconnue(s) : {', '.join(unknown)} (voir « carrefour sources »)")
    return [sources[s] for s in wanted] if wanted else list(sources.values())


def run_harvest(settings: Settings, wanted: tuple[str, ...] = ()) -> bool:
    """Harvest the sources with a progress line each, then a summary table; True if all went well."""
    from aggregator.harvest import HttpClient
    from aggregator.pipeline import harvest_source

    sources = _load_sources(settings, wanted)
    aggregate = _open(settings)
    client = HttpClient(settings)
    runs = []
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

                def show(run, task=task):  # type: ignore[no-untyped-def]
                    progress.update(
                        task, counts=f"{run.seen} notices ({run.new} nouvelles, {run.unchanged} inchangées)"
                    )

                run = harvest_source(aggregate, source, client, show)
                progress.update(task, total=1, completed=1, counts=f"{run.seen} notices — {run.status}")
                runs.append(run)
    finally:
        client.close()
        aggregate.close()
    table = Table(title="Moisson")
    for column in ("source", "état", "nouvelles", "modifiées", "inchangées", "supprimées", "en échec"):
        table.add_column(column, justify="right" if column not in ("source", "état") else "left")
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
    return all(run.status == "ok" for run in runs)


@main.command()
@click.argument("source_ids", nargs=-1)
@click.pass_obj
def harvest(settings: Settings, source_ids: tuple[str, ...]) -> None:
    """Moissonne les sources (toutes, ou celles nommées)."""
    if not run_harvest(settings, source_ids):
        sys.exit(1)


@main.command()
@click.pass_obj
def sources(settings: Settings) -> None:
    """Liste les sources déclarées dans mappings/."""
    table = Table(title=f"Sources ({settings.mappings_dir})")
    for column in ("id", "type", "nom", "adresse"):
        table.add_column(column)
    for source in _load_sources(settings):
        table.add_row(source.id, source.kind, source.label, source.url)
    Console().print(table)


@main.command()
@click.pass_obj
def runs(settings: Settings) -> None:
    """Liste les dernières moissons."""
    aggregate = _open(settings)
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


@main.command()
@click.pass_obj
def reindex(settings: Settings) -> None:
    """Reconstruit l'index de recherche à partir du triplestore."""
    from aggregator.pipeline import reindex as rebuild

    aggregate = _open(settings)
    with console.status("Réindexation…") as status:
        count = rebuild(aggregate, lambda n: status.update(f"Réindexation… {n} documents"))
    aggregate.close()
    console.print(f"{count} documents indexés.")


def _serve(settings: Settings, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    from endpoint.app import create_app

    app = create_app(settings)
    base = f"http://{host}:{port}"
    console.print(
        f"\n[bold green]Carrefour est en ligne[/bold green]\n"
        f"  Recherche : {base}/\n  OAI-PMH   : {base}/oai?verb=Identify\n"
        f"  SPARQL    : {base}/sparql\n(Ctrl+C pour arrêter)\n"
    )
    waitress_serve(app, host=host, port=port, threads=8, _quiet=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Sert le portail (recherche, /oai, /sparql)."""
    _serve(settings, host, port)


@main.command()
@click.option("--port", default=5000, show_default=True, type=int, help="Port du portail.")
@click.option("--samples-port", default=0, type=int, help="Port des plateformes d'exemple (0 : un port libre).")
@click.option("--no-serve", is_flag=True, help="Moissonne puis s'arrête, sans servir le portail.")
@click.pass_obj
def demo(settings: Settings, port: int, samples_port: int, no_serve: bool) -> None:
    """Démarre les plateformes d'exemple, les moissonne toutes et sert le portail."""
    from sample_platforms.server import run_in_background

    samples = run_in_background(port=samples_port)
    console.print(f"Plateformes d'exemple : {samples.url}/")
    settings = settings.with_overrides(samples_url=samples.url, base_url=f"http://127.0.0.1:{port}")
    try:
        ok = run_harvest(settings)
        if not ok:
            console.print("[yellow]Certaines sources ont échoué (voir ci-dessus) ; le portail sert le reste.[/yellow]")
        if not no_serve:
            _serve(settings, "127.0.0.1", port)
    finally:
        samples.stop()


@main.group()
def samples() -> None:
    """Les plateformes d'exemple livrées avec Carrefour."""


@samples.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
def samples_serve(host: str, port: int) -> None:
    """Sert les plateformes d'exemple (OAI-PMH, RSS, Atom, HTML, CSV, JSON)."""
    from sample_platforms.server import serve_forever

    console.print(f"Plateformes d'exemple sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
    serve_forever(host, port)


if __name__ == "__main__":
    main()
