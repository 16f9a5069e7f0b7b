"""Enrichment: personal data, SKOS look-ups, offline geocoding, languages, duplicates scoring."""

from pathlib import Path

import pytest

from aggregator.enrich import Enricher
from aggregator.enrich.duplicates import Candidate, clusters_of, find_pairs, normalise_website
from aggregator.enrich.gazetteer_build import build
from aggregator.enrich.language import detect
from aggregator.enrich.places import Gazetteer
from aggregator.enrich.privacy import scrub
from aggregator.enrich.schemes import load_schemes
from aggregator.mapped import MappedOrganisation, MappedRecord
from aggregator.settings import PROJECT_ROOT

VOCAB = PROJECT_ROOT / "vocab"


def test_a_named_contact_is_removed_whole_but_a_generic_mailbox_stays() -> None:
    text = "Le projet essaime. Contact : Marie Dupont, marie.dupont@example.net, 06 39 98 12 34"
    result = scrub(text)
    assert result.text == "Le projet essaime."
    assert (result.emails, result.phones) == (1, 1)
    assert scrub("Écrivez-nous. Contact : contact@jardin.example.org").text.endswith("contact@jardin.example.org")
    assert not scrub("Contact : info@asso.example.org").changed


def test_stray_private_addresses_and_phone_numbers_are_masked() -> None:
    result = scrub("Appelez le 01.23.45.67.89 ou le +33 6 12 34 56 78, ou écrivez à jean.martin@mail.example.")
    assert "01.23" not in result.text and "+33" not in result.text and "jean.martin" not in result.text
    assert (result.emails, result.phones) == (1, 2)
    # Years, amounts and postal codes are no phone numbers.
    assert not scrub("En 2019, 1 200 personnes à Die (26150) pour 35 000 euros.").changed


def test_language_detection_keeps_the_declared_language_for_short_texts() -> None:
    assert detect("Des habitants cultivent ensemble un potager au cœur de la cité.") == "fr"
    assert detect("Residents grow vegetables together in a shared garden downtown.") == "en"
    assert detect("Potager", default="fr") == "fr"


def test_actor_types_are_looked_up_by_their_altlabels() -> None:
    schemes = load_schemes(VOCAB)
    actor = schemes["actor_types"]
    for label, code in [
        ("Association loi 1901", "association"),
        ("SCOP", "cooperative"),
        ("scic", "cooperative"),
        ("Collectivité territoriale", "local_authority"),
        ("Intercommunalité", "local_authority"),
        ("Commune", "local_authority"),
        ("Entreprise PME (moins de 10 salariés)", "small_company"),
        ("Service déconcentré de l'État", "state_service"),
        ("Mutuelle (Code de la mutualité)", "mutual"),
    ]:
        assert [c.notation for c in actor.lookup(label)] == [code], label
    assert actor.lookup("Autre") == []
    assert [c.notation for c in schemes["scales"].lookup("Commune")] == ["commune"]


def test_enricher_aligns_lookups_and_reports_what_it_cannot() -> None:
    enricher = Enricher(load_schemes(VOCAB), None)
    mapped = MappedRecord(values={"title": ["x"], "actor_type": ["SCIC"], "stage": ["Inconnu"]})
    mapped.organisations.append(MappedOrganisation("partner", {"name": ["B"], "actor_type": ["Autre"]}))
    enricher.look_up(mapped)
    assert mapped.concepts["actor_type"] == ["https://w3id.org/carrefour/vocab/actor-types/cooperative"]
    assert mapped.unaligned == {"stage": ["Inconnu"], "organisation.actor_type": ["Autre"]}


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """A tiny gazetteer built by the real builder from npm-shaped files and GeoNames-shaped cities."""
    import json

    root = tmp_path_factory.mktemp("npm")
    data = root / "@etalab" / "decoupage-administratif" / "data"
    data.mkdir(parents=True)
    communes = [
        ("26113", "Die", ["26150"], "26", "84", 4844),
        ("93066", "Saint-Denis", ["93200", "93210"], "93", "11", 113000),
        ("97411", "Saint-Denis", ["97400"], "974", "04", 150000),
        ("11339", "Saint-Denis", ["11310"], "11", "76", 500),
        ("2A004", "Ajaccio", ["20000"], "2A", "94", 70000),
    ]
    rows = [
        {
            "code": c,
            "nom": n,
            "codesPostaux": cp,
            "departement": d,
            "region": r,
            "population": p,
            "type": "commune-actuelle",
        }  # fmt: skip
        for c, n, cp, d, r, p in communes
    ]
    (data / "communes.json").write_text(json.dumps(rows), encoding="utf-8")
    (data / "departements.json").write_text(
        json.dumps(
            [
                {"code": "26", "nom": "Drôme", "region": "84"},
                {"code": "93", "nom": "Seine-Saint-Denis", "region": "11"},
                {"code": "974", "nom": "La Réunion", "region": "04"},
                {"code": "11", "nom": "Aude", "region": "76"},
                {"code": "2A", "nom": "Corse-du-Sud", "region": "94"},
            ]
        ),  # fmt: skip
        encoding="utf-8",
    )
    regions = [("84", "Auvergne-Rhône-Alpes"), ("11", "Île-de-France"), ("04", "La Réunion"), ("76", "Occitanie"),
               ("94", "Corse")]  # fmt: skip
    (data / "regions.json").write_text(json.dumps([{"code": c, "nom": n} for c, n in regions]), encoding="utf-8")
    cities = {
        "1": {"name": "Die", "latitude": 44.75, "longitude": 5.37, "countrycode": "FR", "admin1code": "84",
              "population": 4900, "alternatenames": []},
        "2": {"name": "Saint-Denis", "latitude": 48.93, "longitude": 2.35, "countrycode": "FR", "admin1code": "11",
              "population": 110000, "alternatenames": []},
        "3": {"name": "Saint-Denis", "latitude": -20.88, "longitude": 55.45, "countrycode": "RE", "admin1code": "RE",
              "population": 140000, "alternatenames": []},
    }  # fmt: skip
    return Gazetteer(build(root, cities))


