"""The instance generator: deterministic, valid, realistic, and with every capacity rule binding somewhere."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.cli import generate as generate_command
from matcher.facts import Facts, derive_facts, floor_share, haversine_km
from matcher.format import Instance
from matcher.generator import (
    NATIONAL_POPULATION,
    NATIONAL_TARGET_RANGE,
    PRESETS,
    RENT_LIMIT_LARGE,
    RENT_LIMIT_SMALL,
    generate,
    instance_json,
)
from matcher.regions import netherlands, on_land, u16
from matcher.rules import broken_rules
from matcher.validation import load_instance

REPO = Path(__file__).resolve().parents[1]
COMMITTED = {"tiny": REPO / "instances" / "tiny.json", "u16-week": REPO / "instances" / "u16-week.json",
             "u16-backlog": REPO / "instances" / "u16-backlog.json"}
ALL_PRESETS = ["tiny", "u16-week", "u16-backlog", "nl-backlog"]
REGIONAL = ["u16-week", "u16-backlog", "nl-backlog"]  # large enough for every rule to bind
FARTHEST_DWELLING_KM = 20.0


@cache
def generated(preset: str, seed: int = 1) -> tuple[dict[str, Any], Instance, Facts]:
    document = generate(preset, seed)
    instance = load_instance(document)
    return document, instance, derive_facts(instance)


# --- determinism ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["tiny", "u16-week", "u16-backlog"])
def test_same_arguments_give_identical_json(preset: str) -> None:
    assert instance_json(generate(preset, 7)) == instance_json(generate(preset, 7))


@pytest.mark.parametrize("preset", ["tiny", "u16-week", "u16-backlog"])
def test_another_seed_gives_another_instance(preset: str) -> None:
    first, second = generate(preset, 1), generate(preset, 2)
    assert first["households"] != second["households"]
    assert first["dwellings"] != second["dwellings"]


def test_output_does_not_depend_on_hash_seed_or_process() -> None:
    code = "import sys; from matcher.generator import generate, instance_json; " \
           "sys.stdout.write(instance_json(generate('u16-week', 5)))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout == instance_json(generate("u16-week", 5))


@pytest.mark.parametrize("preset", sorted(COMMITTED))
def test_committed_instances_are_the_generators_output(preset: str) -> None:
    assert COMMITTED[preset].read_text(encoding="utf-8") == instance_json(generate(preset, 1))


def test_instance_json_is_the_document() -> None:
    document = generate("tiny", 3)
    assert json.loads(instance_json(document)) == document


# --- validity and sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_sizes_follow_the_preset(preset: str) -> None:
    document, instance, _ = generated(preset)
    spec = PRESETS[preset]
    assert len(instance.households) == spec.households
    assert len(instance.dwellings) == spec.dwellings
    assert len(instance.municipalities) == {"tiny": 2, "u16-week": 16, "u16-backlog": 16, "nl-backlog": 342}[preset]
    kinds = Counter(school.kind for school in instance.schools)
    assert kinds == {"primary": spec.primary_schools, "secondary": spec.secondary_schools}
    assert len(instance.locks) == spec.locks and len(instance.forbidden) == spec.forbidden
    assert instance.id == f"{preset}-s1"
    assert document["generator"] == {"preset": preset, "seed": 1, "households": spec.households,
                                     "dwellings": spec.dwellings}


def test_u16_week_matches_its_description() -> None:
    _, instance, _ = generated("u16-week")
    assert (len(instance.households), len(instance.dwellings), len(instance.schools)) == (40, 35, 18)
    assert (len(instance.locks), len(instance.forbidden)) == (1, 1)
    assert [m.id for m in instance.municipalities] == u16().codes


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_period_is_a_monday_to_sunday_week(preset: str) -> None:
    _, instance, _ = generated(preset)
    assert instance.period.start.weekday() == 0
    assert instance.period.end - instance.period.start == dt.timedelta(days=6)


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_most_households_are_single(preset: str) -> None:
    _, instance, _ = generated(preset)
    singles = sum(h.size == 1 for h in instance.households)
    assert 0.70 <= singles / len(instance.households) <= 0.85


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_waiting_times_are_1_to_40_weeks_and_some_are_overdue(preset: str) -> None:
    _, _, facts = generated(preset)
    weeks = facts.households.waiting_days / 7
    assert weeks.min() >= 1 and weeks.max() <= 40
    assert facts.households.overdue.any() and not facts.households.overdue.all()


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_special_needs_and_late_arrivals_occur(preset: str) -> None:
    _, instance, facts = generated(preset)
    assert facts.households.needs_accessible.any()
    assert (facts.dwellings.accessible & facts.dwellings.available & ~facts.dwellings.shared).any()
    assert not facts.households.available.all() and facts.households.available.any()
    assert not facts.dwellings.available.all()
    assert any(h.max_rent is None for h in instance.households)
    assert any(h.ties for h in instance.households)
    assert facts.dwellings.shared.any()


@pytest.mark.parametrize("preset", REGIONAL)
def test_households_are_a_realistic_mix(preset: str) -> None:
    _, instance, facts = generated(preset)
    n = len(instance.households)
    limits = Counter(h.max_rent for h in instance.households)
    assert limits[RENT_LIMIT_SMALL] + limits[RENT_LIMIT_LARGE] >= 0.7 * n
    assert 0.02 <= facts.households.needs_accessible.mean() <= 0.10
    assert 0.10 <= np.mean([bool(h.ties) for h in instance.households]) <= 0.30
    assert any(t.required for h in instance.households for t in h.ties)
    assert any(h.expected_members > 0 for h in instance.households)
    assert any(h.shareable for h in instance.households)
    assert facts.households.size.max() >= 6 and facts.households.final_size.max() <= 8
    with_both_kinds = (facts.households.kids > 0).all(axis=1)
    assert with_both_kinds.any()
    child_ages = {m.age for h in instance.households if h.size > 1 for m in h.members if m.age < 18}
    assert child_ages & set(range(0, 4)) and child_ages & set(range(4, 12)) and child_ages & set(range(12, 18))


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_dwellings_are_consistent_and_near_their_municipality(preset: str) -> None:
    _, instance, facts = generated(preset)
    d = facts.dwellings
    own = ~d.shared
    assert np.all(d.max_occupants[own] <= 2 * np.maximum(1, d.bedrooms[own]))
    assert np.all(d.bedrooms[own] <= 4)
    assert np.all((d.shared_places[d.shared] >= 2) & (d.shared_places[d.shared] <= 5))
    assert np.all((d.rent[own] >= 450) & (d.rent[own] <= 900))
    assert np.all((d.rent >= 375) & (d.rent <= 900))
    centre_lat = np.array([m_lat for m_lat in _centroids(instance)[0]])[d.municipality]
    centre_lon = np.array(_centroids(instance)[1])[d.municipality]
    assert haversine_km(d.lat, d.lon, centre_lat, centre_lon).max() <= FARTHEST_DWELLING_KM


def _centroids(instance: Instance) -> tuple[list[float], list[float]]:
    region = netherlands() if len(instance.municipalities) > len(u16()) else u16()
    where = {code: i for i, code in enumerate(region.codes)}
    rows = [where[m.id] for m in instance.municipalities]
    return region.lat[rows].tolist(), region.lon[rows].tolist()


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_targets_follow_population_and_housed_is_part_way(preset: str) -> None:
    _, instance, _ = generated(preset)
    region = netherlands() if preset == "nl-backlog" else u16()
    population = dict(zip(region.codes, region.population.tolist(), strict=True))
    low, high = (share / NATIONAL_POPULATION for share in NATIONAL_TARGET_RANGE)
    for m in instance.municipalities:
        assert low * population[m.id] - 1 <= m.target <= high * population[m.id] + 1
        assert 0 <= m.housed <= floor_share(m.target * 1.1)
    assert sum(m.housed for m in instance.municipalities) < sum(m.target for m in instance.municipalities)


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_schools_of_both_kinds_have_few_seats(preset: str) -> None:
    _, _, facts = generated(preset)
    for column in range(2):
        of_kind = facts.schools.kind == column
        assert of_kind.any()
        assert facts.schools.seats[of_kind].sum() <= max(1, facts.households.kids[:, column].sum())


# --- every capacity rule binds somewhere ---------------------------------------------------------------


@pytest.mark.parametrize("preset", REGIONAL)
def test_every_capacity_rule_binds_somewhere(preset: str) -> None:
    assert_every_capacity_binds(generated(preset)[2])


def assert_every_capacity_binds(facts: Facts) -> None:
    """Each capacity rule has more demand than room somewhere (school seats: when two or more children need one)."""
    d, h = facts.dwellings, facts.households
    persons = np.where(d.shared, d.shared_places, d.max_occupants)
    offered = np.bincount(d.municipality[d.available], weights=persons[d.available],
                          minlength=len(facts.municipalities.ids))
    assert (facts.municipalities.cap < offered).any(), "no municipality cap binds"
    available_members = np.array([d.available[members].sum() for members in facts.groups.dwellings])
    assert (facts.groups.cap < available_members).any(), "no group cap binds"
    for column in range(2):
        children = h.kids[h.available, column].sum()
        assert facts.schools.seats[facts.schools.kind == column].sum() < children or children < 2
    assert d.shared_places[d.shared & d.available].sum() < (h.sharer & h.available).sum()


def test_tiny_has_a_group_whose_cap_binds() -> None:
    _, _, facts = generated("tiny")
    available_members = np.array([facts.dwellings.available[m].sum() for m in facts.groups.dwellings])
    assert (facts.groups.cap < available_members).any()


@pytest.mark.parametrize("preset", ["u16-week", "u16-backlog"])
def test_locks_are_compatible_and_keep_every_capacity_together(preset: str) -> None:
    _, instance, facts = generated(preset)
    assert instance.locks
    persons = Counter[int]()
    dwellings_used = Counter[int]()
    for lock in instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        assert broken_rules(facts, h, d) == []
        assert not facts.households.kids[h].any() or lock.named_schools()
        persons[int(facts.dwellings.municipality[d])] += int(facts.households.size[h])
        dwellings_used[d] += 1
    for m, placed in persons.items():
        assert placed <= facts.municipalities.cap[m]
    for d, households in dwellings_used.items():
        assert households <= facts.dwellings.households_capacity[d]
    for g, cap in enumerate(facts.groups.cap):
        assert sum(1 for d in dwellings_used if g in facts.dwellings.groups[d]) <= cap


@pytest.mark.parametrize("preset", ["tiny", "u16-week", "u16-backlog"])
def test_forbidden_pairs_would_otherwise_be_compatible(preset: str) -> None:
    _, instance, facts = generated(preset)
    locked = {lock.household for lock in instance.locks}
    assert instance.forbidden
    for pair in instance.forbidden:
        assert pair.household not in locked and pair.reason
        rules = broken_rules(facts, facts.household_index[pair.household], facts.dwelling_index[pair.dwelling])
        assert [rule.rule for rule in rules] == [6]


@pytest.mark.parametrize("seed", range(2, 8))
def test_u16_week_is_valid_and_binding_for_other_seeds(seed: int) -> None:
    _, instance, facts = generated("u16-week", seed)
    assert_every_capacity_binds(facts)
    assert len(instance.locks) == 1
    lock = instance.locks[0]
    assert broken_rules(facts, facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]) == []


# --- resizing and arguments ----------------------------------------------------------------------------


def test_households_resize_any_preset_and_dwellings_follow() -> None:
    document = generate("u16-backlog", 3, households=100)
    assert (len(document["households"]), len(document["dwellings"])) == (100, 75)
    assert document["id"] == "u16-backlog-s3-h100"
    load_instance(document)
    resized = generate("nl-backlog", 2, households=1000, dwellings=600)
    assert (len(resized["households"]), len(resized["dwellings"])) == (1000, 600)
    assert len(resized["municipalities"]) == 342


def test_resizing_households_keeps_the_period_and_targets() -> None:
    original, resized = generate("u16-week", 4), generate("u16-week", 4, households=80)
    assert original["period"] == resized["period"]
    assert [m["target"] for m in original["municipalities"]] == [m["target"] for m in resized["municipalities"]]


@pytest.mark.parametrize(("arguments", "named"), [
    ({"preset": "huge", "seed": 1}, "preset"),
    ({"preset": "tiny", "seed": -1}, "seed"),
    ({"preset": "tiny", "seed": 1, "households": 0}, "households"),
    ({"preset": "tiny", "seed": 1, "dwellings": 2_000_000}, "dwellings"),
    ({"preset": "tiny", "seed": 1, "variety": "chaotic"}, "variety"),
])
def test_bad_arguments_are_named(arguments: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        generate(**arguments)


# --- the synthetic Netherlands -------------------------------------------------------------------------


def test_synthetic_netherlands_is_plausible_and_fixed() -> None:
    region = netherlands()
    assert len(region) == 342 and region.population.sum() == 18_000_000
    assert region.codes[0] == "GM0001" and len(set(region.codes)) == len(set(region.names)) == 342
    assert on_land(region.lon, region.lat).sum() >= 340
    assert region.population.max() > 20 * np.median(region.population)
    assert not on_land(np.array([4.0]), np.array([53.0]))[0]  # the North Sea
    assert not on_land(np.array([5.35]), np.array([52.8]))[0]  # the IJsselmeer


# --- the command ---------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """``matcher generate ...`` through this command's own parser, independent of the other commands."""
    parser = argparse.ArgumentParser(prog="matcher")
    generate_command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_writes_a_file_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "tiny.json"
    assert main(["generate", "--preset", "tiny", "--seed", "9", "-o", str(target)]) == 0
    instance = load_instance(target)
    assert instance.id == "tiny-s9"
    assert target.read_text(encoding="utf-8") == instance_json(generate("tiny", 9))


