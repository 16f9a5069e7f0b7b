"""A small published aggregate (≈30 innovations, 2 tombstones) and the web application over it.

The aggregate is built through ``Aggregate.put`` / ``withdraw`` like the harvester does, in a
temporary data directory, with four declared sources so that source labels can be checked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from aggregator.innovation_graph import RecordContext
from aggregator.mapped import MappedRecord
from aggregator.records import record_id
from aggregator.settings import Settings, load_settings
from tests.oai_schemas import assert_valid_oai
from tests.oai_schemas import oai_schema as oai_schema_of_tests

SOURCES = {
    "fondation": ("Fondation pour l'innovation solidaire", "https://fondation.example.org"),
    "avise": ("Avise — banque de projets ESS", "https://avise.example.org"),
    "territoires": ("Réseau des territoires innovants", "https://territoires.example.org"),
    "solidarum": ("Solidarum, base de connaissances", "https://solidarum.example.org"),
}

# (source, identifier, title, summary, description, tags, commune, department, region, organisation,
#  website, started, lat, lon)
RECORDS: list[tuple] = [
    (
        "fondation",
        "p-001",
        "Un jardin potager au pied des immeubles",
        "Des habitants cultivent ensemble un potager au cœur d'une cité de Rennes.",
        "Le potager a été aménagé avec le bailleur social sur une pelouse délaissée. Chaque famille dispose "
        "d'une parcelle et participe aux ateliers de compostage.",
        ["Alimentation", "Vivre ensemble"],
        "Rennes",
        "Ille-et-Vilaine",
        "Bretagne",
        "Association Les Mains Vertes",
        "https://mainsvertes.example.org",
        "2019-04",
        "48.111",
        "-1.680",
    ),
    (
        "fondation",
        "p-002",
        "Épicerie solidaire étudiante",
        "Une épicerie à prix réduits tenue par des étudiants bénévoles.",
        "Les étudiants boursiers y trouvent des produits frais issus de producteurs locaux à 30 % du prix.",
        ["Épicerie solidaire", "Précarité"],
        "Toulouse",
        "Haute-Garonne",
        "Occitanie",
        "AGORAé Toulouse",
        "https://agorae.example.org",
        "2017",
        "43.604",
        "1.444",
    ),
    (
        "fondation",
        "p-003",
        "Ressourcerie du pays de Die",
        "Collecte, réparation et revente d'objets pour réduire les déchets.",
        "La ressourcerie emploie huit salariés en insertion et détourne 300 tonnes de déchets par an.",
        ["Ressourcerie", "Insertion"],
        "Die",
        "Drôme",
        "Auvergne-Rhône-Alpes",
        "Ressourcerie du Diois",
        "",
        "2012",
        "44.753",
        "5.370",
    ),
    (
        "fondation",
        "p-004",
        "Covoiturage solidaire en milieu rural",
        "Des conducteurs bénévoles emmènent les personnes sans voiture vers leurs rendez-vous.",
        "Une plateforme téléphonique met en relation les habitants isolés et les conducteurs du canton.",
        ["Mobilité solidaire", "Isolement"],
        "Guéret",
        "Creuse",
        "Nouvelle-Aquitaine",
        "Mobilité 23",
        "https://mobilite23.example.org",
        "2020-09-01",
        "46.171",
        "1.871",
    ),
    (
        "fondation",
        "p-005",
        "Atelier vélo participatif",
        "Apprendre à réparer son vélo soi-même avec l'aide de mécaniciens bénévoles.",
        "L'atelier recycle aussi des vélos abandonnés, remis en état et vendus à petit prix.",
        ["Vélo", "Réemploi"],
        "Strasbourg",
        "Bas-Rhin",
        "Grand Est",
        "Bretz'selle",
        "",
        "2010",
        "48.573",
        "7.752",
    ),
    (
        "fondation",
        "p-006",
        "Maison de santé pluriprofessionnelle",
        "Médecins, infirmiers et kinésithérapeutes regroupés pour lutter contre le désert médical.",
        "La commune a porté le projet immobilier ; les professionnels partagent un secrétariat.",
        ["Déserts médicaux"],
        "Saint-Affrique",
        "Aveyron",
        "Occitanie",
        "Communauté de communes du Saint-Affricain",
        "",
        "2016",
        "43.958",
        "2.887",
    ),
    (
        "fondation",
        "p-007",
        "Habitat partagé pour personnes âgées",
        "Une colocation accompagnée pour des aînés qui ne veulent plus vivre seuls.",
        "Six résidents partagent une grande maison ; une coordinatrice organise la vie collective.",
        ["Personnes âgées", "Habitat participatif"],
        "Nantes",
        "Loire-Atlantique",
        "Pays de la Loire",
        "Ages & Vie Solidaire",
        "",
        "2018",
        "47.218",
        "-1.553",
    ),
    (
        "fondation",
        "p-008",
        "Tiers-lieu numérique de quartier",
        "Un lieu ouvert pour apprendre les outils numériques et faire ses démarches en ligne.",
        "Des médiateurs numériques accompagnent gratuitement les habitants dans leurs démarches administratives.",
        ["Médiation numérique", "Tiers-lieux"],
        "Roubaix",
        "Nord",
        "Hauts-de-France",
        "La Condition Publique",
        "https://tierslieu.example.org",
        "2021",
        "50.690",
        "3.181",
    ),
    (
        "avise",
        "a-101",
        "Coopérative d'énergie citoyenne",
        "Les habitants financent et possèdent des panneaux solaires sur les toits publics.",
        "La société coopérative d'intérêt collectif réunit 400 sociétaires et la commune.",
        ["Énergie citoyenne", "Coopératives"],
        "Quimper",
        "Finistère",
        "Bretagne",
        "Enercoop Bretagne",
        "https://energie.example.org",
        "2015",
        "47.996",
        "-4.102",
    ),
    (
        "avise",
        "a-102",
        "Entreprise d'insertion dans le bâtiment",
        "Former des personnes éloignées de l'emploi aux métiers de la rénovation énergétique.",
        "Les salariés en parcours d'insertion rénovent des logements de ménages modestes.",
        ["Insertion par l'activité économique", "Rénovation énergétique"],
        "Lyon",
        "Rhône",
        "Auvergne-Rhône-Alpes",
        "Rénov'Insertion",
        "",
        "2014",
        "45.764",
        "4.836",
    ),
    (
        "avise",
        "a-103",
        "Pôle territorial de coopération économique du Pays basque",
        "Un groupement d'entreprises de l'économie sociale qui mutualisent leurs moyens.",
        "Le pôle accompagne la création d'activités et organise des achats groupés.",
        ["PTCE", "ESS"],
        "Bayonne",
        "Pyrénées-Atlantiques",
        "Nouvelle-Aquitaine",
        "PTCE Sud Aquitaine",
        "",
        "2013",
        "43.493",
        "-1.475",
    ),
    (
        "avise",
        "a-104",
        "Restaurant d'insertion et circuits courts",
        "Un restaurant qui cuisine les produits des fermes voisines et forme des cuisiniers.",
        "Les commis sont recrutés parmi les bénéficiaires du RSA et formés pendant deux ans.",
        ["Circuits courts", "Formation"],
        "Lille",
        "Nord",
        "Hauts-de-France",
        "Les Toques Solidaires",
        "",
        "2019",
        "50.629",
        "3.057",
    ),
    (
        "avise",
        "a-105",
        "Garage solidaire",
        "Réparer sa voiture à moindre coût pour garder son emploi.",
        "Le garage facture la main-d'œuvre selon les revenus et prête des véhicules en cas de panne.",
        ["Mobilité", "Retour à l'emploi"],
        "Metz",
        "Moselle",
        "Grand Est",
        "Garage Solidaire de Lorraine",
        "",
        "2011",
        "49.119",
        "6.176",
    ),
    (
        "avise",
        "a-106",
        "Conciergerie solidaire d'entreprises",
        "Des services du quotidien rendus aux salariés par des personnes en insertion.",
        "La conciergerie propose repassage, cordonnerie et paniers de légumes sur le lieu de travail.",
        ["Économie du partage", "Insertion"],
        "Montpellier",
        "Hérault",
        "Occitanie",
        "Conciergerie Solidaire",
        "",
        "2016",
        "43.611",
        "3.877",
    ),
    (
        "avise",
        "a-107",
        "Monnaie locale complémentaire",
        "Une monnaie locale pour relocaliser les échanges et soutenir les commerces indépendants.",
        "Deux cents commerçants acceptent la monnaie ; les euros convertis financent des prêts solidaires.",
        ["Finance solidaire", "Développement local"],
        "Bordeaux",
        "Gironde",
        "Nouvelle-Aquitaine",
        "La Gemme",
        "",
        "2015",
        "44.838",
        "-0.579",
    ),
    (
        "avise",
        "a-108",
        "Recyclerie sportive",
        "Collecter et revendre du matériel de sport d'occasion.",
        "Les équipements collectés dans les clubs sont reconditionnés et vendus aux familles.",
        ["Réemploi", "Activité physique"],
        "Massy",
        "Essonne",
        "Île-de-France",
        "Recyclerie Sportive",
        "https://recyclerie-sportive.example.org",
        "2017",
        "48.731",
        "2.271",
    ),
    (
        "territoires",
        "t-201",
        "Budget participatif des habitants",
        "Les habitants proposent et votent des projets financés par la ville.",
        "Chaque année, 5 % du budget d'investissement est décidé par les habitants de plus de seize ans.",
        ["Budget participatif"],
        "Grenoble",
        "Isère",
        "Auvergne-Rhône-Alpes",
        "Ville de Grenoble",
        "",
        "2015",
        "45.188",
        "5.724",
    ),
    (
        "territoires",
        "t-202",
        "Cantine scolaire bio et locale",
        "Des repas biologiques et locaux pour les écoliers, au même prix.",
        "La commune a créé une régie agricole qui fournit les légumes de la cantine.",
        ["Agriculture biologique", "Alimentation"],
        "Mouans-Sartoux",
        "Alpes-Maritimes",
        "Provence-Alpes-Côte d'Azur",
        "Commune de Mouans-Sartoux",
        "",
        "2012",
        "43.621",
        "6.971",
    ),
    (
        "territoires",
        "t-203",
        "Territoire zéro chômeur de longue durée",
        "Des emplois en CDI pour les chômeurs de longue durée, financés par les coûts évités.",
        "L'entreprise à but d'emploi embauche chaque volontaire et développe des activités utiles au territoire.",
        ["Retour à l'emploi", "Développement local"],
        "Mauléon",
        "Deux-Sèvres",
        "Nouvelle-Aquitaine",
        "EBE Mauléon",
        "",
        "2017",
        "46.923",
        "-0.749",
    ),
    (
        "territoires",
        "t-204",
        "Navette autonome en centre-bourg",
        "Une navette électrique gratuite relie le bourg aux hameaux.",
        "Le service est conçu avec les habitants âgés, qui fixent les arrêts et les horaires.",
        ["Transport", "Personnes âgées"],
        "Lannion",
        "Côtes-d'Armor",
        "Bretagne",
        "Lannion-Trégor Communauté",
        "",
        "2022",
        "48.732",
        "-3.459",
    ),
    (
        "territoires",
        "t-205",
        "Conseil citoyen de la transition écologique",
        "Des citoyens tirés au sort proposent des mesures pour le climat.",
        "Trente habitants tirés au sort se réunissent six week-ends et rendent des propositions au conseil municipal.",
        ["Démocratie participative", "Climat"],
        "Poitiers",
        "Vienne",
        "Nouvelle-Aquitaine",
        "Ville de Poitiers",
        "",
        "2021",
        "46.580",
        "0.340",
    ),
    (
        "territoires",
        "t-206",
        "Réseau de chaleur au bois local",
        "Chauffer les bâtiments publics avec le bois des forêts communales.",
        "La chaufferie collective alimente l'école, la mairie et quarante logements sociaux.",
        ["Énergies renouvelables"],
        "Ambert",
        "Puy-de-Dôme",
        "Auvergne-Rhône-Alpes",
        "Commune d'Ambert",
        "",
        "2014",
        "45.549",
        "3.741",
    ),
    (
        "territoires",
        "t-207",
        "Fabrique de territoire en quartier prioritaire",
        "Un lieu de fabrication numérique ouvert aux jeunes du quartier.",
        "Les jeunes y apprennent l'impression 3D et montent des projets avec les entreprises voisines.",
        ["Jeunesse", "Inclusion numérique"],
        "Clichy-sous-Bois",
        "Seine-Saint-Denis",
        "Île-de-France",
        "Association Fab'Lab Clichy",
        "",
        "2020",
        "48.910",
        "2.553",
    ),
    (
        "solidarum",
        "s-301",
        "Halte répit pour les aidants",
        "Un accueil de jour qui permet aux aidants familiaux de souffler.",
        "Les personnes atteintes de troubles de la mémoire sont accueillies deux jours par semaine "
        "par des professionnels.",
        ["Aidants", "Perte d'autonomie"],
        "Caen",
        "Calvados",
        "Normandie",
        "France Alzheimer Calvados",
        "",
        "2013",
        "49.182",
        "-0.370",
    ),
    (
        "solidarum",
        "s-302",
        "Accueil de réfugiés chez l'habitant",
        "Des familles hébergent des personnes réfugiées pendant leurs premiers mois.",
        "L'association forme les familles hôtes et accompagne les réfugiés vers le logement et l'emploi.",
        ["Accueil des réfugiés", "Hébergement d'urgence"],
        "Paris",
        "Paris",
        "Île-de-France",
        "Singa France",
        "https://singa.example.org",
        "2016",
        "48.857",
        "2.352",
    ),
    (
        "solidarum",
        "s-303",
        "Théâtre forum contre les discriminations",
        "Des comédiens et des lycéens rejouent des scènes de discrimination pour chercher des réponses.",
        "Les spectateurs montent sur scène pour proposer d'autres issues aux situations jouées.",
        ["Discriminations", "Spectacle vivant"],
        "Marseille",
        "Bouches-du-Rhône",
        "Provence-Alpes-Côte d'Azur",
        "Compagnie du Théâtre de l'Opprimé",
        "",
        "2018",
        "43.296",
        "5.370",
    ),
    (
        "solidarum",
        "s-304",
        "Bibliothèque de rue",
        "Des médiatrices lisent des livres aux enfants au pied des immeubles.",
        "Chaque mercredi, les animatrices installent des tapis et des livres pour les familles du quartier.",
        ["Petite enfance", "Culture"],
        "Rouen",
        "Seine-Maritime",
        "Normandie",
        "ATD Quart Monde Normandie",
        "",
        "2009",
        "49.443",
        "1.099",
    ),
    (
        "solidarum",
        "s-305",
        "Sport sur ordonnance",
        "Des séances d'activité physique adaptée prescrites par le médecin.",
        "Les patients atteints de maladies chroniques sont suivis par des éducateurs sportifs formés.",
        ["Sport santé", "Prévention santé"],
        "Strasbourg",
        "Bas-Rhin",
        "Grand Est",
        "Ville de Strasbourg",
        "",
        "2012",
        "48.573",
        "7.752",
    ),
    (
        "solidarum",
        "s-306",
        "Chantier de restauration du patrimoine",
        "Des jeunes en insertion restaurent les murets en pierre sèche d'un village.",
        "Encadrés par des artisans, les stagiaires apprennent un métier tout en sauvegardant le patrimoine bâti.",
        ["Patrimoine bâti", "Insertion professionnelle"],
        "Florac",
        "Lozère",
        "Occitanie",
        "Association Cévennes Patrimoine",
        "",
        "2019",
        "44.324",
        "3.593",
    ),
    (
        "solidarum",
        "s-307",
        "Cafés des parents",
        "Des rencontres entre parents pour échanger sur l'éducation des enfants.",
        "Une animatrice de l'école des parents accompagne les discussions chaque semaine.",
        ["Parentalité"],
        "Orléans",
        "Loiret",
        "Centre-Val de Loire",
        "École des Parents du Loiret",
        "",
        "2015",
        "47.902",
        "1.909",
    ),
]
#: Records withdrawn by their source after publication: tombstones in the listing.
WITHDRAWN = [("fondation", "p-901", "Friperie solidaire fermée"), ("avise", "a-902", "Service de portage de repas")]


@dataclass
class Published:
    settings: Settings
    app: object
    live: dict[str, tuple]  # record_id -> row of RECORDS
    withdrawn: list[str]

    def id_of(self, identifier: str) -> str:
        for rid, row in self.live.items():
            if row[1] == identifier:
                return rid
        raise KeyError(identifier)


def mapped_record(row: tuple) -> MappedRecord:
    (
        _,
        identifier,
        title,
        summary,
        description,
        tags,
        commune,
        department,
        region,
        organisation,
        website,
        started,
        lat,
        lon,
    ) = row
    values = {
        "title": [title],
        "summary": [summary],
        "description": [description],
        "tags": list(tags),
        "commune": [commune],
        "department": [department],
        "region": [region],
        "organisation": [organisation],
        "started": [started],
        "lat": [lat],
        "lon": [lon],
        "language": ["fr"],
        "url": [f"{SOURCES[row[0]][1]}/projets/{identifier}"],
    }
    if website:
        values["website"] = [website]
    return MappedRecord(values)


def _write_sources(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for sid, (label, home) in SOURCES.items():
        (folder / f"{sid}.yaml").write_text(
            f'id: {sid}\nlabel: "{label}"\nkind: oai-pmh\nurl: {home}/oai\nhomepage: {home}\n'
            "crosswalk:\n  title: dc:title\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    from endpoint.app import create_app

    data_dir = tmp_path_factory.mktemp("carrefour-data")
    _write_sources(data_dir / "mappings")
    settings = load_settings(
        environ={},
        data_dir=data_dir,
        mappings_dir=data_dir / "mappings",
        oai_page_size=7,
        search_page_size=10,
        base_url="http://carrefour.test",
    )
    app = create_app(settings)
    aggregate = app.extensions["carrefour"].aggregate
    documents, live = [], {}
    for row in RECORDS + [
        (s, i, t, "", "", ["Solidarité"], "", "", "Bretagne", "", "", "", "", "") for s, i, t in WITHDRAWN
    ]:
        rid = record_id(row[0], row[1])
        ctx = RecordContext(settings.base_url, rid, row[0], row[1], "1", "2024-05-02T10:00:00Z")
        documents.append(aggregate.put(mapped_record(row), ctx))
        live[rid] = row
    aggregate.index.write(documents)
    withdrawn = []
    for source, identifier, _ in WITHDRAWN:
        rid = record_id(source, identifier)
        aggregate.withdraw(rid, source)
        aggregate.index.write([], [rid])
        live.pop(rid)
        withdrawn.append(rid)
    yield Published(settings, app, live, withdrawn)
    aggregate.close()


@pytest.fixture()
def client(published: Published):  # type: ignore[no-untyped-def]
    return published.app.test_client()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def live_server(published: Published) -> Iterator[str]:
    """The application on a real HTTP server, 127.0.0.1 and a free port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, published.app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


# OAI-PMH schema validation, offline (see tests/oai_schemas.py) ------------------------------
@pytest.fixture(scope="session")
def oai_schema() -> etree.XMLSchema:
    return oai_schema_of_tests()


@pytest.fixture(scope="session")
def validate_oai() -> Callable[[bytes], etree._Element]:
    return assert_valid_oai
