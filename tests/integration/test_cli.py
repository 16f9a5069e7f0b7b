"""The ``carrefour`` sub-commands, run as a user would (through click), against the sample platforms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from sample_platforms.server import run_in_background

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def samples_env() -> Iterator[dict[str, str]]:
    with run_in_background() as samples:
        yield {"CARREFOUR_SAMPLES_URL": samples.url}


def run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    # A wide terminal, so that rich does not shorten names in its tables.
    result = CliRunner().invoke(main, args, env={"COLUMNS": "200", **env}, catch_exceptions=False)
    return result.exit_code, result.output


def test_sources_lists_every_mapping(samples_env: dict[str, str]) -> None:
    code, output = run(["sources"], samples_env)
    assert code == 0
    for name in ("fondation", "reseau", "territoires", "portraits", "laureats", "atlas"):
        assert name in output
    assert "oai-pmh" in output and samples_env["CARREFOUR_SAMPLES_URL"] in output


def test_harvest_runs_and_reindex_with_data_dir_on_the_sub_command(samples_env: dict[str, str], tmp_path: Path) -> None:
    code, output = run(["harvest", "--data-dir", str(tmp_path), "atlas", "laureats"], samples_env)
    assert code == 0, output
    assert "atlas" in output and "35" in output and "45" in output
    assert (tmp_path / "store").is_dir() and (tmp_path / "state.sqlite3").is_file()

    code, output = run(["--data-dir", str(tmp_path), "runs"], samples_env)
    assert code == 0 and "atlas" in output and "laureats" in output and "ok" in output

    code, output = run(["reindex", "--data-dir", str(tmp_path)], samples_env)
    assert code == 0 and "80 documents indexés" in output


def test_unknown_source_is_a_clear_error(samples_env: dict[str, str], tmp_path: Path) -> None:
    code, output = run(["harvest", "--data-dir", str(tmp_path), "nulle-part"], samples_env)
    assert code != 0
    assert "source(s) inconnue(s) : nulle-part" in output and "carrefour sources" in output


def test_unreachable_source_fails_alone_with_exit_code_1(tmp_path: Path) -> None:
    # Nothing listens on port 9 of loopback: every source fails, clearly, and the command says so.
    env = {"CARREFOUR_SAMPLES_URL": "http://127.0.0.1:9", "CARREFOUR_HTTP_RETRIES": "1"}
    code, output = run(["harvest", "--data-dir", str(tmp_path), "atlas"], env)
    assert code == 1
    assert "failed" in output and "ne répond pas" in output


def test_a_bad_settings_file_is_reported(tmp_path: Path) -> None:
    config = tmp_path / "carrefour.toml"
    config.write_text("oai_page_sise = 3\n", encoding="utf-8")
    code, output = run(["--config", str(config), "sources"], {})
    assert code != 0 and "oai_page_sise" in output


# Registering, scheduling, parallel harvests, runs and remap, against the fault-injecting server.


@pytest.fixture()
def pannes(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    from tests.fault_server import FaultServer

    with FaultServer() as server:
        env = {
            "CARREFOUR_MAPPINGS_DIR": str(tmp_path / "mappings"),
            "CARREFOUR_DATA_DIR": str(tmp_path / "data"),
            "CARREFOUR_HTTP_BACKOFF": "0.01",
            "CARREFOUR_HTTP_TIMEOUT": "2",
            "PANNES_URL": server.url,
        }
        yield env, tmp_path / "mappings"


def test_sources_add_registers_an_oai_repository_that_then_harvests(pannes: tuple[dict[str, str], Path]) -> None:
    env, mappings = pannes
    url = env["PANNES_URL"] + "/oai"
    code, output = run(["sources", "add", "depot", "--kind", "oai-pmh", "--url", url, "--set", "pair"], env)
    assert code == 0, output
    text = (mappings / "depot.yaml").read_text(encoding="utf-8")
    assert "label: Dépôt en pannes" in text and "set: pair" in text and "extends: oai_dc" in text

    code, output = run(["sources", "add", "depot", "--url", url], env)
    assert code != 0 and "existe déjà" in output
    code, output = run(["sources", "add", "Pas Bon!", "--url", url], env)
    assert code != 0 and "identifiant « Pas Bon! » refusé" in output
    code, output = run(["sources", "add", "ailleurs", "--url", "http://127.0.0.1:9/oai"], env)
    assert code != 0 and "Identify n'aboutit pas" in output and not (mappings / "ailleurs.yaml").exists()
    code, output = run(["sources", "add", "plus-tard", "--url", "http://127.0.0.1:9/oai", "--no-check"], env)
    assert code == 0 and (mappings / "plus-tard.yaml").exists()
    (mappings / "plus-tard.yaml").unlink()

    code, output = run(["sources"], env)
    assert code == 0 and "depot" in output and "1d" in output

    code, output = run(["harvest", "depot"], env)
    assert code == 0, output
    assert "depot" in output and "ok" in output
    code, output = run(["runs", "--source", "depot"], env)
    assert code == 0 and "depot" in output and "ok" in output


def test_harvest_due_jobs_runs_errors_and_remap(pannes: tuple[dict[str, str], Path]) -> None:
    from tests.fault_server import write_source

    env, mappings = pannes
    base = env["PANNES_URL"]
    write_source(mappings, "oai", "oai-pmh", f"{base}/oai", {"every": "1h"})
    write_source(mappings, "fichier", "json", f"{base}/data.json", {"items": "data.items", "id": "id", "every": "2w"})
    write_source(
        mappings,
        "site",
        "html",
        f"{base}/site/list?page=1",
        {"item_links": "li.card a", "next_page": "a.suivante", "every": "30m"},
        {"title": {"css": "h1"}, "organisation": {"css": "p.org"}},
    )
    code, output = run(["harvest", "--jobs", "3"], env)
    assert code == 0, output
    for name in ("oai", "fichier", "site"):
        assert name in output
    assert "robots.txt interdit" in output  # the site's private link, reported with its URL

    code, output = run(["harvest", "--due"], env)
    assert code == 0 and "Aucune source n'est à moissonner" in output

    code, output = run(["runs"], env)
    site_run = next(line for line in output.splitlines() if " site " in f" {line} ")
    run_id = site_run.split("│")[1].strip() if "│" in site_run else site_run.split()[0]
    code, output = run(["runs", "--errors", run_id], env)
    assert code == 0 and "/site/private/secret" in output and "robots.txt" in output
    code, output = run(["runs", "--errors", "9999"], env)
    assert code != 0 and "aucune moisson n° 9999" in output

    code, output = run(["remap", "fichier"], env)
    assert code == 0 and "Re-mappage" in output
    code, output = run(["remap", "--all", "fichier"], env)
    assert code == 0 and "37" in output


# Click's own messages in French, and a runs table that fits an 80-column terminal.


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nulle-part"], "Erreur : Sous-commande inconnue : 'nulle-part'."),
        (["harvest", "--vite"], "Erreur : Option inconnue : '--vite'."),
        (["sources", "add"], "Erreur : Argument manquant 'SOURCE_ID'."),
        (["runs", "--limit", "0"], "Erreur : Valeur invalide pour '--limit' : 0 n'est pas dans l'intervalle"),
        (["harvest", "nulle-part"], "Erreur : source(s) inconnue(s) : nulle-part"),
    ],
)
def test_click_errors_are_in_french(args: list[str], expected: str, tmp_path: Path) -> None:
    code, output = run(["--data-dir", str(tmp_path), *args], {})
    assert code != 0
    assert expected in output, output
    assert "Error" not in output and "Usage:" not in output and "Try '" not in output
    assert "pour l'aide" in output or "source(s)" in output


def test_help_is_in_french_with_h_too() -> None:
    for args in (["--help"], ["-h"], ["harvest", "-h"], ["sources", "add", "--help"]):
        code, output = run(args, {})
        assert code == 0, (args, output)
        assert "Usage :" in output and "Affiche cette aide et s'arrête." in output, output
        assert "Show this message" not in output and "Usage:" not in output
    code, output = run(["--help"], {})
    assert "Commandes" in output and "CHEMIN" in output


def test_the_source_file_written_by_sources_add_is_commented_in_french(pannes: tuple[dict[str, str], Path]) -> None:
    env, mappings = pannes
    code, output = run(
        ["sources", "add", "depot", "--url", "http://127.0.0.1:9/oai", "--prefix", "marc", "--no-check"], env
    )
    assert code == 0, output
    comments = [line for line in (mappings / "depot.yaml").read_text(encoding="utf-8").splitlines() if line[:1] == "#"]
    assert comments[0].startswith("# Déclarée par `carrefour sources add` le ")
    assert "carrefour remap depot" in " ".join(comments) and "adaptez la correspondance" in " ".join(comments)
    for english in ("Registered", "Generic", "refine", "raise", "harvested in"):
        assert english not in " ".join(comments)


def test_the_runs_table_fits_80_columns_one_line_a_run(samples_env: dict[str, str], tmp_path: Path) -> None:
    code, output = run(["harvest", "--data-dir", str(tmp_path), "atlas", "laureats"], samples_env)
    assert code == 0, output
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "runs"], env={"COLUMNS": "80", **samples_env})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines), result.output
    assert any(line.split()[:3] == ["n°", "source", "début"] and line.split()[-1] == "inv" for line in lines)
    rows = [line.split() for line in lines if "atlas" in line or "laureats" in line]
    assert len(rows) == 2, result.output  # one line each: nothing wrapped or cut
    atlas = next(row for row in rows if "atlas" in row)
    # n°, source, day/month, hh:mm, duration (2 words), status, mode, then the six counts.
    assert atlas[-8:] == ["ok", "compl.", "35", "0", "0", "0", "0", "0"], atlas
    assert len(atlas[3]) == 5 and atlas[3].count(":") == 1, "hours and minutes, no seconds"


def test_an_unusable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "un-fichier"
    blocker.write_text("ceci n'est pas un dossier", encoding="utf-8")
    code, output = run(["harvest", "--data-dir", str(blocker / "data"), "atlas"], {})
    assert code != 0
    assert "n'est pas utilisable" in output and "--data-dir" in output and "Traceback" not in output
