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
}


@dataclass
class MappedRecord:
    values: dict[str, list[str]] = field(default_factory=dict)

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def first(self, name: str) -> str:
        values = self.all(name)
        return values[0] if values else ""