def test_cli_writes_to_stdout_and_resizes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--preset", "u16-week", "--seed", "2", "--households", "12", "--dwellings", "9"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (len(document["households"]), len(document["dwellings"])) == (12, 9)


def test_cli_rejects_bad_sizes_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["generate", "--preset", "tiny", "--seed", "1", "--households", "many"])
    assert stopped.value.code == 2
    assert "--households: must be a whole number" in capsys.readouterr().err


def test_cli_reports_an_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--preset", "tiny", "--seed", "1", "-o", str(tmp_path / "missing" / "x.json")]) == 1
    assert "cannot write" in capsys.readouterr().err


# --- variety -------------------------------------------------------------------------------------------


@cache
def wide(preset: str = "u16-backlog", seed: int = 1) -> tuple[dict[str, Any], Instance, Facts]:
    document = generate(preset, seed, variety="wide")
    instance = load_instance(document)
    return document, instance, derive_facts(instance)


def test_wide_lists_are_deterministic_and_named_by_their_recipe() -> None:
    document = wide()[0]
    assert instance_json(document) == instance_json(generate("u16-backlog", 1, variety="wide"))
    assert document["id"] == "u16-backlog-wide-s1"
    assert document["generator"]["variety"] == "wide"
    assert "variety" not in generate("tiny", 1)["generator"]  # standard documents stay as they were


