"""The class model: look-alike households and dwellings merged, and still exactly the optimum of the rules.

Random tiny instances built to have look-alikes (the same household or dwelling several times), locks,
forbidden pairs, shared dwellings in capped groups, tied and single under-age sharers, solved by
``solve`` and compared with exhaustive enumeration; plus the pieces (classes, network, counts) by hand.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import LONG_AGO, PERIOD, RECENTLY, UTRECHT, dwelling, household, instance, municipality, near, school
from matcher.checker import check_proposal
from matcher.facts import Facts, derive_facts
from matcher.format import DEFAULT_OBJECTIVES, OBJECTIVE_NAMES, SCHOOL_KINDS
from matcher.generator import generate
from matcher.rules import compatible_pairs
from matcher.solver import SolveOptions, solve_proposal
from matcher.solver.class_model import build_class_model, values_of
from matcher.solver.classes import dwelling_classes, household_classes
from matcher.solver.disaggregate import counts, placements
from matcher.solver.evaluate import objective_values
from matcher.solver.greedy import greedy_by_class
from matcher.solver.locks import check_locks
from matcher.solver.network import DIRECT, build_network
from matcher.solver.proposal import build_proposal
from matcher.solver.tiers import TierResult
from matcher.validation import load_instance
from test_solver_bruteforce import _feasible, lexicographic_best

KM_PER_DEGREE = 111.195


def facts_of(data: dict[str, Any]) -> Facts:
    return derive_facts(load_instance(data))


# --- classes, network, counts by hand -------------------------------------------------------------------


def test_look_alike_households_share_a_class_longest_waiting_first_and_locked_ones_stay_alone() -> None:
    data = instance([household("h0", waiting_since=RECENTLY), household("h1", waiting_since="2026-10-01"),
                     household("h2", waiting_since="2026-09-01"), household("h3", ages=[30, 31])],
                    [dwelling("d0"), dwelling("d1")], locks=[{"household": "h2", "dwelling": "d0"}])
    classes = household_classes(facts_of(data))
    members = sorted(m.tolist() for m in classes.members)
    assert members == [[1, 0], [2], [3]]  # h1 waited longer than h0; h2 is locked; h3 is a couple


def test_look_alike_dwellings_share_a_class_and_school_reach_splits_it_into_cells() -> None:
    far = near(4.0)
    data = instance([household("h0", max_rent=650)], [dwelling("d0"), dwelling("d1"), dwelling("d2", location=far),
                                                       dwelling("d3", rent=700)],
                    schools=[school("p0", location=near(-2.0))])
    classes = dwelling_classes(facts_of(data))
    assert sorted(m.tolist() for m in classes.members) == [[0, 1, 2], [3]]
    assert sorted(c.tolist() for c in classes.cells) == [[0, 1], [2], [3]]  # d2 reaches no school
    assert len(dwelling_classes(facts_of(data | {"households": [household("h0")]})).members) == 1  # no rent limit


def test_rent_limits_that_reach_the_same_rents_of_the_dwellings_a_household_fits_share_a_class() -> None:
    """713 and 718 are the same limit when no dwelling a single fits costs 714-718; a family's limit (731)
    does not split the single's dwellings at 720 and 735."""
    data = instance([household("h0", max_rent=713), household("h1", max_rent=718), household("h2", max_rent=760),
                     household("h3", ages=[30, 31, 5, 7], max_rent=731)],
                    [dwelling("d0", rent=700), dwelling("d1", rent=750), dwelling("d2", rent=720),
                     dwelling("d3", rent=735), dwelling("d4", rent=725, bedrooms=3, max_occupants=4)])
    facts = facts_of(data)
    assert sorted(m.tolist() for m in household_classes(facts).members) == [[0, 1], [2], [3]]
    assert sorted(m.tolist() for m in dwelling_classes(facts).members) == [[0], [1, 2, 3], [4]]  # only h2 affords 1-3


