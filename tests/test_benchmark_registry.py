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

import numpy as np  # noqa: E402
from benchmarks import registry, report, worker  # noqa: E402
from benchmarks.conftest import Runs, why_no_search  # noqa: E402
from benchmarks.highs_peer import Outcome, PairMip, columns_of, objective_costs  # noqa: E402
from benchmarks.isolation import ERROR, FINISHED, MEMORY, NOT_RUN, TIME_LIMIT, RunRecord, _judge, run_isolated  # noqa: E402
from benchmarks.outcomes import Tier, disagreements, highs_tiers, pipeline_tiers  # noqa: E402
from benchmarks.pair_model.candidates import Candidates, usable_candidates  # noqa: E402
from benchmarks.pair_model.greedy import greedy_solution  # noqa: E402
from benchmarks.worker import EventLog, run_highs, run_pair_model, run_pipeline  # noqa: E402

from matcher.facts import Facts, derive_facts  # noqa: E402
from matcher.format import Instance  # noqa: E402
from matcher.generator import generate  # noqa: E402
from matcher.rules import compatible_pairs  # noqa: E402
from matcher.solver import SolveOptions, solve_proposal  # noqa: E402
from matcher.solver.evaluate import objective_values  # noqa: E402
from matcher.solver.locks import check_locks  # noqa: E402
from matcher.validation import load_instance  # noqa: E402

HOUR_S = 3600
OBJECTIVES = ("overdue_housed", "persons_housed", "max_shortfall_permille", "quality")


# --- the registry ----------------------------------------------------------------------------------------


def test_sweep_covers_the_sizes_the_issue_names_with_fixed_seeds() -> None:
    sizes = {case.name: case.recipe.households for case in registry.CASES}
    assert sizes == {"u16-week": None, "u16-backlog": None, "u16-backlog-s2": None, "u16-backlog-s3": None,
                     "u16-backlog-wide": None, "u16-backlog-wide-s2": None, "u16-backlog-wide-s3": None,
                     "nl-backlog-h1000": 1_000, "nl-backlog-h3000": 3_000, "nl-backlog-h10000": 10_000,
                     "nl-backlog": None}
    assert len(generate("nl-backlog", registry.SEED, households=12)["households"]) == 12
    assert {case.recipe.seed for case in registry.CASES} == {registry.SEED, *registry.MORE_SEEDS}


def test_each_600_household_backlog_runs_on_three_seeds_in_both_varieties() -> None:
    backlogs = [case.recipe for case in registry.CASES if case.recipe.preset == "u16-backlog"]
    assert sorted((recipe.variety, recipe.seed) for recipe in backlogs) == [
        (variety, seed) for variety in ("standard", "wide") for seed in (1, 2, 3)]
    wide = registry.case_named("u16-backlog-wide-s2", smoke=False).recipe.document()
    assert wide["generator"]["variety"] == "wide" and wide["id"] == "u16-backlog-wide-s2"


def test_every_case_declares_known_phases_in_pipeline_order_and_known_peers() -> None:
    for case in registry.CASES:
        positions = [registry.PIPELINE.index(phase) for phase in case.phases]
        assert positions == sorted(positions), case.name
        assert set(case.peers) <= set(registry.RUNS) - {registry.SUBJECT}
        assert case.runs[0] == registry.SUBJECT
        assert set(case.peers) | set(case.left_out) == set(registry.PEERS), case.name
        assert not set(case.peers) & set(case.left_out), case.name


def test_the_pair_model_is_left_out_where_it_runs_out_of_memory_and_says_why() -> None:
    on_the_usual_seed = [case for case in registry.CASES if case.recipe.seed == registry.SEED]
    without = {case.name for case in on_the_usual_seed if "pair-model" not in case.peers}
    assert without == {"nl-backlog-h10000", "nl-backlog"}
    for case in registry.CASES:
        if "pair-model" not in case.peers:
            assert ("12 GiB" if case.name in without else "seed 1") in case.left_out["pair-model"]


