"""``carrefour samples``: the sample platforms bundled with Carrefour."""

from __future__ import annotations

import click

from aggregator.cli.common import console


@click.group()
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
