"""Replays are exact: a second implementation (tests/simulation_reference.py) rebuilds every week's instance
from the scenario and the trace, checks every proposal and recomputes every figure."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from matcher.cli import main
from matcher.exceptions import ScenarioInvalid
from matcher.simulation import generate_scenario, load_scenario, simulate
from matcher.simulation.state import ReplayState
from matcher.simulation.week import week_document, week_instance_id
from matcher.validation import load_instance
from simulation_reference import figures_agree, replay_trace


def tiny(seed: int, probability: float | None = None) -> dict[str, Any]:
    document = generate_scenario("tiny-halfyear", seed)
    if probability is not None:
        document["acceptance"]["probability"] = probability
    return document


def replay_and_verify(document: dict[str, Any], policy: str, tmp_path: Path) -> dict[str, Any]:
    trace = tmp_path / f"trace-{policy}"
    result = simulate(load_scenario(document), policy, trace_dir=trace, time_limit_per_week=5).model_dump(mode="json")
    recomputed = replay_trace(document, trace, result)
    assert figures_agree(recomputed, result["figures"]), (recomputed, result["figures"])
    return result




@pytest.mark.parametrize(("seed", "probability", "policy"), [
    (0, None, "fcfs"), (1, None, "weekly"), (2, 0.5, "weekly"), (3, 0.5, "fcfs"), (4, 1.0, "weekly"),
    (5, 0.7, "weekly"), (6, None, "lookahead"), (7, 0.6, "lookahead"),
])
def test_replays_are_exact(seed: int, probability: float | None, policy: str, tmp_path: Path) -> None:
    document = tiny(seed, probability)
    result = replay_and_verify(document, policy, tmp_path)
    if probability == 1.0:
        assert result["figures"]["declined"] == 0
    trace = tmp_path / f"trace-{policy}"
    instances = [json.loads(path.read_text()) for path in sorted(trace.glob("w*.instance.json"))]
    assert [instance["id"] for instance in instances] == [f"{document['id']}-w{w:02d}" for w in range(8)]


def test_the_replays_meet_every_situation_the_format_describes(tmp_path: Path) -> None:
    """Shared dwellings re-offered with fewer places, groups and schools carried, declines forbidden while
    both are present, lapsed offers: the exactness test above is only worth as much as what it met."""
    seen: Counter[str] = Counter()
    for seed in range(3):
        document = tiny(seed, 0.6)
        result = replay_and_verify(document, "weekly", tmp_path / str(seed))
        seen["lost"] += result["figures"]["dwellings_lost"]
        seen["declined"] += result["figures"]["declined"]
        for path in sorted((tmp_path / str(seed) / "trace-weekly").glob("w*.instance.json")):
            instance = json.loads(path.read_text())
            originals = {d["id"]: d for d in document["dwellings"]}
            seen["reduced shared"] += sum(1 for d in instance["dwellings"]
                                          if d["shared_places"] < originals[d["id"]].get("shared_places", 0))
            seen["declined forbidden"] += sum(1 for f in instance["forbidden"] if f.get("reason") == "declined")
            seen["groups carried"] += sum(1 for g, o in zip(instance["groups"], document["groups"], strict=True)
                                          if g["status_holder_units"] > o["status_holder_units"])
            seen["seats used"] += sum(1 for x, o in zip(instance["schools"], document["schools"], strict=True)
                                      if x["seats"] < o["seats"])
    assert all(seen[name] > 0 for name in ("lost", "declined", "reduced shared", "declined forbidden",
                                            "groups carried", "seats used")), seen


def test_a_declined_pair_is_forbidden_only_while_both_are_present(tmp_path: Path) -> None:
    document = tiny(2, 0.3)
    simulate(load_scenario(document), "fcfs", trace_dir=tmp_path)
    for path in sorted(tmp_path.glob("w*.instance.json")):
        instance = json.loads(path.read_text())
        households = {h["id"] for h in instance["households"]}
        dwellings = {d["id"] for d in instance["dwellings"]}
        assert all(f["household"] in households and f["dwelling"] in dwellings for f in instance["forbidden"])


def test_the_same_scenario_replays_to_the_same_result() -> None:
    scenario = load_scenario(tiny(1))
    assert simulate(scenario, "weekly").model_dump() == simulate(scenario, "weekly").model_dump()


def test_generated_half_year_looks_like_the_region() -> None:
    document = generate_scenario("u16-halfyear", 3)
    scenario = load_scenario(document)
    assert scenario.weeks == 26 and len(scenario.municipalities) == 16
    per_week = Counter((h.available_from - scenario.start).days // 7 for h in scenario.households)
    arrivals = [per_week[w] for w in range(1, 26)]
    assert 35 <= sum(arrivals) / len(arrivals) <= 45
    offers = Counter((d.available_from - scenario.start).days // 7 for d in scenario.dwellings)
    assert 30 <= sum(offers[w] for w in range(1, 26)) / 25 <= 40
    singles = sum(1 for h in scenario.households if h.size == 1)
    assert singles > len(scenario.households) / 2
    assert any(h.expected_members > 0 for h in scenario.households)
    persons = sum(h.size for h in scenario.households)
    assert 0.85 * persons <= sum(m.target for m in scenario.municipalities) <= persons
    assert scenario.acceptance.probability == 0.85
    assert generate_scenario("u16-halfyear", 3) == document


def broken(edit: Any) -> list[str]:
    document = copy.deepcopy(tiny(0))
    edit(document)
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(document)
    return [str(problem) for problem in caught.value.problems]


def test_every_problem_of_a_scenario_is_named_by_path_and_record() -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["households"][3]["available_from"]
        document["dwellings"][2]["offer_weeks"] = 0
        document["dwellings"][4]["municipality"] = "GM9999"
        document["weeks"] = 0
        document["acceptance"]["probability"] = 1.5
        document["locks"] = [{"household": "x", "dwelling": "y"}]

    problems = broken(edit)
    household, dwelling = tiny(0)["households"][3]["id"], tiny(0)["dwellings"][2]["id"]
    assert f'households[3] (id "{household}").available_from: is required' in problems
    assert f'dwellings[2] (id "{dwelling}").offer_weeks: must be >= 1, got 0' in problems
    assert any(p.startswith("dwellings[4]") and 'unknown municipality "GM9999"' in p for p in problems)
    assert "weeks: must be >= 1, got 0" in problems
    assert "acceptance.probability: must be <= 1.0, got 1.5" in problems
    assert any(p.startswith("locks: has no place in a scenario") for p in problems)


def test_a_scenario_id_leaves_room_for_the_week_in_every_weeks_instance_id() -> None:
    """An instance id has at most 200 characters and each week's is the scenario's id + "-w07": 196 fit."""
    longest = load_scenario(tiny(0) | {"id": "s" * 196})
    assert week_instance_id(longest, longest.weeks - 1) == "s" * 196 + f"-w{longest.weeks - 1:02d}"
    load_instance(week_document(longest, ReplayState(), 0))  # a valid instance, its id of 200 characters
    assert broken(lambda document: document.update(id="s" * 197)) == [
        'id: must have at most 196 characters, got 197: each week\'s instance id is this id followed by the '
        'week ("-w07"), and an id has at most 200']
    past_week_99 = broken(lambda document: document.update(id="s" * 196, weeks=101))
    assert past_week_99 == ["id: must leave room for the week in every week's instance id: with 101 weeks the last "
                            'is this id followed by "-w100", 201 characters, and an id has at most 200']
    assert broken(lambda document: document.update(id="e\u0301")) == [
        'id: must be in Unicode normal form NFC (the same characters, composed: e.g. one "é", not "e" and an '
        'accent)']


def test_a_scenario_that_starts_on_a_tuesday_replays_its_weeks_from_that_day(tmp_path: Path) -> None:
    document = tiny(0)
    document["start"] = "2026-01-06"  # the format calls start a Monday; its rules count weeks from any day
    result = replay_and_verify(document, "fcfs", tmp_path)
    week_three = json.loads((tmp_path / "trace-fcfs" / "w03.instance.json").read_text())
    assert week_three["period"] == {"start": "2026-01-27", "end": "2026-02-02"}
    assert result["figures"]["households_housed"] > 0


def test_an_instance_is_not_a_scenario() -> None:
    problems = broken(lambda document: document.update(format="matcher.instance/1"))
    assert problems == ['format: must be "matcher.scenario/1", got "matcher.instance/1"']


def test_cli_generates_simulates_and_traces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario, result, trace = tmp_path / "s.json", tmp_path / "r.json", tmp_path / "trace"
    assert main.main(["generate", "--preset", "tiny-halfyear", "--seed", "4", "-o", str(scenario)]) == 0
    assert main.main(["simulate", str(scenario), "--policy", "fcfs", "-o", str(result), "--trace", str(trace)]) == 0
    document = json.loads(result.read_text())
    assert document["format"] == "matcher.simulation/1" and document["policy"] == "fcfs"
    assert len(document["weeks"]) == 8 and "hindsight" not in document
    capsys.readouterr()
    assert main.main(["check", str(trace / "w05.instance.json"), str(trace / "w05.proposal.json")]) == 0
    assert main.main(["generate", "--preset", "tiny-halfyear", "--seed", "1", "--households", "9"]) == 2
    assert main.main(["generate", "--preset", "tiny-halfyear", "--seed", "1", "--variety", "wide"]) == 2


def test_cli_reports_a_broken_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(tiny(0) | {"weeks": "many"}))
    assert main.main(["simulate", str(path), "--policy", "fcfs"]) == 1
    assert "weeks: must be a whole number" in capsys.readouterr().err


def test_the_example_scenario_is_the_generators_and_reads() -> None:
    path = Path(__file__).resolve().parents[1] / "instances" / "u16-halfyear.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == json.loads(json.dumps(generate_scenario("u16-halfyear", 1)))
    assert load_scenario(path).weeks == 26
