"""What every command shares: the settings, the console, opening the aggregate and the sources."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from aggregator.settings import Settings, SettingsError, load_settings

console = Console(stderr=True)


def data_dir_option(command: Any) -> Any:
    """``--data-dir`` on a sub-command too, so ``carrefour harvest --data-dir X`` works as people expect."""

    def override(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            root = ctx.find_root()
            root.obj = root.obj.with_overrides(data_dir=value)

    return click.option(
        "--data-dir",
        type=click.Path(path_type=Path),
        default=None,
        expose_value=False,
        callback=override,
        help="Dossier des données (défaut : $CARREFOUR_DATA_DIR, sinon ./data).",
    )(command)


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_root().obj


def pass_settings(function: Any) -> Any:
    """Hands the command the settings as they stand after every option (``--data-dir`` included)."""

    @click.pass_context
    @functools.wraps(function)
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return function(settings_of(ctx), *args, **kwargs)

    return wrapper


def load_root_settings(config_file: Path | None, data_dir: Path | None) -> Settings:
    try:
        return load_settings(config_file=config_file, data_dir=data_dir)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def store_locked_message(settings: Settings) -> str:
    return f"une autre commande écrit déjà dans {settings.data_dir} : attendez qu'elle finisse"


def open_aggregate(settings: Settings, read_only: bool = False):  # type: ignore[no-untyped-def]
    """The aggregate; ``read_only`` for a command that only reads (it then runs beside a writer).

    The embedded triple store has one writer at a time: a second writing command fails here with a
    clear message rather than a traceback (the portal reads only, and does not count).
    """
    from aggregator.aggregate import Aggregate
    from aggregator.store.oxigraph import StoreLockedError

    try:
        return Aggregate(settings, read_only=read_only)
    except StoreLockedError as exc:
        raise click.ClickException(store_locked_message(settings)) from exc
    except OSError as exc:
        raise click.ClickException(
            f"le dossier de données {settings.data_dir} n'est pas utilisable ({exc.strerror or exc}) : "
            "choisissez-en un autre avec --data-dir ou CARREFOUR_DATA_DIR"
        ) from exc


def load_sources_or_fail(settings: Settings, wanted: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from aggregator.sources import SourceFileError, load_sources

    try:
        sources = load_sources(settings)
    except SourceFileError as exc:
        raise click.ClickException(str(exc)) from exc
    unknown = [s for s in wanted if s not in sources]
    if unknown:
        raise click.ClickException(f"source(s) inconnue(s) : {', '.join(unknown)} (voir « carrefour sources »)")
    return [sources[s] for s in wanted] if wanted else list(sources.values())
