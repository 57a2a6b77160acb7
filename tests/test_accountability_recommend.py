"""Recommended fit against exhaustive enumeration: on tiny instances every feasible proposal is listed, so the
best proposal containing each pair, and the least change reaching it, are known exactly."""

from __future__ import annotations

import argparse
import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest

from builders import LONG_AGO, RECENTLY, UTRECHT, dwelling, household, instance, near
from matcher.accountability.baseline import Baseline, QuestionInvalid, load_baseline
from matcher.accountability.forcing import Forced
from matcher.accountability.recommend import recommend_dwellings, recommend_households
from matcher.checker import hard_rule_violations, recompute_objectives
from matcher.cli import recommend as recommend_cli
from matcher.format import MAXIMISED_OBJECTIVES, SCHOOL_KINDS, Assignment
from matcher.solution import Placement
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance

FAST = SolveOptions(time_limit=5.0, workers=1, deterministic=True)
QUESTION = SolveOptions(time_limit=40.0, workers=1, deterministic=True)  # one recommend's whole budget, shared by
# up to four pairs and two passes (deterministic time: the tiny models are done in milliseconds either way)
SEEDS = range(6)
Vector = tuple[int, ...]


def tiny(seed: int) -> dict[str, Any]:
    """A random instance small enough to enumerate: caps, a group, a school and sharers all appear."""
    rng = random.Random(seed)
    towns = [{"id": f"GM{i}", "name": f"town {i}", "target": rng.randint(4, 9), "housed": rng.randint(0, 2)}
             for i in range(rng.randint(1, 2))]
    dwellings = [dwelling(f"d{i}", municipality=rng.choice(towns)["id"], bedrooms=rng.randint(0, 2),
                          max_occupants=rng.randint(2, 5), rent=rng.choice([500, 500, 700]),
                          location=near(rng.uniform(-4, 4)), accessible=rng.random() < 0.5,
                          shared_places=rng.choice([0, 0, 0, 2]), groups=rng.choice([[], ["g0"]]))
                 for i in range(rng.randint(3, 4))]
    households = []
    for i in range(4):
        ages = [rng.randint(18, 60)] + rng.sample([3, 7, 30, 40], rng.randint(0, 2))
        households.append(household(
            f"h{i}", ages=ages, waiting_since=rng.choice([LONG_AGO, RECENTLY]), shareable=rng.random() < 0.5,
            max_rent=rng.choice([None, None, 650]), needs_accessible=rng.random() < 0.1,
            ties=[{"municipality": rng.choice(towns)["id"], "kind": "work"}] if rng.random() < 0.4 else []))
    schools = [{"id": "s0", "kind": "primary", "location": near(rng.uniform(-3, 3)), "seats": rng.randint(1, 2)}]
    groups = [{"id": "g0", "units": 4, "status_holder_units": rng.randint(0, 1)}]
    return instance(households, dwellings, towns, schools=schools, groups=groups)


# --- exhaustive enumeration ------------------------------------------------------------------------------------


def feasible_solutions(base: Baseline) -> list[list[Placement]]:
    """Every feasible set of placements, judged by the independent checker."""
    facts = base.facts
    per_household = []
    for h in range(len(facts.households)):
        kinds = [kind for column, kind in enumerate(SCHOOL_KINDS) if facts.households.kids[h, column] > 0]
        schools = [[s for s, record in enumerate(facts.instance.schools) if record.kind == kind] for kind in kinds]
        options: list[Placement | None] = [None]
        for d in range(len(facts.dwellings)):
            for choice in itertools.product(*schools):
                options.append(Placement(h, d, dict(zip(kinds, choice, strict=True))))
        per_household.append(options)
    found = []
    for combination in itertools.product(*per_household):
        placements = [p for p in combination if p is not None]
        assignments = [Assignment(household=facts.households.ids[p.household], dwelling=facts.dwellings.ids[p.dwelling],
                                  schools={k: facts.schools.ids[s] for k, s in p.schools.items()}) for p in placements]
        if not hard_rule_violations(facts, assignments):
            found.append(placements)
    return found


def key(base: Baseline, values: dict[str, int]) -> Vector:
    return tuple(-values[n] if n in MAXIMISED_OBJECTIVES else values[n] for n in base.objectives)


def changes(base: Baseline, household: int, placements: list[Placement]) -> tuple[int, int]:
    """(lost places, moves) of the households other than the forced one, against the baseline."""
    before = {p.household: p.dwelling for p in base.solution if p.household != household}
    after = {p.household: p.dwelling for p in placements}
    lost = sum(1 for h in before if h not in after)
    return lost, sum(1 for h, d in before.items() if h in after and after[h] != d)


def best_containing(base: Baseline, solutions: list[list[Placement]], household: int,
                    dwelling: int) -> tuple[Vector, tuple[int, int]] | None:
    """The best objective vector of the proposals containing the pair, and the least change reaching it."""
    containing = [s for s in solutions if any(p.household == household and p.dwelling == dwelling for p in s)]
    if not containing:
        return None
    best = min(key(base, recompute_objectives(base.facts, s)) for s in containing)
    least = min(changes(base, household, s) for s in containing
                if key(base, recompute_objectives(base.facts, s)) == best)
    return best, least