def test_a_case_measuring_fewer_phases_stops_its_runs_there() -> None:
    case = registry.Case(registry.Recipe("tiny"), time_limit=1, setup_allowance=10, smoke_households=None,
                         phases=("load", "pairs", "build"))
    assert case.last_phase(registry.SUBJECT) == "build"
    assert case.last_phase("pair-model") == "build"
    assert case.last_phase("highs") == registry.HIGHS_PHASES[-1]  # a peer's own phases are always measured
    full = registry.Case(registry.Recipe("tiny"), 1, 10, None)
    assert full.last_phase("cpsat-w1") == registry.TIER_PHASES[-1]
    assert full.last_phase("pair-model") == "write"


def test_the_chains_follow_solve_and_the_pair_model_before_it() -> None:
    assert registry.SETUP_PHASES == ("load", "pairs", "locks", "network", "greedy", "build")
    assert registry.PAIR_SETUP_PHASES == ("load", "pairs", "locks", "candidates", "greedy", "build")
    assert registry.RUNS["pair-model"].chain == registry.PAIR_PIPELINE
    assert set(registry.PIPELINE) <= set(registry.PHASE_MEANING)
    assert set(registry.PAIR_PIPELINE) <= set(registry.PHASE_MEANING) | set(registry.PAIR_PHASE_MEANING)


def test_the_highs_timeout_covers_its_lp_and_a_mip_per_tier() -> None:
    case = registry.CASES[1]
    assert registry.RUNS["highs"].solve_limits == 1 + len(OBJECTIVES)
    assert case.timeout("highs") == case.setup_allowance + (1 + len(OBJECTIVES)) * case.time_limit


def test_tier_phases_follow_the_default_policy() -> None:
    assert registry.TIER_PHASES == tuple(f"tier:{name}" for name in OBJECTIVES)


def test_smoke_cases_keep_their_names_and_are_small_and_quick() -> None:
    in_smoke = [case for case in registry.cases(smoke=False) if case.in_smoke]
    assert {case.recipe.seed for case in in_smoke} == {registry.SEED}  # other seeds: the same code path
    for full, smoke in zip(in_smoke, registry.cases(smoke=True), strict=True):
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


def _pair_model_of(preset: str, households: int | None, objectives: list[str] | None = None) -> tuple[
        Instance, Facts, Candidates]:
    document = generate(preset, 1, households=households)
    if objectives is not None:
        document["policy"] = {"objectives": objectives}
    instance = load_instance(document)
    facts = derive_facts(instance)
    return instance, facts, usable_candidates(facts, compatible_pairs(facts))


