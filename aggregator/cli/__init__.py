"""The ``carrefour`` command: one module per family of sub-commands, registered here."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli import french
from aggregator.cli.common import load_root_settings
from aggregator.cli.harvest_commands import harvest, reindex, runs
from aggregator.cli.portal_commands import demo, serve
from aggregator.cli.quality_commands import crosswalk, duplicates, validate
from aggregator.cli.sample_commands import samples
from aggregator.cli.source_commands import remap, sources

# Click's own messages (Error:, Usage:, Missing argument…) in French, for the people running Carrefour.
french.install()


@click.group(context_settings=french.CONTEXT_SETTINGS)
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
    ctx.obj = load_root_settings(config_file, data_dir)


for command in (harvest, sources, remap, runs, reindex, serve, demo, samples, validate, crosswalk, duplicates):
    main.add_command(command)
