"""``carrefour crosswalk test`` and ``carrefour validate`` from the command line."""

import json
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import main
from aggregator.settings import PROJECT_ROOT

ACTION = {
    "id": 1,
    "intitule": "Un budget participatif",
    "description": "La commune consacre une part de son budget aux projets votés par les habitants en réunion.",
    "collectivite": "Commune de Die",
    "type_collectivite": "Commune",
    "commune": "Die",
    "themes": ["Démocratie participative", "Mot inconnu"],
}


def test_crosswalk_test_shows_the_record_and_its_triples(tmp_path: Path) -> None:
    sample = tmp_path / "action.json"
    sample.write_text(json.dumps(ACTION, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "--data-dir",
            str(tmp_path / "data"),
            "crosswalk",
            "test",
            str(PROJECT_ROOT / "mappings" / "atlas.yaml"),
            str(sample),
            "--width",
            "100",
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "Notice reçue" in result.output and "Triplets produits" in result.output
    assert "cis:SocialInnovation" in result.output
    assert "Mot inconnu" in result.output  # reported as not aligned


def test_crosswalk_test_reports_a_broken_file_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "cassee.yaml"
    broken.write_text(
        "id: cassee\nlabel: C\nkind: json\nurl: http://x\ncrosswalk:\n  fields:\n    title: {path: a}\n"
        "    actor_type: {path: b, lookup: statuts}\n",
        encoding="utf-8",
    )
    sample = tmp_path / "a.json"
    sample.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path / "d"), "crosswalk", "test", str(broken), str(sample)]
    )
    assert result.exit_code != 0
    assert "cassee.yaml, ligne 8 : schéma « statuts » inconnu" in result.output