def _row_activity(mip: PairMip, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's value at ``values``, with the row's lower and upper limits."""
    lp = mip.highs.getLp()
    matrix = lp.a_matrix_
    start, index, value = (np.asarray(part) for part in (matrix.start_, matrix.index_, matrix.value_))
    activity = np.zeros(lp.num_row_)
    if matrix.format_ == type(matrix.format_).kColwise:
        for column in range(lp.num_col_):
            span = slice(start[column], start[column + 1])
            activity[index[span]] += value[span] * values[column]
    else:
        for row in range(lp.num_row_):
            span = slice(start[row], start[row + 1])
            activity[row] = value[span] @ values[index[span]]
    return activity, np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)


def _within(activity: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> bool:
    return bool(((activity >= lower - 1e-9) & (activity <= upper + 1e-9)).all())


@pytest.mark.parametrize(("preset", "households"), [("u16-week", None), ("nl-backlog", 60)])
def test_highs_objectives_are_the_evaluated_objectives_of_a_solution(preset: str, households: int | None) -> None:
    """The pair model's objectives, column for column, give what matcher.solver.evaluate computes; the
    shortfall column is bounded by its rows exactly at the worst municipality's shortfall."""
    instance, facts, candidates = _pair_model_of(preset, households)
    greedy = greedy_solution(facts, candidates, check_locks(facts).placements)
    values = objective_values(facts, greedy)
    mip = PairMip(facts, candidates, OBJECTIVES)
    x = columns_of(candidates, mip.columns, greedy, shortfall=values["max_shortfall_permille"])
    for name in ("overdue_housed", "persons_housed", "quality"):
        assert objective_costs(facts, candidates, mip.columns, name) @ x == values[name]
    assert values["quality"] != 0 and values["max_shortfall_permille"] > 0  # the checks below can fail
    assert _within(*_row_activity(mip, x))
    x[mip.columns.shortfall] -= 1  # one permille better than the worst municipality: some row must break
    assert not _within(*_row_activity(mip, x))


@pytest.mark.parametrize(("preset", "households"), [("u16-week", None), ("nl-backlog", 60)])
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_highs_alone_on_each_objective_reaches_the_optimum_of_solve(preset: str, households: int | None,
                                                                    objective: str) -> None:
    instance, facts, candidates = _pair_model_of(preset, households, [objective])
    cpsat = solve_proposal(instance, SolveOptions(time_limit=20, workers=2)).stats["tiers"][0]
    assert cpsat["status"] == "optimal"

    mip = PairMip(facts, candidates, [objective])
    lp, best = mip.relaxation(objective, 20), mip.solve(objective, 20)
    assert best.status == "optimal"
    assert best.value == best.bound == cpsat["value"] == objective_values(facts, mip.solution())[objective]
    assert lp.status == "optimal"
    assert (lp.bound >= best.value) if objective != "max_shortfall_permille" else (lp.bound <= best.value)


@pytest.mark.parametrize(("preset", "households"), [("u16-week", None), ("nl-backlog", 60)])
def test_highs_tier_by_tier_reaches_every_optimum_of_solve_and_holds_the_earlier_ones(
        preset: str, households: int | None) -> None:
    instance, facts, candidates = _pair_model_of(preset, households)
    proposal = solve_proposal(instance, SolveOptions(time_limit=20, workers=2))
    assert proposal.status == "optimal"
    mip = PairMip(facts, candidates, OBJECTIVES)
    reached: dict[str, int] = {}
    for name in OBJECTIVES:
        outcome = mip.solve(name, 20)
        assert outcome.proven, name
        evaluated = objective_values(facts, mip.solution())
        assert evaluated[name] == outcome.value
        assert {held: evaluated[held] for held in reached} == reached
        reached[name] = outcome.value  # type: ignore[assignment]
        mip.hold(name, reached[name])
    assert reached == {objective.name: objective.value for objective in proposal.objectives}


def _events(run: object, spec: dict[str, object]) -> list[dict[str, object]]:
    stream = io.StringIO()
    run(spec, EventLog(stream))  # type: ignore[operator]
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _spec(run: str, preset: str = "u16-week", time_limit: float = 20, **more: object) -> dict[str, object]:
    return {"run": run, "recipe": registry.Recipe(preset).as_dict(), "time_limit": time_limit, "workers": 2,
            "last_phase": registry.RUNS[run].stop} | more


def test_the_highs_run_records_every_tier_it_proves() -> None:
    events = _events(run_highs, _spec("highs"))
    record = RunRecord(run="highs", outcome=FINISHED, events=events)
    assert {event["phase"] for event in events if event["event"] == "end"} >= set(registry.HIGHS_PHASES)
    tiers = highs_tiers(record)
    assert [tier.name for tier in tiers] == list(OBJECTIVES)
    assert all(tier.proven for tier in tiers)
    assert "highs_stopped" not in record.info()


def test_the_highs_run_stops_at_the_first_tier_it_does_not_prove(monkeypatch: pytest.MonkeyPatch) -> None:
    solve_tier = PairMip.solve

    def persons_unproven(self: PairMip, name: str, time_limit: float) -> Outcome:
        outcome = solve_tier(self, name, time_limit)
        return Outcome("time limit", outcome.seconds, outcome.value, None) if name == "persons_housed" else outcome

    monkeypatch.setattr(PairMip, "solve", persons_unproven)
    record = RunRecord(run="highs", outcome=FINISHED, events=_events(run_highs, _spec("highs")))
    assert [(tier.name, tier.status) for tier in highs_tiers(record)] == [("overdue_housed", "optimal"),
                                                                          ("persons_housed", "time limit")]
    assert record.info()["highs_stopped"] == {"tier": "persons_housed", "status": "time limit"}
    assert "stopped at persons: time limit" in report.highs_cell(_case_of({"highs": record}))


# --- the worker and the isolated runs --------------------------------------------------------------------


def _final_objectives(events: list[dict[str, object]]) -> object:
    return next(event["objectives"] for event in events if "objectives" in event and event["event"] == "info")


def test_worker_chain_reaches_what_solve_reaches_and_times_every_phase() -> None:
    events = _events(run_pipeline, _spec(registry.SUBJECT))
    ended = {event["phase"]: event for event in events if event["event"] == "end"}
    assert set(registry.PIPELINE) <= set(ended)

    week = load_instance(generate("u16-week", registry.SEED))
    proposal = solve_proposal(week, SolveOptions(time_limit=20, workers=2))
    assert proposal.status == "optimal"
    assert _final_objectives(events) == {objective.name: objective.value for objective in proposal.objectives}
    build = ended["build"]  # the class model solve_proposal() builds, counted as solve's stats count it
    assert (build["variables"], build["constraints"]) == (proposal.stats["variables"], proposal.stats["constraints"])
    assert build["classes"] == proposal.stats["classes"]
    tier = ended[registry.TIER_PHASES[0]]["tier"]  # overdue: the priced bound comes first, then the LP if needed
    assert tier["phases"]["priced_seconds"] >= 0 and "proven_by" in tier["phases"]


def test_the_pair_model_chain_reaches_the_same_optima_through_its_own_phases() -> None:
    events = _events(run_pair_model, _spec("pair-model"))
    ended = {event["phase"] for event in events if event["event"] == "end"}
    assert set(registry.PAIR_PIPELINE) <= ended
    assert "network" not in ended
    week = load_instance(generate("u16-week", registry.SEED))
    proposal = solve_proposal(week, SolveOptions(time_limit=20, workers=2))
    assert _final_objectives(events) == {objective.name: objective.value for objective in proposal.objectives}
    record = RunRecord(run="pair-model", outcome=FINISHED, events=events)
    assert all(tier.proven for tier in pipeline_tiers(record))


def test_a_run_ends_after_its_last_phase(tmp_path: Path) -> None:
    events_path = tmp_path / "events.jsonl"
    spec = _spec(registry.SUBJECT, last_phase="build", events=str(events_path))
    assert worker.main(["worker", json.dumps(spec)]) == 0
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    ended = [event["phase"] for event in events if event["event"] == "end"]
    assert ended[-1] == "build" and not set(ended) & set(registry.TIER_PHASES)
    assert events[-1]["event"] == "done"


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
    """The pair model at 1,000 households (300,000 candidate Booleans) does not fit in 0.4 GiB."""
    spec = {"run": "pair-model", "recipe": registry.Recipe("nl-backlog", households=1_000).as_dict(),
            "time_limit": 2, "workers": 2, "last_phase": registry.PAIR_PIPELINE[-1]}
    record = run_isolated(spec, timeout=60, memory_gib=0.4)
    assert record.outcome == MEMORY, record.reason
    assert record.stopped_in in registry.PAIR_PIPELINE
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


# --- comparing engines ----------------------------------------------------------------------------------


def _tiers(*outcomes: tuple[int, int]) -> list[Tier]:
    """Tiers in the default order from (value, bound); a tier whose bound is its value is proven."""
    return [Tier(name, "optimal" if value == bound else "feasible", value, bound, 1.0)
            for name, (value, bound) in zip(OBJECTIVES, outcomes, strict=False)]


def test_engines_that_agree_have_no_disagreements() -> None:
    assert disagreements(_tiers((14, 14), (35, 35)), _tiers((14, 14), (35, 35))) == []


def test_two_different_proven_optima_are_a_disagreement() -> None:
    found = disagreements(_tiers((14, 14), (35, 35)), _tiers((14, 14), (34, 34)))
    assert any("both proved an optimum, 35 and 34" in line for line in found)


def test_a_proven_bound_beaten_by_the_other_engine_is_a_disagreement() -> None:
    found = disagreements(_tiers((14, 14)), _tiers((15, 16)))
    assert any("bound 14 is beaten by the other engine's value 15" in line for line in found)


def test_tiers_after_one_either_engine_left_unproven_are_not_compared() -> None:
    """After a tier held at a value that is not its optimum, the engines solve different problems."""
    assert disagreements(_tiers((13, 15), (35, 35)), _tiers((14, 14), (30, 30))) == []


# --- the report ------------------------------------------------------------------------------------------


def _tier_end(phase: str, status: str, value: int, bound: int, seconds: float) -> dict[str, object]:
    name = phase.removeprefix(registry.TIER_PREFIX)
    return {"event": "end", "phase": phase, "seconds": seconds,
            "tier": {"name": name, "status": status, "value": value, "bound": bound, "gap": abs(bound - value),
                     "seconds": seconds, "time_limit": 15.0,
                     "phases": {"lp_seconds": 0.25, "proven_by": "lp"} if status == "optimal" else {}}}


def _highs_tier(name: str, status: str, value: int, bound: int, seconds: float) -> dict[str, object]:
    return {"event": "end", "phase": f"{registry.HIGHS_TIER_PREFIX}{name}", "seconds": seconds, "status": status,
            "value": value, "bound": bound, "objectives": {name: value}}


def _pipeline(run: str, setup: tuple[str, ...], tier_events: list[dict[str, object]], outcome: str = FINISHED,
              stopped_in: str | None = None) -> RunRecord:
    phases = [{"event": "end", "phase": phase, "seconds": 0.5} for phase in setup]
    return RunRecord(run=run, outcome=outcome, stopped_in=stopped_in, peak_rss_mib=2048.0, events=[
        {"event": "info", "households": 600, "pairs": 116_451}, *phases, *tier_events,
        {"event": "info", "objectives": {"overdue_housed": 354, "persons_housed": 900}},
        {"event": "end", "phase": "explain", "seconds": 0.1}, {"event": "end", "phase": "write", "seconds": 0.01}])


def _entry(name: str, runs: dict[str, RunRecord], left_out: dict[str, str] | None = None) -> dict[str, object]:
    return {"name": f"test_case[{name}]", "extra_info": {
        "kind": "case", "case": name, "time_limit": 60, "memory_limit_gib": 12, "left_out": left_out or {},
        "runs": {run: record.as_dict() for run, record in runs.items()}}}


def _case_of(runs: dict[str, RunRecord]) -> report.CaseResult:
    subject = _pipeline("matcher", registry.SETUP_PHASES, [])
    return report.CaseResult(_entry("u16-week", {"matcher": subject} | runs))


def _saved_run() -> dict[str, object]:
    quick = [_tier_end(phase, "optimal", 10, 10, seconds)
             for phase, seconds in zip(registry.TIER_PHASES, (0.1, 0.2, 0.3, 0.36), strict=True)]
    week = {"matcher": _pipeline("matcher", registry.SETUP_PHASES, quick),
            "pair-model": _pipeline("pair-model", registry.PAIR_SETUP_PHASES,
                                    [_tier_end(phase, "optimal", 10, 10, 0.5) for phase in registry.TIER_PHASES]),
            "highs": RunRecord(run="highs", outcome=FINISHED, events=[
                _highs_tier(name, "optimal", 10, 10, 2.0) for name in OBJECTIVES])}

    tiers = [_tier_end(registry.TIER_PHASES[0], "feasible", 354, 368, 15.0)]
    tiers += [_tier_end(phase, "optimal", 900, 900, 1.0) for phase in registry.TIER_PHASES[1:]]
    solved = _pipeline("matcher", registry.SETUP_PHASES, tiers)
    before = _pipeline("pair-model", registry.PAIR_SETUP_PHASES,
                       [_tier_end(registry.TIER_PHASES[0], "feasible", 321, 333, 15.0)], outcome=TIME_LIMIT,
                       stopped_in=registry.TIER_PHASES[1])
    greedy = RunRecord(run="greedy", outcome=FINISHED, events=[
        {"event": "end", "phase": "solve", "seconds": 1.0,
         "objectives": {"overdue_housed": 326, "persons_housed": 752}}])
    highs = RunRecord(run="highs", outcome=FINISHED, events=[
        {"event": "end", "phase": "highs-build", "seconds": 1.0, "columns": 10, "rows": 5},
        {"event": "end", "phase": "highs-lp", "seconds": 2.0, "objective": "overdue_housed", "status": "optimal",
         "value": 359, "bound": 359},
        _highs_tier("overdue_housed", "time limit", 350, 362, 60.0),
        {"event": "info", "highs_stopped": {"tier": "overdue_housed", "status": "time limit"}}])
    stopped = RunRecord(run="matcher", outcome=MEMORY, stopped_in="build", reason="out of memory in build",
                        peak_rss_mib=12_000.0, events=[{"event": "info", "households": 15_000}])

    return {"datetime": "2026-01-05T10:00:00+00:00", "commit_info": {"id": "abc", "branch": "main"},
            "machine_info": {"node": "bench", "cores": 2, "memory_gib": 24},
            "benchmarks": [_entry("u16-week", week),
                           _entry("u16-backlog", {"matcher": solved, "greedy": greedy, "highs": highs,
                                                  "pair-model": before}),
                           _entry("nl-backlog", {"matcher": stopped}, {"pair-model": "runs out of 12 GiB"})]}


def test_report_shows_gaps_ratios_and_walls() -> None:
    text = report.render(_saved_run())
    assert "gap 4.0 % (354/368) 15 s" in text
    assert "+28 overdue, +148 persons; 20.60× its time" in text
    assert "1.4 % (354 vs LP 359)" in text
    assert "nl-backlog (memory in build)" in text
    assert "| nl-backlog | matcher | memory | build |" in text


def test_report_shows_how_far_highs_got_tier_by_tier_and_matchers_time_against_it() -> None:
    text = report.render(_saved_run())
    assert "4/4 tiers proven; matcher 0.12× its time" in text
    assert "0/4 tiers proven; stopped at overdue: time limit, 350/362 (3.4 %)" in text


def test_report_puts_the_pair_model_before_matcher_and_says_where_it_was_left_out() -> None:
    text = report.render(_saved_run())
    assert "opt 0.50 s · opt 0.50 s · opt 0.50 s · opt 0.50 s" in text
    assert "gap 3.7 % 15 s; time limit in tier:persons_housed" in text
    assert "| nl-backlog | pair-model | left out | – | – | – | runs out of 12 GiB |" in text
    assert "lp 0.25 s, proven by lp" in text  # the steps of matcher's portfolio in the tier details


def test_report_replaces_only_the_table_in_the_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Protocol\n\n{report.START_MARKER}\nold table\n{report.END_MARKER}\n\nAfter.\n")
    report.splice(readme, "new table\n")
    assert readme.read_text() == f"# Protocol\n\n{report.START_MARKER}\nnew table\n{report.END_MARKER}\n\nAfter.\n"
