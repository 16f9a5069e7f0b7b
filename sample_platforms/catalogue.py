"""The catalogue of sample innovations and their distribution over the sample platforms.

Everything is derived from the hand-written fragments by fixed rules and a seeded shuffle, so
two builds (on any machine) give identical records; tests and `make demo` rely on this.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache

from .communes import COMMUNES, Commune, at, of
from .fragments import CONCEPTS, Concept
from .organisations import (
    generic_contact,
    organisation_name,
    partners_for,
    personal_contact,
    scale_of_local_authority,
    slugify,
    website_for,
)
from .referentiel import top_theme

PLATFORMS: tuple[str, ...] = ("fondation", "reseau", "territoires", "portraits", "laureats", "atlas")

# Live records per platform = originals + reworded copies (the planted duplicates).
ORIGINALS: dict[str, int] = {
    "fondation": 107,
    "reseau": 39,
    "territoires": 35,
    "portraits": 66,
    "laureats": 42,
    "atlas": 33,
}
COPIES: dict[str, int] = {
    "fondation": 8,
    "reseau": 6,
    "territoires": 5,
    "portraits": 6,
    "laureats": 3,
    "atlas": 2,
}
LIVE_COUNTS: dict[str, int] = {p: ORIGINALS[p] + COPIES[p] for p in PLATFORMS}
DELETED_COUNT = 4  # only the OAI-PMH repository keeps track of deletions
#: Near misses per kind: originals reworked to look like an original of another platform without
#: being the same innovation (see ``near_misses``). They replace originals: the counts stay.
NEAR_MISSES_PER_KIND = 4
NEAR_MISS_KINDS = ("same-organisation-same-concept", "same-organisation-other-project", "same-commune-similar-title")
BASE_COUNT = sum(ORIGINALS.values()) + DELETED_COUNT

_SEED = 20240601
_ATLAS_THEMES = {"NUM", "DEM", "GOU", "TER"}
_PUBLIC_ACTORS = {"local_authority", "other_public_body", "state_service"}
_SMALL_FIGURE_WORDS = (
    "villages",
    "sites",
    "réfrigérateurs",
    "cours",
    "classes",
    "commerces",
    "édifices",
    "structures",
    "binômes",
    "kilomètres",
    "logements",
    "hectares",
    "tonnes",
    "projets",
    "jeux",
    "bâtiments",
    "paysans",
    "volontaires",
    "émissions",
    "documents",
    "locataires",
)


@dataclass(frozen=True)
class Innovation:
    key: str
    title: str
    summary: str
    description: str
    themes: tuple[str, ...]
    tags: tuple[str, ...]
    commune: str
    insee: str
    postal_code: str
    department_code: str
    department: str
    region: str
    lat: float
    lon: float
    organisation: str
    actor_type: str
    partners: tuple[str, ...]
    website: str
    started: date
    stage: str
    publics: tuple[str, ...]
    scale: str
    updated: datetime
    platform: str = ""
    deleted: bool = False
    contact: str = ""  # contact line printed on the portrait page, "" when none
    has_personal_data: bool = False

    @property
    def top_themes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(top_theme(code) for code in self.themes))


def _place_of(commune: Commune) -> dict[str, object]:
    """The place fields of an innovation set in this commune."""
    return {
        "commune": commune.name,
        "insee": commune.insee,
        "postal_code": commune.postal_code,
        "department_code": commune.department_code,
        "department": commune.department,
        "region": commune.region,
        "lat": commune.lat,
        "lon": commune.lon,
    }


def _fill(text: str, commune: Commune, figure: int) -> str:
    return text.format(a=at(commune.name), de=of(commune.name), commune=commune.name, region=commune.region, n=figure)


def _figure(concept: Concept, index: int) -> int:
    if any(word in concept.result for word in _SMALL_FIGURE_WORDS):
        return 4 + index * 13 % 27
    return 40 + index * 37 % 860


def _stage(started: date, index: int) -> str:
    age = 2024 - started.year
    if age <= 1:
        return ("ideation", "launch")[index % 2]
    if age <= 4:
        return ("launch", "development")[index % 2]
    return ("development", "spreading")[index % 2]


def _join(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


_CONTEXTS = (
    "Le projet est porté depuis {year} par {org}, avec le soutien de : {partners}.",
    "Lancée en {year} par {org}, l'initiative s'appuie sur ses partenaires : {partners}.",
    "Depuis {year}, {org} pilote cette action en lien avec {partners}.",
)
_ALT_CONTEXT = "Cette action menée {a} par {org} a démarré en {year}."


def _build_base(index: int, used_orgs: set[str]) -> Innovation:
    concept = CONCEPTS[index % len(CONCEPTS)]
    instance = index // len(CONCEPTS)
    # 37 is prime with the number of communes: each commune is used at most twice overall,
    # never twice by the same concept, so titles stay distinct.
    commune = COMMUNES[index * 37 % len(COMMUNES)]
    actors = concept.actors
    organisation = actor_type = ""
    for shift in range(len(actors) + 1):
        actor_type = actors[(instance + index + shift) % len(actors)]
        organisation = organisation_name(actor_type, concept.org, commune, concept.scale, index + shift)
        if organisation not in used_orgs and website_for(organisation) not in used_orgs:
            break
    else:  # pragma: no cover - guarded by the uniqueness test
        raise RuntimeError(f"nom d'organisation en double : {organisation}")
    used_orgs.update((organisation, website_for(organisation)))
    scale = scale_of_local_authority(organisation) if actor_type == "local_authority" else concept.scale
    started = date(2012 + index * 5 % 13, 1 + index * 7 % 12, 1 + index * 11 % 28)
    if started > date(2024, 6, 30):
        started = started.replace(month=1 + index % 6)
    partners = partners_for(commune, index)
    figure = _figure(concept, index)
    context = _CONTEXTS[index % len(_CONTEXTS)].format(year=started.year, org=organisation, partners=_join(partners))
    description = " ".join(
        [_fill(s, commune, figure) for s in concept.body] + [context, _fill(concept.result, commune, figure)]
    )
    title = _fill(concept.title, commune, figure)
    key = slugify(f"{concept.key}-{commune.name}-{commune.department_code}", 80)
    return Innovation(
        key=key,
        title=title,
        summary=_fill(concept.summary, commune, figure),
        description=description,
        themes=concept.themes,
        tags=concept.tags,
        **_place_of(commune),
        organisation=organisation,
        actor_type=actor_type,
        partners=partners,
        website=website_for(organisation),
        started=started,
        stage=_stage(started, index),
        publics=concept.publics,
        scale=scale,
        updated=datetime(2024, 7, 1, 8, 0, tzinfo=UTC) + timedelta(hours=index * 19, minutes=index * 7 % 60),
    )


def _reworded(original: Innovation, index: int, platform: str, copy_no: int) -> Innovation:
    """The same project as published by another platform, in that platform's own words."""
    commune = next(c for c in COMMUNES if c.insee == original.insee)
    concept = CONCEPTS[index % len(CONCEPTS)]
    alt_body = [_fill(s, commune, 0) for s in concept.alt_body]
    context = _ALT_CONTEXT.format(a=at(commune.name), org=original.organisation, year=original.started.year)
    title = _fill(concept.alt_title, commune, 0)
    return replace(
        original,
        key=slugify(f"{commune.name}-{concept.alt_title.split('{')[0]}", 70),
        title=title,
        summary=alt_body[0],
        description=" ".join(alt_body + [context]),
        updated=datetime(2025, 2, 1, 9, 30, tzinfo=UTC) + timedelta(hours=copy_no * 31),
        platform=platform,
    )


