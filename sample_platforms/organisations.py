"""Invented organisation names, partners, websites and contacts of the sample innovations.

Names follow the conventions of each kind of carrier (association, SCIC, collectivité…) so
that a later stage can recognise the actor type from the name as a human would. Every website
lives under an invented `.example.org` domain: nothing points to a real site.
"""

from __future__ import annotations

import re
import unicodedata

from .communes import Commune, of

_PLURAL_DEPARTMENTS = {
    "Ardennes",
    "Bouches-du-Rhône",
    "Côtes-d'Armor",
    "Deux-Sèvres",
    "Landes",
    "Vosges",
    "Yvelines",
    "Hautes-Alpes",
    "Hautes-Pyrénées",
    "Pyrénées-Atlantiques",
    "Pyrénées-Orientales",
    "Alpes-Maritimes",
    "Alpes-de-Haute-Provence",
    "Hauts-de-Seine",
}
_FEMININE_DEPARTMENTS = {
    "Drôme",
    "Haute-Savoie",
    "Loire",
    "Haute-Loire",
    "Savoie",
    "Côte-d'Or",
    "Nièvre",
    "Saône-et-Loire",
    "Haute-Saône",
    "Haute-Marne",
    "Meuse",
    "Moselle",
    "Marne",
    "Meurthe-et-Moselle",
    "Somme",
    "Manche",
    "Mayenne",
    "Sarthe",
    "Vendée",
    "Loire-Atlantique",
    "Charente",
    "Charente-Maritime",
    "Creuse",
    "Corrèze",
    "Dordogne",
    "Vienne",
    "Haute-Vienne",
    "Gironde",
    "Haute-Garonne",
    "Lozère",
    "Corse-du-Sud",
    "Haute-Corse",
    "Seine-Saint-Denis",
    "Seine-Maritime",
    "Seine-et-Marne",
    "Guadeloupe",
    "Martinique",
    "Guyane",
}
_NO_ARTICLE = {"Paris", "Mayotte", "La Réunion", "Eure-et-Loir"}


def department_of(name: str) -> str:
    """'de la Drôme', 'du Nord', 'de l'Isère', 'des Landes', 'de Paris'."""
    if name in _NO_ARTICLE:
        return of(name)
    if name in _PLURAL_DEPARTMENTS:
        return f"des {name}"
    if name[0] in "AEIOUYÉÈ":
        return f"de l'{name}"
    if name in _FEMININE_DEPARTMENTS:
        return f"de la {name}"
    return f"du {name}"


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


_DOMAIN_STOPWORDS = {"de", "du", "des", "la", "le", "les", "d", "l", "et", "a", "au", "aux"}


def website_for(organisation: str) -> str:
    words = [w for w in slugify(organisation, 200).split("-") if w not in _DOMAIN_STOPWORDS]
    label = slugify("-".join(words), 55)
    return f"https://{label}.example.org/"


def organisation_name(actor_type: str, stem: str, commune: Commune, scale: str, variant: int) -> str:
    """Name of the carrier of a project; `variant` alternates plausible forms."""
    place = of(commune.name)
    if actor_type == "association":
        return f"Association {stem} {place}"
    if actor_type == "citizen_collective":
        return f"Collectif {stem} {place}"
    if actor_type == "local_authority":
        if scale == "region":
            return f"Région {commune.region}"
        if scale == "department":
            return f"Conseil départemental {department_of(commune.department)}"
        if scale == "intercommunality":
            kind = "Communauté de communes du Pays" if variant % 2 == 0 else "Communauté d'agglomération"
            return f"{kind} {place}"
        return f"Ville {place}"
    if actor_type == "cooperative":
        return f"{'SCIC' if variant % 2 == 0 else 'SCOP'} {stem} {place}"
    if actor_type == "company":
        return f"{stem} {commune.name} SAS"
    if actor_type == "small_company":
        return f"SARL {stem} {place}"
    if actor_type == "financial_institution":
        if variant % 2 == 0:
            return f"Caisse de Crédit Solidaire {place}"
        return f"Fonds d'Investissement {stem} {place}"
    if actor_type == "foundation":
        return f"Fondation {stem} {place}"
    if actor_type == "mutual":
        return f"Mutuelle {stem} {place}"
    if actor_type == "state_service":
        dept = department_of(commune.department)
        if variant % 2 == 0:
            return f"Direction départementale de l'emploi, du travail et des solidarités {dept}"
        return f"Service départemental à la jeunesse, à l'engagement et aux sports {dept}"
    if actor_type == "other_public_body":
        forms = ("Centre communal d'action sociale", "Centre hospitalier", "Établissement public")
        form = forms[variant % len(forms)]
        return f"{form} {stem} {place}" if form == "Établissement public" else f"{form} {place}"
    raise ValueError(f"type d'acteur inconnu : {actor_type}")


