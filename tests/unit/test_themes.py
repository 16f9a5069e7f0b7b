from aggregator.enrich.themes import load_theme_scheme
from aggregator.settings import PROJECT_ROOT

SCHEME = load_theme_scheme(PROJECT_ROOT / "vocab")


def codes(tag: str) -> list[str]:
    return [theme.notation for theme in SCHEME.align(tag)]


def test_scheme_has_the_sixteen_themes_and_their_subthemes() -> None:
    assert len(SCHEME.top_themes()) == 16
    assert len([t for t in SCHEME.themes.values() if t.broader]) == 37


def test_alt_labels_align_ignoring_case_and_accents() -> None:
    assert codes("circuits courts") == ["ENV/ALI"]
    assert codes("EGALITE FEMMES-HOMMES") == ["SOL/EFH"]
    assert codes("Vivre ensemble") == ["SOL/LIE"]


def test_a_subtheme_wins_over_its_homonymous_theme() -> None:
    assert codes("Numérique") == ["NUM/NUM"]


def test_top_theme_label_aligns_to_the_theme() -> None:
    assert codes("Environnement") in (["ENV"], ["ENV/PRN"])
    assert codes("EDUCATION ET JEUNESSE") == ["EDU"]


def test_unknown_tag_aligns_to_nothing() -> None:
    assert codes("Pétanque intergalactique") == []
