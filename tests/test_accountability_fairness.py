"""The fairness report: every figure recomputed here from the documents alone, and flags on a made-up case
where the binding rule is known."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from builders import LONG_AGO, RECENTLY, dwelling, household, instance
from conftest import EXAMPLES
from matcher.accountability.baseline import load_baseline
from matcher.accountability.fairness import fairness_report
from matcher.checker import parse_proposal
from matcher.cli import fairness as fairness_cli
from matcher.format import Assignment, Proposal
from matcher.validation import load_instance


def documents(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return (json.loads((EXAMPLES / f"{name}.json").read_text()),
            json.loads((EXAMPLES / f"{name}.proposal.json").read_text()))


def report_of(inst: dict[str, Any], proposal: dict[str, Any]) -> dict[str, Any]:
    return fairness_report(load_baseline(load_instance(inst), parse_proposal(proposal))).as_dict()


# --- the figures, recomputed from the documents ----------------------------------------------------------------


def kind_of(h: dict[str, Any]) -> str:
    members = h["members"]
    if len(members) == 1:
        sharer = h.get("shareable", False) and h.get("expected_members", 0) == 0
        return "single sharing" if sharer else "single"
    if len(members) == 2 and all(m["age"] >= 18 for m in members):
        return "couple"
    return "large family (7+)" if len(members) >= 7 else f"family of {len(members)}"


def weeks(inst: dict[str, Any], h: dict[str, Any]) -> int:
    start = dt.date.fromisoformat(inst["period"]["start"])
    return (start - dt.date.fromisoformat(h["waiting_since"])).days // 7


def expected_groups(inst: dict[str, Any], proposal: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    overdue_weeks = inst.get("policy", {}).get("overdue_weeks", 14)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for h in inst["households"]:
        groups[("household type", kind_of(h))].append(h)
        step_free = "needs a step-free home" if h.get("needs_accessible") else "no step-free need"
        groups[("step-free", step_free)].append(h)
        expecting = "expecting family members" if h.get("expected_members", 0) else "not expecting"
        groups[("family reunification", expecting)].append(h)
        overdue = (dt.date.fromisoformat(inst["period"]["start"])
                   - dt.date.fromisoformat(h["waiting_since"])).days >= 7 * overdue_weeks
        groups[("overdue", "overdue" if overdue else "not overdue")].append(h)
        kinds = {t["kind"] for t in h.get("ties", [])}
        for kind in kinds:
            groups[("tie kind", f"{kind} tie")].append(h)
        if not kinds:
            groups[("tie kind", "no tie")].append(h)
    return groups


def summary(values: list[int]) -> dict[str, Any]:
    if not values:
        return {"households": 0, "mean_weeks": None, "median_weeks": None, "longest_weeks": None}
    return {"households": len(values), "mean_weeks": round(sum(values) / len(values), 1),
            "median_weeks": float(statistics.median(values)), "longest_weeks": max(values)}


@pytest.mark.parametrize("name", ["u16-week-s1", "u16-week-s2", "tiny-s2"])
def test_group_figures_match_a_recount_from_the_documents(name: str) -> None:
    inst, proposal = documents(name)
    report = report_of(inst, proposal)
    placed = {a["household"] for a in proposal["assignments"]}
    groups = expected_groups(inst, proposal)
    found = {(g["dimension"], g["group"]): g for g in report["groups"]}
    assert set(found) == set(groups)
    for name_, members in groups.items():
        row = found[name_]
        assert row["households"] == len(members)
        assert row["placed"] == sum(h["id"] in placed for h in members)
        assert row["persons"] == sum(len(h["members"]) for h in members)
        assert row["persons_placed"] == sum(len(h["members"]) for h in members if h["id"] in placed)
        assert row["rate"] == round(row["placed"] / len(members), 4)
        assert row["waiting_placed"] == summary([weeks(inst, h) for h in members if h["id"] in placed])
        assert row["waiting_left"] == summary([weeks(inst, h) for h in members if h["id"] not in placed])
    assert report["overall"]["households"] == len(inst["households"])
    assert report["overall"]["placed"] == len(placed)


@pytest.mark.parametrize("name", ["u16-week-s1", "tiny-s1"])
def test_municipality_progress_matches_a_recount(name: str) -> None:
    inst, proposal = documents(name)
    report = report_of(inst, proposal)
    size = {h["id"]: len(h["members"]) for h in inst["households"]}
    town = {d["id"]: d["municipality"] for d in inst["dwellings"]}
    persons: dict[str, int] = defaultdict(int)
    for a in proposal["assignments"]:
        persons[town[a["dwelling"]]] += size[a["household"]]
    rows = {m["id"]: m for m in report["municipalities"]}
    assert list(rows) == [m["id"] for m in inst["municipalities"]]
    for m in inst["municipalities"]:
        row = rows[m["id"]]
        after = m["housed"] + persons[m["id"]]
        assert (row["placed"], row["housed_after"]) == (persons[m["id"]], after)
        assert row["shortfall"] == max(0, m["target"] - after)
        if m["target"]:
            assert row["progress_permille"] == 1000 * after // m["target"]
            assert row["shortfall_permille"] == 1000 * max(0, m["target"] - after) // m["target"]
    for listed in proposal["municipalities"]:
        assert rows[listed["id"]]["placed"] == listed["placed"]


# --- flags --------------------------------------------------------------------------------------------------


def large_family_case() -> tuple[dict[str, Any], Proposal]:
    """Four families of 7 and six singles; dwellings take at most 4: the families cannot be placed.

    Half of each kind is overdue, so that only the families stand out."""
    waiting = [LONG_AGO, RECENTLY]
    families = [household(f"f{i}", ages=[40, 38, 16, 14, 12, 9, 6], waiting_since=waiting[i % 2]) for i in range(4)]
    singles = [household(f"s{i}", waiting_since=waiting[i % 2]) for i in range(6)]
    dwellings = [dwelling(f"d{i}", bedrooms=2, max_occupants=4) for i in range(6)]
    doc = instance(families + singles, dwellings)
    proposal = Proposal(instance="test", status="optimal",
                        assignments=[Assignment(household=f"s{i}", dwelling=f"d{i}") for i in range(6)])
    return doc, proposal


def test_a_group_far_below_the_overall_rate_is_flagged_with_its_binding_rule() -> None:
    doc, proposal = large_family_case()
    report = fairness_report(load_baseline(load_instance(doc), proposal))
    flagged = {group.name: group.flag for group in report.flagged}
    assert set(flagged) == {"large family (7+)"}
    flag = flagged["large family (7+)"]
    assert flag is not None and flag.code == "no_compatible:size" and flag.households == 4
    assert flag.text == ("0 of 4 placed; 4 have no available dwelling with max_occupants >= 7 (they will be 7 "
                         "persons incl. expected members; the largest available dwelling takes 4)")
    assert report.overall.rate == pytest.approx(0.6)


def test_no_flag_when_every_group_is_placed_alike() -> None:
    doc = instance([household(f"h{i}") for i in range(4)], [dwelling(f"d{i}") for i in range(2)])
    proposal = Proposal(instance="test", status="optimal",
                        assignments=[Assignment(household=f"h{i}", dwelling=f"d{i}") for i in range(2)])
    report = fairness_report(load_baseline(load_instance(doc), proposal))
    assert report.flagged == [] and report.overall.rate == 0.5


def test_the_report_names_no_protected_attribute() -> None:
    doc, proposal = large_family_case()
    text = json.dumps(fairness_report(load_baseline(load_instance(doc), proposal)).as_dict()).lower()
    assert "no protected attributes" in text
    for word in ("nationality", "religion", "gender"):
        assert text.count(word) == 1  # only in the note saying the format holds none


# --- command line --------------------------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="matcher")
    fairness_cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["fairness", *argv])
    return int(args.func(args))


def test_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc, proposal = large_family_case()
    (tmp_path / "i.json").write_text(json.dumps(doc))
    (tmp_path / "p.json").write_text(proposal.to_json())
    paths = str(tmp_path / "i.json"), str(tmp_path / "p.json")
    assert run_cli(*paths) == 0
    out = capsys.readouterr().out
    assert "6 of 10 households placed (60.0%)" in out
    assert "- large family (7+): 0 of 4 placed; 4 have no available dwelling with max_occupants >= 7" in out
    assert run_cli(*paths, "--json") == 0
    assert json.loads(capsys.readouterr().out)["flags"][0].startswith("large family (7+): 0 of 4 placed")
    assert run_cli(paths[0], str(EXAMPLES / "tiny-s1.proposal.json")) == 2
    assert 'the proposal is for instance "tiny-s1", not "test"' in capsys.readouterr().err
