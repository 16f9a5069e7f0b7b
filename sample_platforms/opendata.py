"""`laureats` (semicolon CSV, La France s'engage style) and `atlas` (JSON, ATLAAS style)."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response

from .catalogue import Innovation, platform_records
from .organisations import legal_status
from .referentiel import SUBTHEMES

CSV_COLUMNS = (
    "id",
    "nom_projet",
    "porteur",
    "statut_juridique",
    "resume",
    "thematiques",
    "commune",
    "code_insee",
    "code_postal",
    "departement",
    "region",
    "latitude",
    "longitude",
    "site_web",
    "annee_laureat",
)

laureats = Blueprint("laureats", __name__, url_prefix="/laureats")
atlas = Blueprint("atlas", __name__, url_prefix="/atlas")


def laureate_year(record: Innovation) -> int:
    return min(max(record.started.year + 1, 2014), 2024)


def laureate_id(position: int) -> str:
    return f"LFSE-{position + 1:04d}"


def _csv_row(position: int, record: Innovation) -> list[str]:
    # Laureate files name the subtheme labels, not the codes, and spell them their own way.
    themes = "|".join(SUBTHEMES[code][1] for code in record.themes)
    resume = record.summary
    # Some summaries carry ";" and '"' so that a consumer has to honour CSV quoting.
    if position % 5 == 0:
        resume += f" Projet soutenu par le jury ; lauréat {laureate_year(record)}."
    elif position % 7 == 3:
        resume += f' Surnommé "{record.commune} solidaire" par les habitants.'
    return [
        laureate_id(position),
        record.title,
        record.organisation,
        legal_status(record.actor_type, record.organisation, record.department_code),
        resume,
        themes,
        record.commune,
        record.insee,
        record.postal_code,
        record.department,
        record.region,
        f"{record.lat:.3f}",
        f"{record.lon:.3f}",
        record.website,
        str(laureate_year(record)),
    ]


@laureats.route("/laureats.csv")
def laureats_csv() -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for position, record in enumerate(platform_records("laureats")):
        writer.writerow(_csv_row(position, record))
    return Response(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")


_COLLECTIVITY_TYPES = (
    ("Région", "Région"),
    ("Conseil départemental", "Département"),
    ("Communauté", "Intercommunalité"),
    ("Ville", "Commune"),
)


def collectivity_type(record: Innovation) -> str:
    for prefix, label in _COLLECTIVITY_TYPES:
        if record.organisation.startswith(prefix):
            return label
    return "Autre"


def atlas_id(position: int) -> int:
    return 1001 + position


@atlas.route("/actions.json")
def actions() -> Response:
    records = platform_records("atlas")
    payload = {
        "generated": max(r.updated for r in records).isoformat().replace("+00:00", "Z"),
        "actions": [
            {
                "id": atlas_id(position),
                "intitule": record.title,
                "description": record.description,
                "collectivite": record.organisation,
                "type_collectivite": collectivity_type(record),
                "commune": record.commune,
                "code_insee": record.insee,
                "region": record.region,
                "themes": list(record.tags),
                "url": record.website,
                "date_mise_en_oeuvre": record.started.isoformat(),
                "geo": {"lat": record.lat, "lon": record.lon},
            }
            for position, record in enumerate(records)
        ],
    }
    return Response(json.dumps(payload, ensure_ascii=False, indent=1), mimetype="application/json")