@pytest.mark.parametrize(("variety", "seed"), [("standard", 1), ("wide", 1), ("wide", 2)])
def test_classes_merge_only_households_and_dwellings_the_rules_cannot_tell_apart(variety: str, seed: int) -> None:
    facts = facts_of(generate("u16-backlog", seed, variety=variety))
    pairs = compatible_pairs(facts)
    compatible = np.zeros((len(facts.households), len(facts.dwellings)), dtype=np.bool_)
    compatible[pairs.household, pairs.dwelling] = True
    for members in household_classes(facts).members:
        assert (compatible[members] == compatible[members[0]]).all()
    for members in dwelling_classes(facts).members:
        assert (compatible[:, members] == compatible[:, [members[0]]]).all()


def test_tied_households_go_directly_to_their_tie_municipality_and_through_pools_elsewhere() -> None:
    towns = [municipality("GM0001"), municipality("GM0002")]
    data = instance([household("h0", ties=[{"municipality": "GM0002", "kind": "work"}]),
                     household("h1", ties=[{"municipality": "GM0001", "kind": "family", "required": True}])],
                    [dwelling("d0", "GM0001"), dwelling("d1", "GM0002")], municipalities=towns)
    facts = facts_of(data)
    network = build_network(facts, household_classes(facts), dwelling_classes(facts))
    h_class = network.households.of
    direct = [(int(c), int(facts.dwellings.municipality[network.dwellings.members[k][0]]))
              for c, k, p in zip(network.placement_class, network.dwelling_class, network.placement_pool, strict=True)
              if p == DIRECT]
    assert sorted(direct) == sorted([(h_class[0], 1), (h_class[1], 0)])
    assert set(network.entry_class.tolist()) == {h_class[0]}  # the required tie never enters a pool


def test_a_greedy_solution_has_counts_that_give_back_the_same_numbers() -> None:
    data = load_example_instance()
    facts = facts_of(data)
    network = build_network(facts, household_classes(facts), dwelling_classes(facts))
    allocation = build_class_model(facts, network)
    start = greedy_by_class(facts, network, check_locks(facts).placements)
    values = values_of(allocation, start)
    assert values is not None and allocation.linear.satisfied_by(values)
    again = placements(facts, network, counts(facts, network, start))
    assert _same_counts(facts, network, start, again)
    assert objective_values(facts, again) == objective_values(facts, start)


def test_the_class_greedy_serves_the_longest_waiting_first_and_keeps_every_rule() -> None:
    data = instance([household("late", waiting_since=RECENTLY), household("early", waiting_since=LONG_AGO),
                     household("family", ages=[35, 7], waiting_since="2026-02-01")],
                    [dwelling("d0"), dwelling("d1", bedrooms=1, max_occupants=2)],
                    schools=[school("p0", seats=1)])
    facts = facts_of(data)
    network = build_network(facts, household_classes(facts), dwelling_classes(facts))
    solution = greedy_by_class(facts, network, [])
    assert sorted(facts.households.ids[p.household] for p in solution) == ["early", "family"]
    report = check_proposal(load_instance(data), _proposal_of(data, solution))
    assert report.ok, [str(v) for v in report.violations]


def _proposal_of(data: dict[str, Any], solution: Any) -> dict[str, Any]:
    facts = facts_of(data)
    values = objective_values(facts, solution)
    tiers = [TierResult(name, "feasible", values[name], values[name], 0.0, 0.0) for name in DEFAULT_OBJECTIVES]
    return build_proposal(facts, compatible_pairs(facts), solution, tiers, {}).model_dump(mode="json",
                                                                                         exclude_none=True)


def _same_counts(facts: Facts, network: Any, first: Any, second: Any) -> bool:
    a, b = counts(facts, network, first), counts(facts, network, second)
    assert a is not None and b is not None
    return (np.array_equal(a.entry, b.entry) and np.array_equal(a.flow, b.flow)
            and all(np.array_equal(a.school[k], b.school[k]) for k in SCHOOL_KINDS))


def load_example_instance() -> dict[str, Any]:
    from conftest import load_example
    return load_example("u16-week-s1")[0]


# --- the optimum, against enumeration -----------------------------------------------------------------


