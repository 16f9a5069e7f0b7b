"""Sub-commands that serve the portal: serve, and demo (sample platforms + harvest + portal)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import click

from aggregator.cli.common import console, data_dir_option, pass_settings
from aggregator.cli.harvest_commands import run_harvest
from aggregator.settings import Settings

PORT = click.IntRange(1, 65535)


def ensure_port_free(host: str, port: int, what: str, option: str) -> None:
    """Fail before any long work when the port is taken, with what to do about it."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"le port {port} de {host} est déjà pris ({what}) : arrêtez ce qui l'occupe ou choisissez-en un "
                f"autre avec {option}"
            ) from exc


def serve_portal(settings: Settings, host: str, port: int) -> None:
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


@click.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=PORT)
@pass_settings
def serve(settings: Settings, host: str, port: int) -> None:
    """Sert le portail (recherche, /oai, /sparql)."""
    ensure_port_free(host, port, "portail", "--port")
    serve_portal(settings, host, port)


@click.command()
@data_dir_option
@click.option("--port", default=5000, show_default=True, type=PORT, help="Port du portail.")
@click.option(
    "--samples-port",
    default=None,
    type=PORT,
    help="Port des plateformes d'exemple (défaut : celui du réglage samples_url, 8765). Gardez le même pour "
    "un même dossier de données : leurs notices citent leur adresse.",
)
@click.option("--no-serve", is_flag=True, help="Moissonne puis s'arrête, sans servir le portail.")
@pass_settings
def demo(settings: Settings, port: int, samples_port: int | None, no_serve: bool) -> None:
    """Démarre les plateformes d'exemple, les moissonne toutes et sert le portail."""
    from sample_platforms.server import run_in_background

    # A fixed port: the sample payloads carry their own address, so a demo run again on the same data
    # finds every record unchanged instead of seeing new links.
    samples_port = samples_port or urlsplit(settings.samples_url).port or 8765
    if not no_serve:
        ensure_port_free("127.0.0.1", port, "portail", "--port ou PORT=")
    ensure_port_free("127.0.0.1", samples_port, "plateformes d'exemple", "--samples-port")
    samples = run_in_background(port=samples_port)
    console.print(f"Plateformes d'exemple : {samples.url}/")
    settings = settings.with_overrides(samples_url=samples.url, base_url=f"http://127.0.0.1:{port}")
    try:
        if not run_harvest(settings):
            console.print("[yellow]Certaines sources ont échoué (voir ci-dessus) ; le portail sert le reste.[/yellow]")
        if not no_serve:
            serve_portal(settings, "127.0.0.1", port)
    finally:
        samples.stop()
