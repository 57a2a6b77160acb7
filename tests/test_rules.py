"""Compatibility rules 1-6: a hand-made case on each side of every rule, and a property test holding the
vectorised ``compatible_pairs`` to the scalar ``broken_rules`` on random instances, whatever the chunking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.rules
from conftest import EXAMPLES
from matcher.facts import Facts, derive_facts
from matcher.rules import RULE_STEPS, Pairs, broken_rules, compatible_counts, compatible_pairs
from matcher.validation import load_instance

PERIOD = {"start": "2026-11-09", "end": "2026-11-15"}


def document(households: list[dict[str, Any]], dwellings: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "format": "matcher.instance/1",
        "id": "rules",
        "period": PERIOD,
        "municipalities": [{"id": "GM0001", "target": 10, "housed": 0}, {"id": "GM0002", "target": 10, "housed": 0}],
        "dwellings": dwellings,
        "households": households,
        **extra,
    }


def one_pair(household: dict[str, Any], dwelling: dict[str, Any], **extra: Any) -> tuple[bool, list[int]]:
    """Whether the only pair is compatible, and the rule numbers ``broken_rules`` gives; the two views must agree."""
    household = {"id": "h", "members": [{"age": 30}], "waiting_since": "2026-05-01", **household}
    dwelling = {"id": "d", "municipality": "GM0001", "location": {"lat": 52.1, "lon": 5.1}, "bedrooms": 1,
                "max_occupants": 2, "rent": 600, **dwelling}
    facts = derive_facts(load_instance(document([household], [dwelling], **extra)))
    compatible = len(compatible_pairs(facts)) == 1
    rules = [broken.rule for broken in broken_rules(facts, 0, 0)]
    assert compatible == (rules == []), rules
    return compatible, rules


def adults(count: int) -> list[dict[str, int]]:
    return [{"age": 30}] * count


def test_the_base_pair_is_compatible() -> None:
    assert one_pair({}, {}) == (True, [])


# --- rule 1: availability within the period -----------------------------------------------------------------


@pytest.mark.parametrize(("available_from", "compatible"), [("2026-11-15", True), ("2026-11-16", False),
                                                            ("2026-01-01", True)])
def test_rule_1_dwelling_available_by_period_end(available_from: str, compatible: bool) -> None:
    assert one_pair({}, {"available_from": available_from}) == (compatible, [] if compatible else [1])


@pytest.mark.parametrize(("available_from", "compatible"), [("2026-11-15", True), ("2026-11-16", False)])
def test_rule_1_household_available_by_period_end(available_from: str, compatible: bool) -> None:
    assert one_pair({"available_from": available_from}, {}) == (compatible, [] if compatible else [1])


def test_rule_1_reports_both_sides() -> None:
    _, rules = one_pair({"available_from": "2026-12-01"}, {"available_from": "2026-12-01"})
    assert rules == [1, 1]


# --- rule 2: size ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("household", "compatible"), [
    ({"shareable": True}, True),
    ({"shareable": False}, False),
    ({"shareable": True, "expected_members": 1}, False),
    ({"shareable": True, "members": adults(2)}, False),
])
def test_rule_2_shared_dwelling_takes_single_willing_sharers_only(household: dict[str, Any], compatible: bool) -> None:
    shared = {"shared_places": 3, "bedrooms": 3, "max_occupants": 3}
    assert one_pair(household, shared) == (compatible, [] if compatible else [2])


def test_rule_2_shared_dwelling_ignores_bedrooms_and_max_occupants() -> None:
    assert one_pair({"shareable": True}, {"shared_places": 2, "bedrooms": 8, "max_occupants": 1}) == (True, [])


@pytest.mark.parametrize(("household", "max_occupants", "compatible"), [
    ({"members": adults(2)}, 2, True),
    ({"members": adults(3)}, 2, False),
    ({"members": adults(1), "expected_members": 1}, 2, True),
    ({"members": adults(1), "expected_members": 2}, 2, False),  # expected members must fit
])
def test_rule_2_final_size_fits_max_occupants(household: dict[str, Any], max_occupants: int, compatible: bool) -> None:
    assert one_pair(household, {"max_occupants": max_occupants, "bedrooms": 1}) == (compatible,
                                                                                    [] if compatible else [2])


@pytest.mark.parametrize(("bedrooms", "max_extra", "compatible"), [(2, 1, True), (3, 1, False), (3, 2, True),
                                                                  (1, 0, True), (2, 0, False), (0, 0, True)])
def test_rule_2_bedrooms_at_most_need_plus_extra(bedrooms: int, max_extra: int, compatible: bool) -> None:
    # a couple needs one bedroom
    result = one_pair({"members": adults(2)}, {"bedrooms": bedrooms, "max_occupants": 4},
                      policy={"max_extra_bedrooms": max_extra})
    assert result == (compatible, [] if compatible else [2])


def test_rule_2_need_counts_expected_members() -> None:
    # final size 5 needs 3 bedrooms; 4 bedrooms is within one extra, 5 is not
    reunion = {"members": adults(2), "expected_members": 3}
    assert one_pair(reunion, {"bedrooms": 4, "max_occupants": 6}) == (True, [])
    assert one_pair(reunion, {"bedrooms": 5, "max_occupants": 6}) == (False, [2])


def test_rule_2_family_does_not_take_a_shared_place() -> None:
    assert one_pair({"members": adults(2), "shareable": True}, {"shared_places": 4, "max_occupants": 4}) == (False, [2])


# --- rules 3-6 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("max_rent", "compatible"), [(600, True), (599.99, False), (None, True), (0, False)])
def test_rule_3_rent_within_max_rent(max_rent: float | None, compatible: bool) -> None:
    assert one_pair({"max_rent": max_rent}, {"rent": 600}) == (compatible, [] if compatible else [3])


@pytest.mark.parametrize(("needs", "accessible", "compatible"), [(True, True, True), (True, False, False),
                                                                 (False, False, True), (False, True, True)])
def test_rule_4_step_free_need(needs: bool, accessible: bool, compatible: bool) -> None:
    result = one_pair({"needs_accessible": needs}, {"accessible": accessible})
    assert result == (compatible, [] if compatible else [4])


@pytest.mark.parametrize(("ties", "compatible"), [
    ([], True),
    ([{"municipality": "GM0002", "kind": "work"}], True),  # a tie that is not required does not restrict
    ([{"municipality": "GM0002", "kind": "work", "required": True}], False),
    ([{"municipality": "GM0001", "kind": "care", "required": True}], True),
    ([{"municipality": "GM0002", "kind": "work", "required": True},
      {"municipality": "GM0001", "kind": "family", "required": True}], True),  # any required municipality will do
    ([{"municipality": "GM0002", "kind": "work", "required": True},
      {"municipality": "GM0001", "kind": "family"}], False),  # the tie to GM0001 is not required
])
def test_rule_5_required_ties(ties: list[dict[str, Any]], compatible: bool) -> None:
    assert one_pair({"ties": ties}, {"municipality": "GM0001"}) == (compatible, [] if compatible else [5])


def test_rule_6_forbidden_pair() -> None:
    assert one_pair({}, {}, forbidden=[{"household": "h", "dwelling": "d"}]) == (False, [6])


def test_several_rules_are_reported_together() -> None:
    _, rules = one_pair({"max_rent": 100, "needs_accessible": True, "members": adults(4)}, {},
                        forbidden=[{"household": "h", "dwelling": "d"}])
    assert sorted(set(rules)) == [2, 3, 4, 6]


def test_broken_rules_explain_in_words() -> None:
    facts = derive_facts(load_instance(document(
        [{"id": "h", "members": adults(1), "waiting_since": "2026-05-01", "max_rent": 500,
          "ties": [{"municipality": "GM0002", "kind": "work", "required": True}]}],
        [{"id": "d", "municipality": "GM0001", "location": {"lat": 52.1, "lon": 5.1}, "bedrooms": 1,
          "max_occupants": 2, "rent": 600}])))
    texts = {broken.name: broken.text for broken in broken_rules(facts, 0, 0)}
    assert set(texts) == {"rent", "required_tie"}
    assert "600.00" in texts["rent"] and "500.00" in texts["rent"]
    assert "GM0002" in texts["required_tie"] and "GM0001" in texts["required_tie"]


# --- the vectorised rules equal the scalar rules ------------------------------------------------------------

MUNICIPALITIES = ("m0", "m1", "m2")
RENTS = (0, 350, 500, 650.5, 800)
END = dt.date(2026, 11, 15)
AROUND_END = st.sampled_from([None, (END - dt.timedelta(days=1)).isoformat(), END.isoformat(),
                              (END + dt.timedelta(days=1)).isoformat()])


@st.composite
def random_dwelling(draw: st.DrawFn, index: int) -> dict[str, Any]:
    return {
        "id": f"d{index}",
        "municipality": draw(st.sampled_from(MUNICIPALITIES)),
        "location": {"lat": 52.0, "lon": 5.0},
        "bedrooms": draw(st.integers(0, 5)),
        "max_occupants": draw(st.integers(1, 7)),
        "rent": draw(st.sampled_from(RENTS)),
        "accessible": draw(st.booleans()),
        "shared_places": draw(st.sampled_from([0, 0, 0, 1, 3])),
        "available_from": draw(AROUND_END),
    }


@st.composite
def random_household(draw: st.DrawFn, index: int) -> dict[str, Any]:
    tie = st.fixed_dictionaries({"municipality": st.sampled_from(MUNICIPALITIES),
                                 "kind": st.sampled_from(["work", "education", "family", "care"]),
                                 "required": st.booleans()})
    return {
        "id": f"h{index}",
        "members": draw(st.lists(st.builds(dict, age=st.integers(0, 70)), min_size=1, max_size=6)),
        "expected_members": draw(st.sampled_from([0, 0, 1, 3])),
        "needs_accessible": draw(st.booleans()),
        "max_rent": draw(st.sampled_from([None, *RENTS])),
        "shareable": draw(st.booleans()),
        "ties": draw(st.lists(tie, max_size=2)),
        "waiting_since": "2026-01-01",
        "available_from": draw(AROUND_END),
    }


@st.composite
def random_instance(draw: st.DrawFn) -> dict[str, Any]:
    n_households, n_dwellings = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    households = [draw(random_household(i)) for i in range(n_households)]
    dwellings = [draw(random_dwelling(j)) for j in range(n_dwellings)]
    all_pairs = [(h["id"], d["id"]) for h in households for d in dwellings]
    forbidden = draw(st.lists(st.sampled_from(all_pairs), max_size=4)) if all_pairs else []
    return {
        "format": "matcher.instance/1",
        "id": "random",
        "period": PERIOD,
        "policy": {"max_extra_bedrooms": draw(st.integers(0, 2)), "persons_per_bedroom": draw(st.integers(1, 3))},
        "municipalities": [{"id": m, "target": 5, "housed": 0} for m in MUNICIPALITIES],
        "dwellings": dwellings,
        "households": households,
        "forbidden": [{"household": h, "dwelling": d} for h, d in forbidden],
    }


def pair_set(pairs: Pairs) -> set[tuple[int, int]]:
    return set(zip(pairs.household.tolist(), pairs.dwelling.tolist(), strict=True))


def scalar_pairs(facts: Facts) -> set[tuple[int, int]]:
    return {(h, d) for h in range(len(facts.households)) for d in range(len(facts.dwellings))
            if not broken_rules(facts, h, d)}


def assert_sorted_by_household_then_dwelling(pairs: Pairs) -> None:
    codes = pairs.household.astype(np.int64) * 1_000_000 + pairs.dwelling
    assert np.all(np.diff(codes) > 0)


@pytest.mark.parametrize("block_cells", [None, 1, 7], ids=["default-block", "one-cell", "seven-cells"])
@settings(max_examples=100, deadline=None)
@given(data=random_instance())
def test_vectorised_pairs_equal_scalar_rules(data: dict[str, Any], block_cells: int | None) -> None:
    facts = derive_facts(load_instance(data))
    with pytest.MonkeyPatch.context() as patch:
        if block_cells is not None:
            patch.setattr(matcher.rules, "PAIR_BLOCK_CELLS", block_cells)
        pairs = compatible_pairs(facts)
        counts = compatible_counts(facts)
    assert pair_set(pairs) == scalar_pairs(facts)
    assert len(pair_set(pairs)) == len(pairs)
    assert_sorted_by_household_then_dwelling(pairs)
    assert counts.tolist() == np.bincount(pairs.household, minlength=len(facts.households)).tolist()


@settings(max_examples=100, deadline=None)
@given(data=random_instance())
def test_each_step_holds_exactly_where_it_reports_nothing_broken(data: dict[str, Any]) -> None:
    """Step by step, the vectorised test and the words for one pair are the same rule (and name its number)."""
    facts = derive_facts(load_instance(data))
    households = np.arange(len(facts.households))
    for step in RULE_STEPS:
        block = step.holds(facts, slice(0, len(facts.households)))
        assert np.array_equal(block, step.holds(facts, households)), step.name
        for h in range(len(facts.households)):
            for d in range(len(facts.dwellings)):
                broken = step.broken(facts, h, d)
                assert bool(block[h, d]) == (broken == []), (step.name, h, d, broken)
                assert {b.rule for b in broken} <= {step.rule}


def test_the_steps_follow_the_rules_of_the_format_in_order() -> None:
    assert [step.rule for step in RULE_STEPS] == sorted(step.rule for step in RULE_STEPS)
    assert {step.rule for step in RULE_STEPS} == {1, 2, 3, 4, 5, 6}
    assert len({step.name for step in RULE_STEPS}) == len(RULE_STEPS)


@pytest.mark.parametrize("name", ["tiny-s1", "u16-week-s1", "u16-week-s2"])
def test_example_pairs_do_not_depend_on_the_block_size(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = derive_facts(load_instance(EXAMPLES / f"{name}.json"))
    whole = compatible_pairs(facts)
    monkeypatch.setattr(matcher.rules, "PAIR_BLOCK_CELLS", 3)
    chunked = compatible_pairs(facts)
    assert compatible_counts(facts).tolist() == np.bincount(whole.household, minlength=len(facts.households)).tolist()
    assert np.array_equal(whole.household, chunked.household)
    assert np.array_equal(whole.dwelling, chunked.dwelling)
    assert pair_set(whole) == scalar_pairs(facts)
    assert 0 < len(whole) < len(facts.households) * len(facts.dwellings)
