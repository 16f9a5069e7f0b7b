"""Offline geocoding: a commune name, postal code or INSEE code to the commune, its department,
its region and its coordinates, with the gazetteer built at set-up time
(``python -m aggregator.enrich.gazetteer_build``).

Nothing is guessed: a name that several communes share is resolved only when the postal code,
the department or the region the source gives leaves exactly one; otherwise the place stays as
the source wrote it and the record is counted as unresolved in the quality report.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from aggregator.settings import PROJECT_ROOT
from aggregator.text import normalise_label

GAZETTEER_FILE = "gazetteer.json.gz"


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    postal_codes: tuple[str, ...]
    department_code: str
    department: str
    region_code: str
    region: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Resolution:
    status: str  # "resolved", "ambiguous", "unknown" or "empty"
    commune: Commune | None = None
    reason: str = ""


def _key(name: str) -> str:
    key = normalise_label(name)
    key = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", key))
    return re.sub(r"\s+(cedex(\s+\d+)?)$", "", key)


class Gazetteer:
    def __init__(self, data: dict[str, Any]) -> None:
        regions: dict[str, str] = data["regions"]
        departments: dict[str, dict[str, str]] = data["departments"]
        self.communes: dict[str, Commune] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_postal: dict[str, list[str]] = defaultdict(list)
        for c in data["communes"]:
            department = departments.get(c["department"], {})
            commune = Commune(
                insee=c["insee"],
                name=c["name"],
                postal_codes=tuple(c.get("postal_codes", ())),
                department_code=c["department"],
                department=department.get("name", ""),
                region_code=c.get("region", ""),
                region=regions.get(c.get("region", ""), ""),
                lat=c.get("lat"),
                lon=c.get("lon"),
            )
            self.communes[commune.insee] = commune
            self._by_name[_key(commune.name)].append(commune.insee)
            for code in commune.postal_codes:
                self._by_postal[code].append(commune.insee)
        self._department_keys = {
            key: code for code, d in departments.items() for key in (code.casefold(), _key(d["name"]))
        }
        self._region_keys = {key: code for code, name in regions.items() for key in (_key(name),)}

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def department_code(self, text: str) -> str | None:
        text = text.strip()
        return self._department_keys.get(text.casefold()) or self._department_keys.get(_key(text))

    def region_code(self, text: str) -> str | None:
        return self._region_keys.get(_key(text))

    def resolve(
        self, commune: str = "", insee: str = "", postal_code: str = "", department: str = "", region: str = ""
    ) -> Resolution:
        insee = insee.strip().upper()
        if insee in self.communes:
            return Resolution("resolved", self.communes[insee], "code INSEE")
        postal_code = postal_code.strip()
        name = _key(commune) if commune else ""
        if name:
            candidates = list(self._by_name.get(name, []))
            via = "nom"
        elif postal_code:
            candidates = list(self._by_postal.get(postal_code, []))
            via = "code postal"
        else:
            return Resolution("empty", reason="ni commune, ni code INSEE, ni code postal")
        if not candidates:
            return Resolution("unknown", reason=f"« {commune or postal_code} » absent du gazetier")
        narrowing = []
        if postal_code and via == "nom":
            narrowing.append(("code postal", lambda c: postal_code in c.postal_codes))
        # A department or region the gazetteer does not know (a typo, an old region) is no hint.
        if department and (code := self.department_code(department)):
            narrowing.append(("département", lambda c, code=code: c.department_code == code))
        if region and (code := self.region_code(region)):
            narrowing.append(("région", lambda c, code=code: c.region_code == code))
        used = []
        for label, keep in narrowing:
            kept = [i for i in candidates if keep(self.communes[i])]
            if not kept:
                return Resolution("unknown", reason=f"« {commune or postal_code} » : aucune commune de ce {label}")
            candidates = kept
            used.append(label)
        if len(candidates) == 1:
            return Resolution("resolved", self.communes[candidates[0]], " + ".join([via, *used]))
        names = ", ".join(sorted(f"{self.communes[i].name} ({self.communes[i].department_code})" for i in candidates))
        return Resolution(
            "ambiguous", reason=f"« {commune or postal_code} » : {len(candidates)} communes ({names[:200]})"
        )


def gazetteer_paths(data_dir: Path | None = None) -> list[Path]:
    """Where the gazetteer is looked for: the data directory first, then the build directory."""
    paths = [data_dir / GAZETTEER_FILE] if data_dir is not None else []
    return paths + [PROJECT_ROOT / "build" / GAZETTEER_FILE]


@cache
def load_gazetteer(data_dir: Path | None = None) -> Gazetteer | None:
    """The gazetteer, or None when it was not built (geocoding is then skipped and reported)."""
    for path in gazetteer_paths(data_dir):
        if path.exists():
            return Gazetteer.load(path)
    return None