@dataclass(frozen=True)
class _Catalogue:
    records: dict[str, tuple[Innovation, ...]]  # live records per platform, in publication order
    deleted: dict[str, tuple[Innovation, ...]]
    pairs: tuple[tuple[str, str], ...]
    near_misses: tuple[tuple[str, str, str], ...] = ()


def _pick(order: list[int], taken: set[int], count: int, accept) -> list[int]:
    chosen = [i for i in order if i not in taken and accept(i)][:count]
    taken.update(chosen)
    return chosen


@cache
def _catalogue() -> _Catalogue:
    used_orgs: set[str] = set()
    base = [_build_base(i, used_orgs) for i in range(BASE_COUNT)]
    order = list(range(BASE_COUNT))
    random.Random(_SEED).shuffle(order)

    taken: set[int] = set()
    # ATLAAS lists local authorities' actions, mostly digital and democratic ones.
    themed = _pick(
        order,
        taken,
        ORIGINALS["atlas"] - 5,
        lambda i: base[i].actor_type == "local_authority" and bool(_ATLAS_THEMES & set(base[i].top_themes)),
    )
    other = _pick(order, taken, 5, lambda i: base[i].actor_type == "local_authority")
    assigned: dict[str, list[int]] = {"atlas": themed + other}
    # A local-authority network publishes mostly public actors' projects.
    assigned["territoires"] = _pick(order, taken, 25, lambda i: base[i].actor_type in _PUBLIC_ACTORS)
    assigned["territoires"] += _pick(order, taken, ORIGINALS["territoires"] - 25, lambda i: True)
    for platform in ("fondation", "reseau", "portraits", "laureats"):
        extra = DELETED_COUNT if platform == "fondation" else 0
        assigned[platform] = _pick(order, taken, ORIGINALS[platform] + extra, lambda i: True)
    deleted_indexes = assigned["fondation"][-DELETED_COUNT:]
    assigned["fondation"] = assigned["fondation"][:-DELETED_COUNT]

    platform_of = {i: p for p, indexes in assigned.items() for i in indexes}
    records: dict[str, list[Innovation]] = {p: [replace(base[i], platform=p) for i in assigned[p]] for p in PLATFORMS}

    # Planted duplicates: one original per concept at most, copied to another platform.
    targets = [p for p in PLATFORMS for _ in range(COPIES[p])]
    sources = ["portraits", "reseau", "fondation", "laureats", "territoires", "atlas"]
    used_concepts: set[int] = set()
    duplicated: set[int] = set()
    pairs: list[tuple[str, str]] = []
    cursor = 0
    for copy_no, target in enumerate(targets):
        for _ in range(len(sources)):
            source = sources[cursor % len(sources)]
            cursor += 1
            if source != target:
                break
        candidates = [
            i
            for i in assigned[source]
            if i not in duplicated
            and i % len(CONCEPTS) not in used_concepts
            and (target != "atlas" or base[i].actor_type == "local_authority")
        ]
        if not candidates:  # fall back to any other platform
            candidates = [
                i
                for i in order
                if i in platform_of
                and platform_of[i] != target
                and i not in duplicated
                and i % len(CONCEPTS) not in used_concepts
                and (target != "atlas" or base[i].actor_type == "local_authority")
            ]
        index = candidates[0]
        duplicated.add(index)
        used_concepts.add(index % len(CONCEPTS))
        copy = _reworded(base[index], index, target, copy_no)
        records[target].append(copy)
        pairs.append((f"{platform_of[index]}:{base[index].key}", f"{target}:{copy.key}"))

    near = _plant_near_misses(base, records, platform_of, duplicated, used_concepts, order)

    # Interleave copies with originals so that pages and feeds do not end with all of them.
    for items in records.values():
        items.sort(key=lambda r: r.updated.isoformat()[5:] + r.key)
    # Portrait pages carry contact lines; some name a person (personal data to strip).
    portraits = []
    for n, record in enumerate(records["portraits"]):
        if n % 4 == 0:
            record = replace(record, contact=personal_contact(n), has_personal_data=True)
        elif n % 4 == 2:
            record = replace(record, contact=generic_contact(record.website))
        portraits.append(record)
    records["portraits"] = portraits

    deleted = tuple(replace(base[i], platform="fondation", deleted=True) for i in deleted_indexes)
    return _Catalogue(
        records={p: tuple(items) for p, items in records.items()},
        deleted={"fondation": deleted},
        pairs=tuple(pairs),
        near_misses=tuple(near),
    )


