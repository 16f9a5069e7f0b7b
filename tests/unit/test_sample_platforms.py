"""The sample catalogue: size, variety, planted duplicates and determinism."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from sample_platforms import catalogue
from sample_platforms.catalogue import (
    NEAR_MISS_KINDS,
    PLATFORMS,
    all_innovations,
    deleted_records,
    duplicate_pairs,
    find,
    near_misses,
    personal_data_keys,
    platform_records,
)
from sample_platforms.referentiel import ACTOR_TYPES, PUBLICS, SCALES, STAGES, SUBTHEMES, THEMES

EXPECTED_LIVE = {"fondation": 115, "reseau": 45, "territoires": 40, "portraits": 72, "laureats": 45, "atlas": 35}


def _by_ref() -> dict[str, catalogue.Innovation]:
    return {f"{p}:{r.key}": r for p in PLATFORMS for r in platform_records(p)}


def test_at_least_320_distinct_innovations_with_unique_keys_and_titles() -> None:
    innovations = all_innovations()
    assert len(innovations) >= 320
    assert len({r.key for r in innovations}) == len(innovations)
    assert len({r.title for r in innovations}) == len(innovations)
    # Each organisation carries one innovation, except the near misses that share one on purpose.
    shared = sum(1 for *_, kind in near_misses() if kind.startswith("same-organisation"))
    assert shared == 8
    assert len({r.organisation for r in innovations}) == len(innovations) - shared
    assert len({r.website for r in innovations}) == len(innovations)


def test_near_misses_look_alike_across_platforms_but_are_not_duplicates() -> None:
    pairs = near_misses()
    assert len(pairs) == 12 and {kind for *_, kind in pairs} == set(NEAR_MISS_KINDS)
    duplicates = {frozenset(p) for p in duplicate_pairs()}
    originals = {f"{p}:{r.key}" for p in PLATFORMS for r in platform_records(p)} - {b for _, b in duplicate_pairs()}
    for a, b, kind in pairs:
        assert frozenset((a, b)) not in duplicates and {a, b} <= originals
        assert a.split(":")[0] != b.split(":")[0]
        first, second = find(*a.split(":", 1)), find(*b.split(":", 1))
        assert first is not None and second is not None and first.title != second.title
        if kind.startswith("same-organisation"):
            assert first.organisation == second.organisation and first.website != second.website
            assert first.commune != second.commune
        else:
            assert first.insee == second.insee and first.organisation != second.organisation


def test_every_record_key_and_title_is_unique_across_platforms() -> None:
    records = [r for p in PLATFORMS for r in platform_records(p)] + deleted_records("fondation")
    assert len({r.key for r in records}) == len(records)
    assert len({r.title for r in records}) == len(records)


def test_counts_per_platform() -> None:
    assert {p: len(platform_records(p)) for p in PLATFORMS} == EXPECTED_LIVE
    assert len(deleted_records("fondation")) == 4
    assert all(r.deleted for r in deleted_records("fondation"))
    assert deleted_records("reseau") == []
    with pytest.raises(KeyError):
        platform_records("inconnue")


def test_all_themes_and_actor_types_are_represented() -> None:
    innovations = all_innovations()
    top = Counter(t for r in innovations for t in r.top_themes)
    assert set(top) == set(THEMES)
    assert min(top.values()) >= 8
    assert {code for r in innovations for code in r.themes} == set(SUBTHEMES)
    assert {r.actor_type for r in innovations} == set(ACTOR_TYPES)


def test_fields_use_referentiel_keys_and_plausible_values() -> None:
    for r in all_innovations():
        assert 1 <= len(r.themes) <= 3 and set(r.themes) <= set(SUBTHEMES)
        assert r.stage in STAGES and r.scale in SCALES and set(r.publics) <= set(PUBLICS)
        assert r.website.startswith("https://") and r.website.endswith(".example.org/")
        assert 2012 <= r.started.year <= 2024
        assert r.updated.tzinfo is not None and r.updated.utcoffset().total_seconds() == 0
        assert re.fullmatch(r"(\d{5}|2[AB]\d{3})", r.insee)
        assert re.fullmatch(r"\d{5}", r.postal_code)
        assert r.tags and r.partners
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", r.description)) <= 5


def test_communes_spread_over_all_regions() -> None:
    innovations = all_innovations()
    assert len({r.insee for r in innovations}) >= 120
    metropolitan = {
        "Auvergne-Rhône-Alpes",
        "Bourgogne-Franche-Comté",
        "Bretagne",
        "Centre-Val de Loire",
        "Corse",
        "Grand Est",
        "Hauts-de-France",
        "Île-de-France",
        "Normandie",
        "Nouvelle-Aquitaine",
        "Occitanie",
        "Pays de la Loire",
        "Provence-Alpes-Côte d'Azur",
    }
    regions = {r.region for r in innovations}
    assert metropolitan <= regions
    assert len(regions - metropolitan) >= 3


def test_plural_and_singular_forms_are_present_for_stemming() -> None:
    text = " ".join(r.title + " " + r.description for r in all_innovations()).lower()
    assert "jardins partagés" in text and "jardin" in re.sub(r"jardins", "", text)


def test_duplicates_are_reworded_but_same_project() -> None:
    pairs = duplicate_pairs()
    assert 25 <= len(pairs) <= 35
    records = _by_ref()
    for original_ref, copy_ref in pairs:
        original, copy = records[original_ref], records[copy_ref]
        assert original_ref.split(":")[0] != copy_ref.split(":")[0]
        assert original.key != copy.key
        assert original.title != copy.title
        assert original.description != copy.description
        assert (original.organisation, original.commune, original.insee, original.website) == (
            copy.organisation,
            copy.commune,
            copy.insee,
            copy.website,
        )
    assert len({ref for pair in pairs for ref in pair}) == 2 * len(pairs)


def test_distinct_innovations_are_the_live_records_minus_copies() -> None:
    total_live = sum(len(platform_records(p)) for p in PLATFORMS)
    assert len(all_innovations()) == total_live - len(duplicate_pairs())


def test_personal_data_is_planted_on_some_portraits_only() -> None:
    portraits = platform_records("portraits")
    keys = personal_data_keys()
    assert 10 <= len(keys) < len(portraits)
    for record in portraits:
        if record.key in keys:
            assert re.search(r"[a-z]+\.[a-z]+@example\.net", record.contact)
            assert re.search(r"0[67]( \d\d){4}", record.contact)
        elif record.contact:
            assert record.contact.startswith("Contact : contact@") and ".example.org" in record.contact
    assert any(not r.contact for r in portraits)
    assert any(r.contact and r.key not in keys for r in portraits)


def test_build_is_deterministic() -> None:
    first = ({p: platform_records(p) for p in PLATFORMS}, duplicate_pairs())
    catalogue._catalogue.cache_clear()
    second = ({p: platform_records(p) for p in PLATFORMS}, duplicate_pairs())
    assert first == second


def _digest_in_subprocess(hash_seed: str) -> str:
    code = (
        "import hashlib; from sample_platforms.catalogue import PLATFORMS, platform_records, duplicate_pairs;"
        "print(hashlib.sha256(repr(([platform_records(p) for p in PLATFORMS], duplicate_pairs())).encode())"
        ".hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_build_is_identical_across_processes() -> None:
    assert _digest_in_subprocess("1") == _digest_in_subprocess("12345")
