"""Sub-commands about the sources themselves: list them, register one, re-map them from the raw store."""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import Any

import click
import yaml
from rich.console import Console
from rich.table import Table

from aggregator.cli.common import console, data_dir_option, load_sources_or_fail, open_aggregate, pass_settings
from aggregator.settings import Settings

#: A registered repository starts from the generic simple Dublin Core crosswalk
#: (aggregator/crosswalks/oai_dc.yaml), which the source file can then refine field by field.
OAI_DC_CROSSWALK: dict[str, Any] = {"version": "1", "extends": "oai_dc"}


def source_file_text(
    source_id: str, label: str, url: str, prefix: str, oai_set: str | None, every: str, homepage: str = ""
) -> str:
    """The YAML of an OAI-PMH source with the generic oai_dc crosswalk."""
    harvest: dict[str, Any] = {"metadata_prefix": prefix}
    if oai_set:
        harvest["set"] = oai_set
    harvest["every"] = every
    data: dict[str, Any] = {
        "id": source_id,
        "label": label,
        "kind": "oai-pmh",
        "url": url,
    }
    if homepage:
        data["homepage"] = homepage
    data["description"] = f"Entrepôt OAI-PMH {label}."
    data["harvest"] = harvest
    data["crosswalk"] = OAI_DC_CROSSWALK
    header = (
        f"# Déclarée par `carrefour sources add` le {date.today().isoformat()}.\n"
        "# Correspondance générique Dublin Core simple : affinez les champs (voir docs/crosswalks.md), puis\n"
        "# augmentez crosswalk.version et lancez `carrefour remap " + source_id + "`.\n"
    )
    if prefix != "oai_dc":
        header += f"# L'entrepôt est moissonné au format {prefix} : adaptez la correspondance (écrite pour oai_dc).\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def check_repository(settings: Settings, url: str, prefix: str) -> str:
    """The repository's name from Identify; a clear error if it is unreachable or lacks the prefix."""
    from aggregator.harvest import HarvestError, HttpClient
    from aggregator.harvest.oai import NS, fetch_page

    client = HttpClient(settings)
    try:
        identify = fetch_page(client, url, {"verb": "Identify"})
        name = (identify.findtext("oai:Identify/oai:repositoryName", namespaces=NS) or "").strip()
        formats = fetch_page(client, url, {"verb": "ListMetadataFormats"})
        prefixes = [(p.text or "").strip() for p in formats.iterfind(".//oai:metadataPrefix", NS)]
    except HarvestError as exc:
        raise click.ClickException(f"{url} : Identify n'aboutit pas ({exc}) ; --no-check pour passer outre") from exc
    finally:
        client.close()
    if prefixes and prefix not in prefixes:
        raise click.ClickException(f"{url} ne diffuse pas le format « {prefix} » (formats : {', '.join(prefixes)})")
    return name


@click.group(invoke_without_command=True)
@data_dir_option
@click.pass_context
def sources(ctx: click.Context) -> None:
    """Liste les sources déclarées dans mappings/ (ou : sources add …)."""
    if ctx.invoked_subcommand is not None:
        return
    from aggregator.cli.harvest_commands import GOOD, HARVEST_MODES
    from aggregator.schedule import next_due, parse_period

    settings: Settings = ctx.find_root().obj
    table = Table(title=f"Sources ({settings.mappings_dir})")
    for column in ("id", "type", "nom", "adresse", "période", "prochaine moisson"):
        table.add_column(column)
    listed = load_sources_or_fail(settings)
    last_success: dict[str, str | None] = {}
    if settings.state_path.exists():
        from aggregator.state import StateDB

        state = StateDB(settings.state_path)
        for source in listed:
            run = state.previous_run(source.id, None, HARVEST_MODES, GOOD)
            last_success[source.id] = run.started if run else None
        state.close()
    for source in listed:
        every = str(source.harvest.get("every", settings.harvest_every))
        table.add_row(
            source.id,
            source.kind,
            source.label,
            source.url,
            every,
            next_due(last_success.get(source.id), parse_period(every)),
        )
    Console().print(table)