def _point(draw: st.DrawFn) -> dict[str, float]:
    return {"lat": UTRECHT["lat"] + draw(st.integers(-20, 20)) / 10 / KM_PER_DEGREE, "lon": UTRECHT["lon"]}


@st.composite
def look_alike_instances(draw: st.DrawFn) -> dict[str, Any]:
    """A few record templates, each used one to three times, so that classes have several members."""
    towns = [{"id": f"GM{i}", "name": f"town {i}", "target": draw(st.sampled_from([5, 10, 30])),
              "housed": draw(st.integers(0, 2))} for i in range(draw(st.integers(1, 2)))]
    groups = [{"id": "g0", "units": draw(st.integers(2, 8)), "status_holder_units": draw(st.integers(0, 2))}]
    dwellings = []
    for template in range(draw(st.integers(1, 3))):
        record = {"municipality": draw(st.sampled_from(towns))["id"], "location": _point(draw),
                  "bedrooms": draw(st.integers(0, 2)), "max_occupants": draw(st.integers(2, 5)),
                  "rent": draw(st.sampled_from([500, 500, 700])), "accessible": draw(st.booleans()),
                  "shared_places": draw(st.sampled_from([0, 0, 2])), "groups": draw(st.sampled_from([[], ["g0"]]))}
        for copy in range(draw(st.integers(1, 2))):
            moved = draw(st.booleans())
            dwellings.append(record | {"id": f"d{template}{copy}", "location": _point(draw) if moved else
                                       record["location"]})
    households = []
    for template in range(draw(st.integers(1, 3))):
        ages = [draw(st.sampled_from([30, 45, 45, 16]))] + draw(st.lists(st.integers(0, 14), max_size=2))
        record = {"members": [{"age": a} for a in ages], "expected_members": draw(st.sampled_from([0, 0, 0, 1])),
                  "max_rent": draw(st.sampled_from([None, None, 650])), "shareable": draw(st.booleans()),
                  "needs_accessible": draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
                  "ties": [{"municipality": draw(st.sampled_from(towns))["id"],
                            "kind": draw(st.sampled_from(["work", "family"])),
                            "required": draw(st.booleans())}] if draw(st.booleans()) else []}
        for copy in range(draw(st.integers(1, 3))):
            households.append(record | {"id": f"h{template}{copy}",
                                        "waiting_since": draw(st.sampled_from([LONG_AGO, RECENTLY]))})
    households = households[:5]
    dwellings = dwellings[:4]
    schools = [{"id": f"s{i}", "kind": kind, "location": _point(draw), "seats": draw(st.integers(1, 3))}
               for i, kind in enumerate(draw(st.lists(st.sampled_from(SCHOOL_KINDS), min_size=1, max_size=3)))]
    forbidden = []
    if draw(st.booleans()):
        forbidden.append({"household": draw(st.sampled_from(households))["id"],
                          "dwelling": draw(st.sampled_from(dwellings))["id"]})
    objectives = draw(st.one_of(st.just(list(OBJECTIVE_NAMES)), st.permutations(OBJECTIVE_NAMES).map(list)))
    policy = {"objectives": objectives, "max_school_km": {"primary": 3.0, "secondary": 4.0}}
    data = {"format": "matcher.instance/1", "id": "look-alikes", "period": PERIOD, "policy": policy,
            "municipalities": towns, "dwellings": dwellings, "households": households, "groups": groups,
            "schools": schools, "forbidden": forbidden}
    if draw(st.booleans()):
        data["locks"] = _a_valid_lock(draw, data)
    return data


def _a_valid_lock(draw: st.DrawFn, data: dict[str, Any]) -> list[dict[str, Any]]:
    """One pair of a feasible placement, as a lock (none if nobody can be placed)."""
    facts = facts_of(data)
    options = [(h, choice) for h, choices in enumerate(_options(facts)) for choice in choices if choice is not None]
    usable = [(h, choice) for h, choice in options if _feasible(facts, tuple(choice if i == h else None
                                                                            for i in range(len(facts.households))))]
    if not usable:
        return []
    h, (d, schools) = draw(st.sampled_from(usable))
    lock: dict[str, Any] = {"household": facts.households.ids[h], "dwelling": facts.dwellings.ids[d]}
    if schools and draw(st.booleans()):
        lock["schools"] = {kind: facts.schools.ids[s] for kind, s in schools.items()}
    return [lock]


