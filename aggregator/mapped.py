"""The mapped record: what a crosswalk produces, in the vocabulary's field names."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Every field a crosswalk may fill, each holding a list of strings (possibly empty).
FIELDS: dict[str, str] = {
    "title": "Titre de l'innovation (obligatoire).",
    "summary": "Résumé court.",
    "description": "Description longue (texte brut).",
    "tags": "Mots-clés tels que la source les écrit ; alignés ensuite sur les thématiques.",
    "commune": "Nom de la commune.",
    "insee": "Code INSEE de la commune.",
    "postal_code": "Code postal.",
    "department": "Département (nom ou code).",
    "region": "Région.",
    "lat": "Latitude (WGS84, nombre décimal).",
    "lon": "Longitude (WGS84, nombre décimal).",
    "organisation": "Organisation porteuse.",
    "actor_type": "Statut ou type d'acteur de l'organisation porteuse, tel que la source l'écrit.",
    "partners": "Organisations partenaires.",
    "website": "Site web de l'innovation ou de son porteur.",
    "started": "Date de lancement (AAAA, AAAA-MM ou AAAA-MM-JJ).",
    "url": "Adresse de la notice chez la source.",
    "language": "Langue de la notice (code BCP 47, « fr » par défaut).",
    "stage": "Stade de maturité (idéation, amorçage, développement, essaimage).",
    "public": "Publics visés.",
    "scale": "Échelle territoriale d'action (quartier, commune, … international).",
    "image": "Adresse d'une image de l'innovation.",
    "licence": "Licence de la notice (adresse ou nom).",
}

#: Fields that keep every value found; the others keep the first.
MULTI_FIELDS = frozenset({"tags", "partners", "public", "image"})

#: Fields of an organisation built by an ``organisations:`` block of a crosswalk.
ORGANISATION_FIELDS: dict[str, str] = {
    "name": "Nom de l'organisation (obligatoire).",
    "actor_type": "Statut ou type d'acteur.",
    "website": "Site web de l'organisation.",
    "siret": "Numéro SIRET.",
    "commune": "Commune du siège.",
}

#: Fields of a place built by a ``places:`` block of a crosswalk.
PLACE_FIELDS: dict[str, str] = {
    "commune": "Nom de la commune.",
    "insee": "Code INSEE.",
    "postal_code": "Code postal.",
    "department": "Département (nom ou code).",
    "region": "Région.",
    "lat": "Latitude.",
    "lon": "Longitude.",
    "address": "Adresse postale (rue).",
}

#: Free-text fields: personal data is removed from them and their language is detected.
TEXT_FIELDS = ("title", "summary", "description")


@dataclass
class MappedOrganisation:
    role: str  # "carrier" or "partner"
    values: dict[str, list[str]] = field(default_factory=dict)
    concepts: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, str] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.values.get(name, [])
        return values[0] if values else ""


@dataclass
class MappedPlace:
    values: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.values.get(name, [])
        return values[0] if values else ""


@dataclass
class MappedRecord:
    values: dict[str, list[str]] = field(default_factory=dict)
    #: Language tag of a field's values, when the crosswalk or the language detector says it.
    langs: dict[str, str] = field(default_factory=dict)
    #: Scheme named by ``lookup:`` for a field (looked up at enrichment, see ``aggregator.enrich``).
    lookups: dict[str, str] = field(default_factory=dict)
    #: Concept URIs found by the look-up for a field, in the order of its values.
    concepts: dict[str, list[str]] = field(default_factory=dict)
    #: Values that ``lookup:`` could not align, per field (reported, never dropped silently).
    unaligned: dict[str, list[str]] = field(default_factory=dict)
    organisations: list[MappedOrganisation] = field(default_factory=list)
    places: list[MappedPlace] = field(default_factory=list)
    #: What enrichment did or could not do (for the quality report), e.g. {"geocoding": "..."}.
    notes: dict[str, str] = field(default_factory=dict)

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def first(self, name: str) -> str:
        values = self.all(name)
        return values[0] if values else ""