@sources.command("add")
@data_dir_option
@click.argument("source_id")
@click.option("--kind", type=click.Choice(["oai-pmh"]), default="oai-pmh", show_default=True)
@click.option("--url", required=True, help="Adresse de base de l'entrepôt OAI-PMH.")
@click.option("--set", "oai_set", default=None, help="Ne moissonner que ce set (setSpec).")
@click.option("--prefix", default="oai_dc", show_default=True, help="metadataPrefix à demander.")
@click.option("--label", default=None, help="Nom de la source (défaut : repositoryName d'Identify).")
@click.option("--every", default=None, help="Période de rafraîchissement (30m, 6h, 1d, 1w…).")
@click.option("--no-check", is_flag=True, help="Ne pas vérifier que l'entrepôt répond à Identify.")
@pass_settings
def sources_add(
    settings: Settings,
    source_id: str,
    kind: str,
    url: str,
    oai_set: str | None,
    prefix: str,
    label: str | None,
    every: str | None,
    no_check: bool,
) -> None:
    """Déclare un entrepôt OAI-PMH, avec le crosswalk générique oai_dc (écrit mappings/ID.yaml)."""
    from aggregator.schedule import PeriodError, parse_period
    from aggregator.sources import ID_PATTERN, SourceFileError, load_source

    if not re.match(ID_PATTERN, source_id):
        raise click.ClickException(
            f"identifiant « {source_id} » refusé : minuscules, chiffres, - et _ (64 au plus), en commençant "
            "par une lettre ou un chiffre"
        )
    if not url.startswith(("http://", "https://")):
        raise click.ClickException(f"adresse « {url} » refusée : elle doit commencer par http:// ou https://")
    every = every or settings.harvest_every
    try:
        parse_period(every)
    except PeriodError as exc:
        raise click.ClickException(str(exc)) from exc
    path = settings.mappings_dir / f"{source_id}.yaml"
    if path.exists():
        raise click.ClickException(f"{path} existe déjà : la source « {source_id} » est déclarée (rien n'est écrasé)")
    name = "" if no_check else check_repository(settings, url, prefix)
    text = source_file_text(source_id, label or name or source_id, url, prefix, oai_set, every)
    settings.mappings_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise click.ClickException(f"{path} existe déjà (rien n'est écrasé)") from exc
    try:
        load_source(path, settings)
    except SourceFileError as exc:  # pragma: no cover - the template is tested
        path.unlink()
        raise click.ClickException(str(exc)) from exc
    console.print(f"Source « {source_id} » déclarée dans {path} ; moissonnez-la : carrefour harvest {source_id}")


@click.command()
@data_dir_option
@click.argument("source_ids", nargs=-1)
@click.option("--all", "force", is_flag=True, help="Re-mapper toutes les notices, même à jour.")
@pass_settings
def remap(settings: Settings, source_ids: tuple[str, ...], force: bool) -> None:
    """Re-mappe depuis les notices brutes, sans moissonner (celles d'un crosswalk d'une autre version)."""
    from aggregator.cli.harvest_commands import print_duplicates, print_summary
    from aggregator.pipeline import link_across_sources, remap_source

    chosen = load_sources_or_fail(settings, source_ids)
    aggregate = open_aggregate(settings)
    try:
        runs = []
        for source in chosen:
            with console.status(f"Re-mappage de {source.id}…") as status:
                runs.append(
                    remap_source(
                        aggregate,
                        source,
                        force,
                        lambda run, s=status, i=source.id: s.update(f"Re-mappage de {i}… {run.updated} notices"),
                    )
                )
        duplicates = link_across_sources(aggregate, runs)
    finally:
        aggregate.close()
    print_summary(runs, title="Re-mappage")
    print_duplicates(duplicates)
    if not all(run.status in ("ok", "warning") for run in runs):
        sys.exit(1)
