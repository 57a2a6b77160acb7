"""``lookahead`` never looks ahead: what the scenario holds after week w cannot change weeks 0..w; and every
proposal it makes holds, with its departures from the week's optimum stated."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from matcher.checker import check_proposal
from matcher.simulation import generate_scenario, load_scenario, simulate
from matcher.validation import load_instance

WEEK = 3


def decided(trace: Path, week: int) -> dict[str, Any]:
    """What a proposal decides and claims (timings left out)."""
    proposal = json.loads((trace / f"w{week:02d}.proposal.json").read_text())
    return {key: proposal.get(key) for key in ("status", "objectives", "assignments", "lookahead")}


def test_changing_the_future_leaves_the_past_proposals_unchanged(tmp_path: Path) -> None:
    document = generate_scenario("tiny-halfyear", 2)
    scenario = load_scenario(document)
    cut = scenario.week_end(WEEK)
    changed = copy.deepcopy(document)
    later = [h for h in changed["households"] if dt.date.fromisoformat(h["available_from"]) > cut]
    changed["households"] = [h for h in changed["households"] if h not in later]
    for h in later[:3]:  # a different future: other arrivals, bigger families, on other days
        changed["households"].append(h | {"id": h["id"] + "-x", "members": h["members"] * 2})
    changed["dwellings"] = [d for d in changed["dwellings"] if dt.date.fromisoformat(d["available_from"]) <= cut]
    ids = {h["id"] for h in changed["households"]} | {d["id"] for d in changed["dwellings"]}
    changed["forbidden"] = [f for f in changed["forbidden"] if f["household"] in ids and f["dwelling"] in ids]
    simulate(scenario, "lookahead", trace_dir=tmp_path / "a", time_limit_per_week=5)
    simulate(load_scenario(changed), "lookahead", trace_dir=tmp_path / "b", time_limit_per_week=5)
    for week in range(WEEK + 1):
        assert decided(tmp_path / "a", week) == decided(tmp_path / "b", week), week
    assert any(decided(tmp_path / "a", week) != decided(tmp_path / "b", week) for week in range(WEEK + 1, 8))


def test_every_lookahead_proposal_holds_and_says_where_it_departs(tmp_path: Path) -> None:
    departures = 0
    for seed in (0, 1):
        trace = tmp_path / str(seed)
        simulate(load_scenario(generate_scenario("tiny-halfyear", seed)), "lookahead", trace_dir=trace,
                 time_limit_per_week=5)
        for path in sorted(trace.glob("w*.proposal.json")):
            proposal = json.loads(path.read_text())
            instance = load_instance(json.loads(path.with_name(path.name.replace("proposal", "instance")).read_text()))
            report = check_proposal(instance, proposal)
            assert report.ok, [str(v) for v in report.violations]
            why = proposal["lookahead"]
            optimum = why["weekly_optimum"]
            ours = {o["name"]: o["value"] for o in proposal["objectives"]}
            assert why["departs_from_weekly_optimum"] == (ours != optimum)
            if why["departs_from_weekly_optimum"]:
                departures += 1
                assert proposal["status"] == "feasible" and "week line" in why["why"]
    assert departures > 0