def _plant_near_misses(
    base: list[Innovation],
    records: dict[str, list[Innovation]],
    platform_of: dict[int, str],
    duplicated: set[int],
    used_concepts: set[int],
    order: list[int],
) -> list[tuple[str, str, str]]:
    """Rework some originals into near misses of an original of another platform (never the same project):

    - same organisation, same concept, another commune (a network running one scheme in two places,
      each with its own website);
    - same organisation, another project (its own website);
    - same commune, a similar title (the concept's other wording), another organisation.

    Only originals that are neither copied nor ATLAAS entries are reworked, and the actor type stays
    (an organisation is only swapped for one of the same type), so every platform keeps its profile.
    """
    position = {(p, r.key): n for p, items in records.items() for n, r in enumerate(items)}
    involved: set[int] = set(duplicated)
    found: list[tuple[str, str, str]] = []
    pool = [i for i in order if i in platform_of and platform_of[i] != "atlas"]

    def free(i: int) -> bool:
        return i not in involved

    def rework(twin: int, near: int, kind: str, **changes: object) -> None:
        involved.update((twin, near))
        target = platform_of[near]
        n = position[(target, base[near].key)]
        records[target][n] = replace(records[target][n], **changes)  # type: ignore[arg-type]
        found.append((f"{platform_of[twin]}:{base[twin].key}", f"{target}:{base[near].key}", kind))

    def swap_organisation(near: int, organisation: str) -> dict[str, object]:
        old = base[near]
        return {"organisation": organisation, "description": old.description.replace(old.organisation, organisation)}

    counts = dict.fromkeys(NEAR_MISS_KINDS, 0)
    for twin in pool:
        if counts[NEAR_MISS_KINDS[0]] >= NEAR_MISSES_PER_KIND:
            break
        concept = twin % len(CONCEPTS)
        near = next(
            (
                i
                for i in pool
                if i != twin
                and free(twin)
                and free(i)
                and i % len(CONCEPTS) == concept
                and platform_of[i] != platform_of[twin]
                and base[i].actor_type == base[twin].actor_type
            ),
            None,
        )
        if near is not None:
            rework(twin, near, NEAR_MISS_KINDS[0], **swap_organisation(near, base[twin].organisation))
            counts[NEAR_MISS_KINDS[0]] += 1
    for twin in pool:
        if counts[NEAR_MISS_KINDS[1]] >= NEAR_MISSES_PER_KIND:
            break
        near = next(
            (
                i
                for i in pool
                if free(twin)
                and free(i)
                and i % len(CONCEPTS) != twin % len(CONCEPTS)
                and platform_of[i] != platform_of[twin]
                and base[i].actor_type == base[twin].actor_type
                and base[i].commune != base[twin].commune
            ),
            None,
        )
        if near is not None:
            rework(twin, near, NEAR_MISS_KINDS[1], **swap_organisation(near, base[twin].organisation))
            counts[NEAR_MISS_KINDS[1]] += 1
    for twin in pool:
        if counts[NEAR_MISS_KINDS[2]] >= NEAR_MISSES_PER_KIND:
            break
        concept = twin % len(CONCEPTS)
        near = next(
            (
                i
                for i in pool
                if i != twin
                and free(twin)
                and free(i)
                and concept not in used_concepts
                and i % len(CONCEPTS) == concept
                and platform_of[i] != platform_of[twin]
            ),
            None,
        )
        if near is not None:
            used_concepts.add(concept)  # its other wording is taken
            here, old = base[twin], base[near]
            commune = next(c for c in COMMUNES if c.insee == here.insee)
            old_commune = next(c for c in COMMUNES if c.insee == old.insee)
            title = _fill(CONCEPTS[concept].alt_title, commune, 0)
            description = old.description
            for before, after in ((at(old.commune), at(here.commune)), (of(old.commune), of(here.commune))):
                description = description.replace(before, after)
            description = description.replace(old_commune.name, commune.name)
            rework(
                twin,
                near,
                NEAR_MISS_KINDS[2],
                title=title,
                summary=_fill(CONCEPTS[concept].summary, commune, 0).rstrip(".") + ", sur une autre initiative.",
                description=description,
                **_place_of(commune),
            )
            counts[NEAR_MISS_KINDS[2]] += 1
    assert all(n == NEAR_MISSES_PER_KIND for n in counts.values()), counts
    return found


