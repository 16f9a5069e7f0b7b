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