def _options(facts: Facts) -> list[list[tuple[int, dict[str, int]] | None]]:
    """Every household's choices: nowhere, or a compatible dwelling with one school per kind of child."""
    pairs = compatible_pairs(facts)
    options: list[list[tuple[int, dict[str, int]] | None]] = []
    for h in range(len(facts.households)):
        choices: list[tuple[int, dict[str, int]] | None] = [None]
        kinds = [k for c, k in enumerate(SCHOOL_KINDS) if facts.households.kids[h, c] > 0]
        per_kind = [[s for s in range(len(facts.schools.ids)) if facts.schools.kind[s] == SCHOOL_KINDS.index(k)]
                    for k in kinds]
        for d in pairs.dwelling[pairs.household == h].tolist():
            for combo in itertools.product(*per_kind):
                choices.append((d, dict(zip(kinds, combo, strict=True))))
        options.append(choices)
    return options


def enumerated_optimum(facts: Facts) -> tuple[int, ...]:
    """The lexicographic optimum over every plan that keeps the rules and the locks."""
    options = _options(facts)
    for lock in facts.instance.locks:
        h, d = facts.household_index[lock.household], facts.dwelling_index[lock.dwelling]
        named = {kind: facts.school_index[s] for kind, s in lock.named_schools().items()}
        options[h] = [c for c in options[h] if c is not None and c[0] == d
                      and all(c[1].get(kind) == s for kind, s in named.items())]
    return lexicographic_best(facts, options)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(look_alike_instances())
def test_class_model_reaches_the_enumerated_optimum_with_look_alikes_and_locks(data: dict[str, Any]) -> None:
    loaded = load_instance(data)
    proposal = solve_proposal(loaded, SolveOptions(time_limit=20, workers=1))
    report = check_proposal(loaded, proposal.model_dump(mode="json", exclude_none=True))
    assert report.ok, [str(v) for v in report.violations]
    assert proposal.status == "optimal", proposal.stats["tiers"]
    assert tuple(o.value for o in proposal.objectives) == enumerated_optimum(derive_facts(loaded)), \
        proposal.stats["tiers"]


# --- each constraint family of the class model, alone -----------------------------------------------------


def best_count(data: dict[str, Any], families: list[str], objective: str = "persons_housed") -> tuple[int, Any]:
    """Optimise one objective over a class model holding only the named constraint families."""
    from ortools.sat.python import cp_model

    from matcher.solver import class_model
    facts = facts_of(data)
    allocation = class_model.new_class_model(facts, build_network(facts, household_classes(facts),
                                                                  dwelling_classes(facts)))
    for family in families:
        getattr(class_model, family)(allocation)
    class_model.add_objectives(allocation)
    allocation.model.maximize(allocation.objectives[objective])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(allocation.model) == cp_model.OPTIMAL
    return int(round(solver.objective_value)), class_model.read_solution(allocation, solver)


FLOW = ["add_class_sizes", "add_pool_balance", "add_dwelling_capacity"]


def test_cp_sat_sees_every_row_held_after_its_copy_of_the_model_was_first_made() -> None:
    """CP-SAT's copy of the class model is made from the arrays when first asked for; a tier's held row added
    later must reach it, or CP-SAT would search a larger model than HiGHS and the tiers."""
    from ortools.sat.python import cp_model

    from matcher.solver import class_model
    data = instance([household(f"h{i}") for i in range(3)], [dwelling(f"d{i}") for i in range(5)])
    facts = facts_of(data)
    allocation = build_class_model(facts, build_network(facts, household_classes(facts), dwelling_classes(facts)))
    assert len(allocation.model.proto.constraints) == allocation.linear.rows
    class_model.hold(allocation, "persons_housed", 2, maximise=True, exact=False)
    allocation.model.minimize(allocation.objectives["persons_housed"])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(allocation.model) == cp_model.OPTIMAL
    assert int(round(solver.objective_value)) == 2  # 0 without the held row
    assert len(allocation.model.proto.constraints) == allocation.linear.rows