def platform_records(platform_id: str) -> list[Innovation]:
    """Live records published by one sample platform, in publication order."""
    if platform_id not in PLATFORMS:
        raise KeyError(platform_id)
    return list(_catalogue().records[platform_id])


def deleted_records(platform_id: str) -> list[Innovation]:
    """Records withdrawn from a platform (only the OAI-PMH repository announces them)."""
    return list(_catalogue().deleted.get(platform_id, ()))


def duplicate_pairs() -> list[tuple[str, str]]:
    """Ground truth for dedup: ("platform:key" of the original, "platform:key" of the copy)."""
    return list(_catalogue().pairs)


def near_misses() -> list[tuple[str, str, str]]:
    """Pairs that look alike but are two innovations: ("platform:key", "platform:key", kind), see NEAR_MISS_KINDS.

    The second record of each pair is an original reworked after the first; neither is a duplicate."""
    return list(_catalogue().near_misses)


def all_innovations() -> list[Innovation]:
    """Distinct innovations: every live original, without the reworded copies or deletions."""
    copies = {pair[1] for pair in duplicate_pairs()}
    return [
        record
        for platform in PLATFORMS
        for record in platform_records(platform)
        if f"{platform}:{record.key}" not in copies
    ]


def personal_data_keys() -> frozenset[str]:
    """Keys of the portrait pages whose body names a person with e-mail and phone."""
    return frozenset(r.key for r in platform_records("portraits") if r.has_personal_data)


def find(platform_id: str, key: str) -> Innovation | None:
    return next((r for r in platform_records(platform_id) if r.key == key), None)
