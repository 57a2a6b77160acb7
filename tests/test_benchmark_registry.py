"""The benchmark suite's own machinery: the registry's promises, the HiGHS peer's model, the isolated runs
that record a wall instead of dying, the worker's chain against ``solve``, and the report.

The benchmarks time things; these tests make sure what they time is the right thing.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # benchmarks/ is a folder of the repository, not part of the installed package

from benchmarks import registry, report  # noqa: E402
from benchmarks.conftest import Runs, why_no_search  # noqa: E402
from benchmarks.highs_peer import TierMip  # noqa: E402
from benchmarks.isolation import ERROR, FINISHED, MEMORY, NOT_RUN, TIME_LIMIT, RunRecord, _judge, run_isolated  # noqa: E402
from benchmarks.worker import EventLog, run_pipeline  # noqa: E402
from matcher.compat import compatible_pairs  # noqa: E402
from matcher.facts import derive_facts  # noqa: E402
from matcher.generator import generate  # noqa: E402
from matcher.solver import SolveOptions, solve  # noqa: E402
from matcher.solver.candidates import usable_candidates  # noqa: E402
from matcher.validation import load_instance  # noqa: E402

HOUR_S = 3600
OBJECTIVES = ("overdue_housed", "persons_housed", "max_shortfall_permille", "quality")


# --- the registry ----------------------------------------------------------------------------------------


def test_sweep_covers_the_sizes_the_issue_names_with_fixed_seeds() -> None:
    sizes = {case.name: case.recipe.households for case in registry.CASES}
    assert sizes == {"u16-week": None, "u16-backlog": None, "nl-backlog-h1000": 1_000, "nl-backlog-h3000": 3_000,
                     "nl-backlog-h10000": 10_000, "nl-backlog": None}
    assert len(generate("nl-backlog", registry.SEED, households=12)["households"]) == 12
    assert {case.recipe.seed for case in registry.CASES} == {registry.SEED}


def test_every_case_declares_known_phases_in_pipeline_order_and_known_peers() -> None:
    for case in registry.CASES:
        positions = [registry.PIPELINE.index(phase) for phase in case.phases]
        assert positions == sorted(positions), case.name
        assert set(case.peers) <= set(registry.RUNS) - {registry.SUBJECT}
        assert case.runs[0] == registry.SUBJECT


def test_a_case_measuring_fewer_phases_stops_its_runs_there() -> None:
    case = registry.Case(registry.Recipe("tiny"), time_limit=1, setup_allowance=10, smoke_households=None,
                         phases=("load", "pairs", "build"))
    assert case.last_phase(registry.SUBJECT) == "build"
    assert registry.Case(registry.Recipe("tiny"), 1, 10, None).last_phase("cpsat-w1") == registry.TIER_PHASES[-1]


def test_tier_phases_follow_the_default_policy() -> None:
    assert registry.TIER_PHASES == tuple(f"tier:{name}" for name in OBJECTIVES)


def test_smoke_cases_keep_their_names_and_are_small_and_quick() -> None:
    for full, smoke in zip(registry.cases(smoke=False), registry.cases(smoke=True), strict=True):
        assert smoke.name == full.name
        assert smoke.time_limit == registry.SMOKE_TIME_LIMIT_S
        households = smoke.recipe.households or len(smoke.recipe.document()["households"])
        assert households <= 150
        assert max(smoke.timeout(run) for run in smoke.runs) <= registry.SMOKE_TIMEOUT_S


def test_the_suite_budget_leaves_room_within_the_hour() -> None:
    assert registry.SUITE_BUDGET_S <= HOUR_S - 5 * 60


def test_no_run_starts_once_the_budget_is_spent() -> None:
    runs = Runs(smoke=False)
    runs.deadline = 0.0
    record = runs.get(registry.CASES[0], registry.SUBJECT)
    assert record.outcome == NOT_RUN
    assert "budget" in record.reason


def test_one_worker_is_not_run_when_matcher_never_reached_a_search() -> None:
    stopped = RunRecord(run="matcher", outcome=MEMORY, stopped_in="build")
    assert "stopped in build" in why_no_search(stopped)
    unsolved = RunRecord(run="matcher", outcome=FINISHED, events=[
        {"event": "end", "phase": registry.TIER_PHASES[0], "seconds": 0.0, "tier": {"status": "not_solved"}}])
    assert "before the first search" in why_no_search(unsolved)
    searched = RunRecord(run="matcher", outcome=TIME_LIMIT, stopped_in=registry.TIER_PHASES[1])
    assert why_no_search(searched) == ""


# --- the HiGHS peer --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("preset", "households"), [("u16-week", None), ("nl-backlog", 60)])
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_highs_first_tier_reaches_the_cpsat_optimum(preset: str, households: int | None, objective: str) -> None:
    document = generate(preset, 1, households=households)
    document["policy"] = {"objectives": [objective]}
    instance = load_instance(document)
    facts = derive_facts(instance)
    candidates = usable_candidates(facts, compatible_pairs(facts))
    cpsat = solve(instance, SolveOptions(time_limit=20, workers=2)).stats["tiers"][0]
    assert cpsat["status"] == "optimal"

    mip = TierMip(facts, candidates, objective)
    lp, best = mip.relaxation(20), mip.solve(20)
    assert best.status == "optimal"
    assert best.value == best.bound == cpsat["value"]
    assert lp.status == "optimal"
    assert (lp.bound >= best.value) if objective != "max_shortfall_permille" else (lp.bound <= best.value)


# --- the worker and the isolated runs --------------------------------------------------------------------


def test_worker_chain_reaches_what_solve_reaches_and_times_every_phase() -> None:
    stream = io.StringIO()
    spec = {"run": registry.SUBJECT, "recipe": registry.Recipe("u16-week").as_dict(), "time_limit": 20, "workers": 2,
            "last_phase": registry.PIPELINE[-1]}
    run_pipeline(spec, EventLog(stream))
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    ended = {event["phase"] for event in events if event["event"] == "end"}
    assert set(registry.PIPELINE) <= ended
    objectives = next(event["objectives"] for event in events if "objectives" in event and event["event"] == "info")

    proposal = solve(load_instance(generate("u16-week", registry.SEED)), SolveOptions(time_limit=20, workers=2))
    assert proposal.status == "optimal"
    assert objectives == {objective.name: objective.value for objective in proposal.objectives}


def test_a_run_stopped_at_its_timeout_is_recorded_with_its_phase() -> None:
    spec = {"run": registry.SUBJECT, "recipe": registry.Recipe("u16-backlog").as_dict(), "time_limit": 60,
            "workers": 1, "last_phase": registry.PIPELINE[-1]}
    record = run_isolated(spec, timeout=3.0, memory_gib=registry.MEMORY_LIMIT_GIB)
    assert record.outcome == TIME_LIMIT
    assert record.stopped_in in ("generate", *registry.PIPELINE)
    assert record.phase(record.stopped_in) is None
    assert record.peak_rss_mib > 0
    assert 3.0 <= record.wall_seconds < 10.0


def test_a_run_out_of_memory_is_recorded_as_such() -> None:
    spec = {"run": registry.SUBJECT, "recipe": registry.Recipe("nl-backlog", households=1_000).as_dict(),
            "time_limit": 2, "workers": 2, "last_phase": registry.PIPELINE[-1]}
    record = run_isolated(spec, timeout=60, memory_gib=0.4)
    assert record.outcome == MEMORY, record.reason
    assert record.stopped_in in registry.PIPELINE
    assert "0.4 GiB" in record.reason


def test_a_crash_is_an_error_with_its_traceback_not_a_wall() -> None:
    record = RunRecord(run="highs", outcome=FINISHED, events=[
        {"event": "start", "phase": "highs-lp"},
        {"event": "failed", "phase": "highs-lp", "reason": "error", "detail": "KeyError: 'x'",
         "traceback": "Traceback ...\nKeyError: 'x'"}])
    _judge(record, exit_code=1, timed_out=False, timeout=10, memory_gib=12, stderr_tail="")
    assert record.outcome == ERROR
    assert record.stopped_in == "highs-lp"
    assert "KeyError" in record.reason


def test_a_process_killed_by_the_system_counts_as_memory() -> None:
    record = RunRecord(run="matcher", outcome=FINISHED, events=[{"event": "start", "phase": "build"}])
    _judge(record, exit_code=-9, timed_out=False, timeout=10, memory_gib=12, stderr_tail="")
    assert (record.outcome, record.stopped_in) == (MEMORY, "build")


# --- the report ------------------------------------------------------------------------------------------


def _tier_end(phase: str, status: str, value: int, bound: int, seconds: float) -> dict[str, object]:
    name = phase.removeprefix(registry.TIER_PREFIX)
    return {"event": "end", "phase": phase, "seconds": seconds,
            "tier": {"name": name, "status": status, "value": value, "bound": bound, "gap": abs(bound - value),
                     "seconds": seconds, "time_limit": 15.0}}


def _saved_run() -> dict[str, object]:
    phases = [{"event": "end", "phase": phase, "seconds": 0.5} for phase in registry.SETUP_PHASES]
    tiers = [_tier_end(registry.TIER_PHASES[0], "feasible", 354, 368, 15.0)]
    tiers += [_tier_end(phase, "optimal", 900, 900, 1.0) for phase in registry.TIER_PHASES[1:]]
    solved = RunRecord(run="matcher", outcome=FINISHED, peak_rss_mib=2048.0, events=[
        {"event": "info", "households": 600, "pairs": 116_451},
        *phases, *tiers, {"event": "info", "objectives": {"overdue_housed": 354, "persons_housed": 900}},
        {"event": "end", "phase": "explain", "seconds": 0.1}, {"event": "end", "phase": "write", "seconds": 0.01}])
    greedy = RunRecord(run="greedy", outcome=FINISHED, events=[
        {"event": "end", "phase": "solve", "seconds": 1.0,
         "objectives": {"overdue_housed": 326, "persons_housed": 752}}])
    highs = RunRecord(run="highs", outcome=FINISHED, events=[
        {"event": "end", "phase": "highs-build", "seconds": 1.0, "objective": "overdue_housed", "columns": 10,
         "rows": 5},
        {"event": "end", "phase": "highs-lp", "seconds": 2.0, "status": "optimal", "value": 359, "bound": 359},
        {"event": "end", "phase": "highs-mip", "seconds": 34.0, "status": "optimal", "value": 359, "bound": 359}])
    stopped = RunRecord(run="matcher", outcome=MEMORY, stopped_in="build", reason="out of memory in build",
                        peak_rss_mib=12_000.0, events=[{"event": "info", "households": 15_000}])

    def entry(name: str, runs: dict[str, RunRecord]) -> dict[str, object]:
        return {"name": f"test_case[{name}]", "extra_info": {
            "kind": "case", "case": name, "time_limit": 60, "memory_limit_gib": 12,
            "runs": {run: record.as_dict() for run, record in runs.items()}}}

    return {"datetime": "2026-01-05T10:00:00+00:00", "commit_info": {"id": "abc", "branch": "main"},
            "machine_info": {"node": "bench", "cores": 2, "memory_gib": 24},
            "benchmarks": [entry("u16-backlog", {"matcher": solved, "greedy": greedy, "highs": highs}),
                           entry("nl-backlog", {"matcher": stopped})]}


def test_report_shows_gaps_ratios_and_walls() -> None:
    text = report.render(_saved_run())
    assert "gap 4.0 % (354/368) 15 s" in text
    assert "+28 overdue, +148 persons; 20.60× its time" in text
    assert "opt 359 in 34 s" in text
    assert "1.4 % (354 vs LP 359)" in text
    assert "nl-backlog (memory in build)" in text
    assert "| nl-backlog | matcher | memory | build |" in text


def test_report_replaces_only_the_table_in_the_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Protocol\n\n{report.START_MARKER}\nold table\n{report.END_MARKER}\n\nAfter.\n")
    report.splice(readme, "new table\n")
    assert readme.read_text() == f"# Protocol\n\n{report.START_MARKER}\nnew table\n{report.END_MARKER}\n\nAfter.\n"