def test_a_class_places_no_more_households_than_it_has_and_a_dwelling_class_no_more_than_its_places() -> None:
    data = instance([household(f"h{i}") for i in range(3)], [dwelling(f"d{i}") for i in range(5)])
    assert best_count(data, FLOW)[0] == 3
    data = instance([household(f"h{i}") for i in range(5)], [dwelling(f"d{i}") for i in range(3)])
    value, solution = best_count(data, FLOW)
    assert value == 3 and len({p.dwelling for p in solution}) == 3


def test_school_seats_bind_on_counted_families() -> None:
    families = [household(f"h{i}", ages=[35, 6, 8]) for i in range(3)]
    data = instance(families, [dwelling(f"d{i}", bedrooms=2, max_occupants=4) for i in range(3)],
                    schools=[school("p1", seats=5)])
    assert best_count(data, FLOW + ["add_school_choice"])[0] == 9
    value, solution = best_count(data, FLOW + ["add_school_choice", "add_school_seats"])
    assert value == 6 and all(p.schools == {"primary": 0} for p in solution)


def test_group_caps_count_the_dwellings_a_shared_class_needs() -> None:
    group = {"id": "g1", "units": 10, "status_holder_units": 3, "max_share": 0.5}  # 2 dwellings
    sharers = [household(f"h{i}", shareable=True) for i in range(5)]
    shared = [dwelling(f"d{i}", groups=["g1"], shared_places=2, bedrooms=2, max_occupants=2) for i in range(3)]
    data = instance(sharers, shared, groups=[group])
    assert best_count(data, FLOW)[0] == 5
    value, solution = best_count(data, FLOW + ["add_group_caps"])
    assert value == 4 and len({p.dwelling for p in solution}) == 2  # packed two by two


def test_municipality_caps_count_persons_per_class() -> None:
    town = municipality("GM0589", target=10, housed=6)  # floor(11) - 6 = 5 persons
    couples = [household(f"h{i}", ages=[30, 28]) for i in range(3)]
    data = instance(couples, [dwelling(f"d{i}", "GM0589") for i in range(3)], municipalities=[town])
    assert best_count(data, FLOW)[0] == 6
    assert best_count(data, FLOW + ["add_municipality_caps"])[0] == 4


def test_previous_pairs_split_no_class_and_each_keep_arc_is_bounded_by_its_members() -> None:
    # three look-alike singles; h0 and h1 were proposed dwellings of the near cell, h2 one of the far cell
    dwellings = [dwelling(f"n{i}") for i in range(3)] + [dwelling("f0", location=near(20))]
    schools = [school("s0", location=near(0))]
    previous = [{"household": "h0", "dwelling": "n0"}, {"household": "h1", "dwelling": "n1"},
                {"household": "h2", "dwelling": "f0"}]
    data = instance([household(f"h{i}") for i in range(3)], dwellings, schools=schools, previous=previous,
                    policy={"objectives": ["kept_previous", "persons_housed"]})
    facts = facts_of(data)
    households, dwelling_groups = household_classes(facts), dwelling_classes(facts)
    assert len(households) == 1 and len(dwelling_groups.cells) == 2
    network = build_network(facts, households, dwelling_groups)
    keeps = np.flatnonzero(network.keeps)
    cells = dwelling_groups.cell_of
    assert sorted(zip(network.cell[keeps].tolist(), network.keep_limit[keeps].tolist(), strict=True)) == sorted(
        [(int(cells[0]), 2), (int(cells[3]), 1)])
    proposal = solve_proposal(load_instance(data), SolveOptions(time_limit=10, workers=1))
    assert {(a.household, a.dwelling) for a in proposal.assignments} == {("h0", "n0"), ("h1", "n1"), ("h2", "f0")}