# Collective scale of a local authority follows from its name, not from the concept.
def scale_of_local_authority(name: str) -> str:
    if name.startswith("Région"):
        return "region"
    if name.startswith("Conseil départemental"):
        return "department"
    if name.startswith("Communauté"):
        return "intercommunality"
    return "commune"


_PARTNER_FORMS = (
    "Région {region}",
    "Caisse d'allocations familiales {dept}",
    "Centre social {place}",
    "Mission locale {place}",
    "Réseau des acteurs solidaires {place}",
    "Chambre régionale de l'économie sociale et solidaire ({region})",
    "Agence régionale de santé ({region})",
    "Office public de l'habitat {dept}",
    "Université populaire {place}",
    "Fédération des centres sociaux {dept}",
    "Conseil départemental {dept}",
    "Collectif des associations {place}",
)


def partners_for(commune: Commune, seed: int) -> tuple[str, ...]:
    count = 1 + seed % 3
    values = {"region": commune.region, "dept": department_of(commune.department), "place": of(commune.name)}
    return tuple(_PARTNER_FORMS[(seed * 5 + k * 7) % len(_PARTNER_FORMS)].format(**values) for k in range(count))


_LEGAL_STATUS = {
    "association": "Association loi 1901",
    "citizen_collective": "Collectif non constitué",
    "local_authority": "Collectivité territoriale",
    "company": "SAS",
    "small_company": "SARL",
    "financial_institution": "Établissement de crédit",
    "foundation": "Fondation reconnue d'utilité publique",
    "mutual": "Mutuelle (Code de la mutualité)",
    "state_service": "Service déconcentré de l'État",
    "other_public_body": "Établissement public",
}

# Alsace-Moselle associations are registered under local law, not the 1901 law.
_LOCAL_LAW_DEPARTMENTS = {"57", "67", "68"}


def legal_status(actor_type: str, organisation: str, department_code: str) -> str:
    """The `statut_juridique` a French open-data export would carry."""
    if actor_type == "cooperative":
        return "SCOP" if organisation.startswith("SCOP") else "SCIC"
    if actor_type == "association" and department_code in _LOCAL_LAW_DEPARTMENTS:
        return "Association de droit local"
    return _LEGAL_STATUS[actor_type]


_FIRST_NAMES = (
    "Marie",
    "Julien",
    "Nadia",
    "Thomas",
    "Sophie",
    "Karim",
    "Claire",
    "Mathieu",
    "Aïcha",
    "Pierre",
    "Élodie",
    "Youssef",
    "Camille",
    "Antoine",
    "Fatou",
    "Laurent",
)
_LAST_NAMES = (
    "Dupont",
    "Martin",
    "Benali",
    "Lefèvre",
    "Moreau",
    "Diallo",
    "Garnier",
    "Roussel",
    "Chevalier",
    "Nguyen",
    "Fontaine",
    "Mercier",
    "Lambert",
    "Girard",
    "Bonnet",
    "Perrin",
)


def personal_contact(seed: int) -> str:
    """A named person's contact (personal data that must be stripped downstream).

    Mobile numbers use the 06 39 98 range that ARCEP reserves for fiction, and mailboxes
    the reserved example.net domain, so no real person can be reached.
    """
    first = _FIRST_NAMES[seed % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(seed * 7 + 3) % len(_LAST_NAMES)]
    mailbox = f"{slugify(first)}.{slugify(last)}@example.net"
    phone = f"06 39 98 {seed * 37 % 100:02d} {seed * 53 % 100:02d}"
    return f"Contact : {first} {last}, {mailbox}, {phone}"


def generic_contact(website: str) -> str:
    host = website.removeprefix("https://").rstrip("/")
    return f"Contact : contact@{host}"
