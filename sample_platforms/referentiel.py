"""Labels of the Carrefour referentiel that the sample platforms display.

Copied from the shared referentiel so that the platforms show the same French labels a real
partner site would; the aggregator's own SKOS vocabularies live elsewhere.
"""

from __future__ import annotations

THEMES: dict[str, str] = {
    "EDU": "Éducation et jeunesse",
    "EMP": "Emploi",
    "ENV": "Environnement",
    "SAN": "Santé",
    "SOL": "Solidarité",
    "TER": "Territoires",
    "ART": "Arts et culture",
    "COM": "Communication",
    "CON": "Consommation et services responsables",
    "DEM": "Démocratie",
    "GOU": "Gouvernance",
    "NUM": "Numérique",
    "SPO": "Sport",
    "TOU": "Tourisme",
    "FIN": "Financement",
    "PAT": "Patrimoine",
}

# subtheme code -> (top-level theme code, label)
SUBTHEMES: dict[str, tuple[str, str]] = {
    "EDC": ("EDU", "Éducation citoyenneté"),
    "EGA": ("EDU", "Égalité des chances"),
    "INN": ("EDU", "Innovation pédagogique"),
    "ENF": ("EDU", "Enfance/Jeunesse/Famille"),
    "ACE": ("EMP", "Accès à l'emploi"),
    "FOR": ("EMP", "Formation professionnelle"),
    "ORG": ("EMP", "Organisation du travail"),
    "ADA": ("ENV", "Adaptation au changement climatique"),
    "AGR": ("ENV", "Agriculture durable"),
    "ALI": ("ENV", "Alimentation durable"),
    "GES": ("ENV", "Gestion des déchets"),
    "ENE": ("ENV", "Énergies"),
    "PRN": ("ENV", "Préservation des ressources naturelles"),
    "ACS": ("SAN", "Accès à la santé"),
    "AID": ("SAN", "Aide à l'autonomie"),
    "BIE": ("SAN", "Bien-être"),
    "PRV": ("SAN", "Prévention"),
    "EFH": ("SOL", "Égalité femmes-hommes"),
    "GRA": ("SOL", "Grande précarité"),
    "HAN": ("SOL", "Handicap"),
    "LIE": ("SOL", "Lien social"),
    "LUT": ("SOL", "Lutte contre les discriminations"),
    "SEN": ("SOL", "Seniors"),
    "AMH": ("TER", "Aménagement/Habitat"),
    "COO": ("TER", "Coopération territoriale"),
    "INI": ("TER", "Initiatives citoyennes"),
    "MOB": ("TER", "Mobilité"),
    "ART": ("ART", "Arts et culture"),
    "COM": ("COM", "Communication"),
    "CON": ("CON", "Consommation et services responsables"),
    "DEM": ("DEM", "Démocratie"),
    "GOU": ("GOU", "Gouvernance"),
    "NUM": ("NUM", "Numérique"),
    "SPO": ("SPO", "Sport"),
    "TOU": ("TOU", "Tourisme"),
    "FIN": ("FIN", "Financement"),
    "PAT": ("PAT", "Patrimoine"),
}

ACTOR_TYPES: dict[str, str] = {
    "association": "Association",
    "citizen_collective": "Collectif citoyen",
    "local_authority": "Collectivité",
    "cooperative": "Coopérative",
    "company": "Entreprise (10 salariés ou plus)",
    "small_company": "Entreprise PME (moins de 10 salariés)",
    "financial_institution": "Établissement financier",
    "foundation": "Fondation",
    "mutual": "Mutuelle",
    "state_service": "Service de l'État",
    "other_public_body": "Structure publique autre",
}

STAGES: dict[str, str] = {
    "ideation": "Idéation",
    "development": "Développement",
    "launch": "Amorçage",
    "spreading": "Essaimage",
}

PUBLICS: dict[str, str] = {
    "youth": "Jeunesse",
    "disability": "Handicap",
    "seniors": "Seniors",
    "other": "Autre",
}

SCALES: dict[str, str] = {
    "street": "Rue / quartier",
    "commune": "Commune",
    "intercommunality": "Intercommunalité",
    "department": "Département",
    "region": "Région",
    "national": "National",
    "european": "Européen",
    "international": "International",
}


def top_theme(subtheme: str) -> str:
    return SUBTHEMES[subtheme][0]