def test_wide_lists_keep_the_region_sizes_and_period_of_the_standard_ones() -> None:
    standard, varied = generate("u16-backlog", 2), generate("u16-backlog", 2, variety="wide")
    assert standard["period"] == varied["period"]
    assert len(standard["households"]) == len(varied["households"])
    assert [m["target"] for m in standard["municipalities"]] == [m["target"] for m in varied["municipalities"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wide_lists_are_more_varied_on_every_knob(seed: int) -> None:
    _, plain, plain_facts = generated("u16-backlog", seed)
    _, broad, broad_facts = wide(seed=seed)

    def more(measure: Callable[[Instance], int], factor: float = 1.0) -> bool:
        return measure(broad) > factor * measure(plain)

    assert more(lambda i: len({h.max_rent for h in i.households}), factor=3)
    assert more(lambda i: len({d.rent for d in i.dwellings}))
    assert more(lambda i: len({h.waiting_since for h in i.households}))
    assert more(lambda i: sum(bool(h.ties) for h in i.households))
    assert more(lambda i: sum(h.expected_members > 0 for h in i.households))
    assert more(lambda i: len({(d.bedrooms, d.max_occupants) for d in i.dwellings}))
    assert more(lambda i: sum(bool(d.groups) for d in i.dwellings))
    assert broad_facts.households.waiting_days.max() > 40 * 7 >= plain_facts.households.waiting_days.max()


@pytest.mark.parametrize("seed", [1, 2])
def test_wide_lists_are_valid_and_every_capacity_binds(seed: int) -> None:
    _, instance, facts = wide(seed=seed)
    assert_every_capacity_binds(facts)
    assert instance.locks and instance.forbidden
    for lock in instance.locks:
        assert broken_rules(facts, facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]) == []


def test_young_singles_get_the_lower_rent_limit_in_wide_lists() -> None:
    _, instance, _ = wide()
    young = [h for h in instance.households if h.size == 1 and h.expected_members == 0 and h.members[0].age < 23]
    assert young and any(h.max_rent is not None and h.max_rent < RENT_LIMIT_SMALL for h in young)


def test_cli_writes_a_wide_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--preset", "u16-week", "--seed", "2", "--variety", "wide"]) == 0
    assert json.loads(capsys.readouterr().out) == generate("u16-week", 2, variety="wide")