def test_geocoding_by_insee_name_and_postal_code(gazetteer: Gazetteer) -> None:
    die = gazetteer.resolve(commune="Die")
    assert die.status == "resolved" and die.commune is not None
    assert (die.commune.insee, die.commune.department, die.commune.region) == ("26113", "Drôme", "Auvergne-Rhône-Alpes")
    assert (die.commune.lat, die.commune.lon) == (44.75, 5.37)
    assert gazetteer.resolve(insee="97411").commune.name == "Saint-Denis"  # type: ignore[union-attr]
    assert gazetteer.resolve(postal_code="26150").commune.insee == "26113"  # type: ignore[union-attr]


def test_an_ambiguous_name_is_disambiguated_or_left_unresolved(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve(commune="Saint-Denis").status == "ambiguous"
    assert gazetteer.resolve(commune="Saint-Denis", department="974").commune.insee == "97411"  # type: ignore[union-attr]
    assert gazetteer.resolve(commune="saint denis", region="Île-de-France").commune.insee == "93066"  # type: ignore[union-attr]
    assert gazetteer.resolve(commune="St-Denis", postal_code="11310").commune.insee == "11339"  # type: ignore[union-attr]
    # A region that contradicts the name is no licence to pick one: unresolved, never invented.
    assert gazetteer.resolve(commune="Die", region="Corse").status == "unknown"
    assert gazetteer.resolve(commune="Atlantis").status == "unknown"
    # No GeoNames point for Saint-Denis (Aude): the commune is resolved, without coordinates.
    assert gazetteer.resolve(insee="11339").commune.lat is None  # type: ignore[union-attr]


def test_enricher_fills_the_place_and_keeps_the_sources_coordinates(gazetteer: Gazetteer) -> None:
    enricher = Enricher(load_schemes(VOCAB), gazetteer)
    mapped = MappedRecord(values={"title": ["x"], "commune": ["Die"], "lat": ["44.7"], "lon": ["5.3"]})
    enricher.geocode(mapped)
    assert mapped.values["insee"] == ["26113"] and mapped.values["department_code"] == ["26"]
    assert (mapped.first("lat"), mapped.first("lon")) == ("44.7", "5.3")
    ambiguous = MappedRecord(values={"title": ["x"], "commune": ["Saint-Denis"]})
    enricher.geocode(ambiguous)
    assert ambiguous.notes["geocoding"] == "ambiguous" and "insee" not in ambiguous.values


def test_duplicate_scoring_links_the_same_project_across_sources_only() -> None:
    assert normalise_website("https://www.Jardin.example.org/") == "jardin.example.org"
    a = Candidate("a-1", "u/a", "a", "jardin partage de die", {"asso les jardins"}, "jardin.example.org", "insee:26113")
    b = Candidate("b-1", "u/b", "b", "a die un potager collectif", {"asso les jardins"}, "jardin.example.org",
                  "insee:26113")  # fmt: skip
    same_source = Candidate("a-2", "u/a2", "a", "jardin partage de die", {"asso les jardins"}, "jardin.example.org",
                            "insee:26113")  # fmt: skip
    other = Candidate("c-1", "u/c", "c", "jardin partage de die", {"mairie de die"}, "mairie.example.org",
                      "insee:26113")  # fmt: skip
    pairs = find_pairs([a, b, same_source, other])
    assert [(x, y) for x, y, _ in pairs] == [("a-1", "b-1"), ("a-2", "b-1")]
    assert clusters_of(pairs) == [["a-1", "a-2", "b-1"]]


def test_schemes_file_is_read_from_the_vocabulary(tmp_path: Path) -> None:
    assert {"actor_types", "publics", "stages", "scales", "themes"} <= set(load_schemes(VOCAB).names())


def _npm_tree(root: Path, communes: list[tuple[str, str, str, int]], departments: dict[str, str]) -> Path:
    """npm-shaped files for (insee, name, department, population) communes, all in region 84."""
    import json

    data = root / "@etalab" / "decoupage-administratif" / "data"
    data.mkdir(parents=True)
    rows = [
        {"code": c, "nom": n, "codesPostaux": [], "departement": d, "region": "84", "population": p,
         "type": "commune-actuelle"}
        for c, n, d, p in communes
    ]  # fmt: skip
    (data / "communes.json").write_text(json.dumps(rows), encoding="utf-8")
    deps = [{"code": c, "nom": n, "region": "84"} for c, n in departments.items()]
    (data / "departements.json").write_text(json.dumps(deps), encoding="utf-8")
    (data / "regions.json").write_text(json.dumps([{"code": "84", "nom": "Auvergne-Rhône-Alpes"}]), encoding="utf-8")
    return root


def _city(name: str, lat: float, lon: float, population: int = 1000, alternates: tuple[str, ...] = ()) -> dict:
    return {"name": name, "latitude": lat, "longitude": lon, "countrycode": "FR", "admin1code": "84",
            "population": population, "alternatenames": list(alternates)}  # fmt: skip


def test_a_homonym_in_another_department_lends_no_coordinates(tmp_path: Path) -> None:
    # Five communes of the Ain around (46.0, 5.3), five of the Allier around (46.4, 3.3): the departments' extents.
    ain = [(f"010{n:02}", f"Ain{n}", "01", 1000) for n in range(5)]
    allier = [(f"030{n:02}", f"Allier{n}", "03", 1000) for n in range(5)]
    homonyms = [("01062", "Bressolles", "01", 1028), ("03040", "Bressolles", "03", 1000)]
    border = [("01900", "Frontière", "01", 500), ("03900", "Frontière", "03", 500)]
    root = _npm_tree(tmp_path, ain + allier + homonyms + border, {"01": "Ain", "03": "Allier"})
    cities = {f"a{n}": _city(f"Ain{n}", 46.0 + n / 20, 5.3 + n / 20) for n in range(5)}
    cities |= {f"b{n}": _city(f"Allier{n}", 46.4 + n / 20, 3.3 + n / 20) for n in range(5)}
    # GeoNames knows only the Bressolles of the Allier, whose population is closer to the Ain's.
    cities["c"] = _city("Bressolles", 46.53, 3.32, population=1030)
    # One point halfway, plausible for both homonyms: shared, so given to neither.
    cities["d"] = _city("Frontière", 46.2, 4.3)
    communes = {c["insee"]: c for c in build(root, cities)["communes"]}
    assert "lat" not in communes["01062"]  # never the Allier's point
    assert (communes["03040"]["lat"], communes["03040"]["lon"]) == (46.53, 3.32)
    assert "lat" not in communes["01900"] and "lat" not in communes["03900"]
    assert all("lat" in communes[c] for c, *_ in ain + allier)


def test_a_place_named_like_the_commune_wins_over_an_alternate_name(tmp_path: Path) -> None:
    communes = [(f"690{n:02}", f"Rhône{n}", "69", 1000) for n in range(5)]
    communes += [("01005", "Ambérieux-en-Dombes", "69", 1900), ("69005", "Ambérieux", "69", 600)]
    root = _npm_tree(tmp_path, communes, {"69": "Rhône"})
    cities = {f"r{n}": _city(f"Rhône{n}", 45.8 + n / 20, 4.8 + n / 20) for n in range(5)}
    cities["x"] = _city("Ambérieux-en-Dombes", 45.99, 4.9, alternates=("Amberieux",))
    located = {c["insee"]: c.get("lat") for c in build(root, cities)["communes"]}
    assert located["01005"] == 45.99 and located["69005"] is None
