from pathlib import Path

import pytest

from aggregator.settings import Settings, SettingsError, load_settings


def test_defaults_then_file_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "carrefour.toml"
    config.write_text('oai_page_size = 50\nbase_url = "https://carrefour.example.org/"\n', encoding="utf-8")
    settings = load_settings(config_file=config, environ={"CARREFOUR_OAI_PAGE_SIZE": "7"})
    assert settings.oai_page_size == 7
    assert settings.base_url == "https://carrefour.example.org"
    assert settings.data_dir == Path("data")


def test_data_dir_from_environment_and_option(tmp_path: Path) -> None:
    assert load_settings(environ={"CARREFOUR_DATA_DIR": str(tmp_path)}).data_dir == tmp_path
    assert load_settings(environ={"CARREFOUR_DATA_DIR": "x"}, data_dir=tmp_path).data_dir == tmp_path


def test_unknown_setting_in_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "carrefour.toml"
    config.write_text("page_sise = 5\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="page_sise"):
        load_settings(config_file=config, environ={})


def test_bad_number_is_refused() -> None:
    with pytest.raises(SettingsError):
        load_settings(environ={"CARREFOUR_OAI_PAGE_SIZE": "beaucoup"})


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.__dataclass_fields__:
        assert f"`{name}`" in doc, f"docs/settings.md ne documente pas le réglage {name}"
