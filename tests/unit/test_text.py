import pytest

from aggregator.text import french_date, normalise_label, slugify, strip_html


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("mars 2019", "2019-03"),
        ("1er janvier 2020", "2020-01-01"),
        ("le 14 juillet 2021", "2021-07-14"),
        ("Août 2018", "2018-08"),
        ("12/03/2018", "2018-03-12"),
        ("2019-03-12", "2019-03-12"),
        ("2019-03-12T10:00:00Z", "2019-03-12"),
        ("2021", "2021"),
        ("bientôt", ""),
        ("13 brumaire 2020", ""),
    ],
)
def test_french_dates_become_iso(written: str, iso: str) -> None:
    assert french_date(written) == iso


def test_labels_match_without_case_accents_or_punctuation() -> None:
    assert normalise_label("Égalité Femmes-Hommes") == normalise_label("egalite femmes hommes")
    assert normalise_label("Accès à l’emploi") == normalise_label("ACCES A L'EMPLOI")


def test_slugs_are_stable_and_safe() -> None:
    assert slugify("Association « Les Pousses » de Lyon") == "association-les-pousses-de-lyon"


def test_strip_html_drops_markup_and_scripts() -> None:
    assert strip_html("<p>Un <b>jardin</b><script>alert(1)</script> partagé</p>") == "Un jardin partagé"
    assert strip_html("sans balise") == "sans balise"
