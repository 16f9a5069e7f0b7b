"""Enrichment between the crosswalk and the store: personal data, look-ups, places, languages.

``Enricher.enrich(mapped)`` changes a mapped record in place and leaves in ``mapped.notes`` what
it did or could not do, for the quality report. Themes are aligned later, when the graph is built
(``aggregator.enrich.themes``); duplicates are linked across the whole aggregate after a harvest
(``aggregator.enrich.duplicates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aggregator.enrich.language import detect
from aggregator.enrich.places import Gazetteer, load_gazetteer
from aggregator.enrich.privacy import scrub
from aggregator.enrich.schemes import Schemes, load_schemes
from aggregator.mapped import TEXT_FIELDS, MappedRecord

#: Fields looked up in a scheme even when the crosswalk does not say ``lookup:``.
DEFAULT_LOOKUPS = {"actor_type": "actor_types", "stage": "stages", "public": "publics", "scale": "scales"}


@dataclass
class Enricher:
    schemes: Schemes
    gazetteer: Gazetteer | None

    @classmethod
    def for_vocabulary(cls, vocab_dir: Path, data_dir: Path | None = None) -> Enricher:
        return cls(load_schemes(vocab_dir), load_gazetteer(data_dir))

    def enrich(self, mapped: MappedRecord) -> MappedRecord:
        self.remove_personal_data(mapped)
        self.look_up(mapped)
        self.geocode(mapped)
        self.tag_languages(mapped)
        return mapped

    # personal data -----------------------------------------------------------------
    @staticmethod
    def remove_personal_data(mapped: MappedRecord) -> None:
        emails = phones = 0
        for name in TEXT_FIELDS:
            cleaned = []
            for value in mapped.all(name):
                result = scrub(value)
                emails, phones = emails + result.emails, phones + result.phones
                if result.text:
                    cleaned.append(result.text)
            if name in mapped.values:
                mapped.values[name] = cleaned
        if emails or phones:
            mapped.notes["personal_data"] = f"{emails} adresse(s) et {phones} numéro(s) retirés"

    # SKOS look-ups ------------------------------------------------------------------
    def look_up(self, mapped: MappedRecord) -> None:
        for name, scheme in (DEFAULT_LOOKUPS | mapped.lookups).items():
            self._look_up_field(mapped.values, mapped.concepts, mapped.unaligned, name, scheme)
        for org in mapped.organisations:
            unaligned: dict[str, list[str]] = {}
            lookups = {"actor_type": "actor_types"} | org.lookups
            for name, scheme in lookups.items():
                self._look_up_field(org.values, org.concepts, unaligned, name, scheme)
            for name, values in unaligned.items():
                mapped.unaligned.setdefault(f"organisation.{name}", []).extend(values)

    def _look_up_field(
        self,
        values: dict[str, list[str]],
        concepts: dict[str, list[str]],
        unaligned: dict[str, list[str]],
        name: str,
        scheme: str,
    ) -> None:
        if name == "tags" or scheme not in self.schemes or not values.get(name):
            return  # tags are aligned on the themes when the graph is built
        for value in values[name]:
            found = self.schemes[scheme].lookup(value)
            if found:
                concepts.setdefault(name, []).extend(c.uri for c in found if c.uri not in concepts.get(name, []))
            else:
                unaligned.setdefault(name, []).append(value)

    # places -------------------------------------------------------------------------
    def geocode(self, mapped: MappedRecord) -> None:
        fields = ("commune", "insee", "postal_code", "department", "region")
        if not any(mapped.first(f) for f in fields):
            return
        if self.gazetteer is None:
            mapped.notes["geocoding"] = "no-gazetteer"
            return
        status, reason = self._geocode_values(mapped.values)
        mapped.notes["geocoding"] = status
        if reason and status != "resolved":
            mapped.notes["geocoding_reason"] = reason
        for place in mapped.places:
            self._geocode_values(place.values)

    def _geocode_values(self, values: dict[str, list[str]]) -> tuple[str, str]:
        assert self.gazetteer is not None

        def first(name: str) -> str:
            found = values.get(name) or [""]
            return found[0]

        result = self.gazetteer.resolve(
            commune=first("commune"),
            insee=first("insee"),
            postal_code=first("postal_code"),
            department=first("department"),
            region=first("region"),
        )
        commune = result.commune
        if commune is None:
            return result.status, result.reason
        values["commune"] = [commune.name]
        values["insee"] = [commune.insee]
        values["department"] = [commune.department]
        values["department_code"] = [commune.department_code]
        values["region"] = [commune.region]
        postal = first("postal_code")
        if postal not in commune.postal_codes and len(commune.postal_codes) == 1:
            values["postal_code"] = [commune.postal_codes[0]]
        if not (first("lat") and first("lon")) and commune.lat is not None and commune.lon is not None:
            values["lat"], values["lon"] = [f"{commune.lat}"], [f"{commune.lon}"]
            values["coordinates_from"] = ["gazetteer"]
        return "resolved", result.reason

    # languages ----------------------------------------------------------------------
    @staticmethod
    def tag_languages(mapped: MappedRecord) -> None:
        default = (mapped.first("language") or "fr").lower()
        for name in TEXT_FIELDS:
            declared = mapped.langs.get(name, "auto")
            if declared != "auto":
                continue
            text = " ".join(mapped.all(name))
            mapped.langs[name] = detect(text, default) if text else default


__all__ = ["DEFAULT_LOOKUPS", "Enricher"]