def solved_baseline(document: dict[str, Any]) -> Baseline:
    inst = load_instance(document)
    return load_baseline(inst, solve_proposal(inst, FAST))


def assert_ranked(base: Baseline, options: list[Forced]) -> None:
    keys = [(key(base, option.values), len(option.lost), len(option.moved)) for option in options]
    assert keys == sorted(keys)


# --- the tests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_best_dwellings_for_every_household_match_enumeration(seed: int) -> None:
    base = solved_baseline(tiny(seed))
    solutions = feasible_solutions(base)
    facts = base.facts
    for h in range(len(facts.households)):
        result = recommend_dwellings(base, facts.households.ids[h], top=len(facts.dwellings), options=QUESTION)
        expected = {d: best_containing(base, solutions, h, d) for d in range(len(facts.dwellings))}
        possible = {facts.dwellings.ids[d] for d, best in expected.items() if best is not None}
        assert {option.dwelling for option in result.options} == possible
        assert {pair.dwelling for pair in result.blocked} == set(facts.dwellings.ids) - possible
        for option in result.options:
            assert option.proven
            vector, least = expected[facts.dwelling_index[option.dwelling]]  # type: ignore[misc]
            assert key(base, option.values) == vector, (h, option.dwelling)
            assert (len(option.lost), len(option.moved)) == least, (h, option.dwelling)
        assert_ranked(base, result.options)


@pytest.mark.parametrize("seed", SEEDS)
def test_best_households_for_a_dwelling_match_enumeration(seed: int) -> None:
    base = solved_baseline(tiny(seed))
    solutions = feasible_solutions(base)
    facts = base.facts
    dwelling = seed % len(facts.dwellings)
    result = recommend_households(base, facts.dwellings.ids[dwelling], top=2, options=QUESTION)
    expected = {h: best_containing(base, solutions, h, dwelling) for h in range(len(facts.households))}
    possible = sorted((best[0], best[1][0], best[1][1]) for best in expected.values() if best is not None)
    assert result.considered == len(possible)
    assert [(key(base, o.values), len(o.lost), len(o.moved)) for o in result.options] == possible[:2]


def test_the_current_dwelling_of_an_optimal_proposal_ranks_first() -> None:
    base = solved_baseline(tiny(3))
    placed = base.solution[0]
    result = recommend_dwellings(base, base.facts.households.ids[placed.household], options=QUESTION)
    first = result.options[0]
    assert first.dwelling == base.facts.dwellings.ids[placed.dwelling] and first.unchanged
    assert result.current == [first.dwelling]


def test_a_known_case_in_words() -> None:
    """One dwelling fits a family best; forcing a single there moves the family to the worse fit."""
    doc = instance([household("fam", ages=[30, 31, 5], waiting_since=LONG_AGO), household("one")],
                   [dwelling("big", bedrooms=2, max_occupants=4), dwelling("small", bedrooms=1, max_occupants=3)],
                   schools=[{"id": "s0", "kind": "primary", "location": UTRECHT, "seats": 5}])
    base = solved_baseline(doc)
    assert {(p.household, p.dwelling) for p in base.solution} == {(0, 0), (1, 1)}
    result = recommend_dwellings(base, "one", options=QUESTION)
    assert [option.dwelling for option in result.options] == ["small", "big"]
    assert result.options[1].moved[0].household == "fam" and result.options[1].moved[0].after == "small"
    assert [c.worse_by for c in result.options[1].changes] == [0, 0, 0, 10]  # one unused bedroom, 10 points


def test_top_must_be_positive() -> None:
    with pytest.raises(QuestionInvalid, match="top must be at least 1"):
        recommend_dwellings(solved_baseline(tiny(0)), "h0", top=0)


# --- command line --------------------------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="matcher")
    recommend_cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["recommend", *argv])
    return int(args.func(args))


def test_cli_lists_alternatives_in_words_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = tiny(1)
    base = solved_baseline(document)
    (tmp_path / "i.json").write_text(json.dumps(document))
    (tmp_path / "p.json").write_text(base.proposal.to_json())
    paths = str(tmp_path / "i.json"), str(tmp_path / "p.json")
    fast = ("--time-limit", "5", "--workers", "1", "--deterministic")
    assert run_cli(*paths, "--household", "h1", "--language", "en", *fast) == 0
    out = capsys.readouterr().out
    assert out.startswith("Best dwellings for h1") and "  1. d" in out and "changes:" in out
    assert "The order is proven" in out  # a deterministic re-solve of every pair of a tiny instance proves all
    assert run_cli(*paths, "--household", "h1", *fast) == 0  # Dutch by default
    out = capsys.readouterr().out
    assert out.startswith("Beste woningen voor h1") and "  1. d" in out and "wijzigingen:" in out
    assert run_cli(*paths, "--dwelling", "d0", "--top", "1", "--json", *fast) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["subject"] == "dwelling" and len(answer["options"]) <= 1
    assert answer["statements"][0]["code"] == "best_households" and answer["answer"][0].startswith("Beste huishoudens")
    assert run_cli(*paths, "--household", "h1", "--time-limit", "0") == 2
    assert run_cli(*paths, "--dwelling", "nowhere", *fast) == 2
    assert 'dwelling "nowhere" is not in instance test' in capsys.readouterr().err
