"""``simulate``: replay a scenario week by week with a policy, exactly as the scenario format defines it.

Each week: build the week's instance from the scenario and the state (``week``), count the overdue
households at the week's start, ask the policy for a proposal, decide every proposed pair by its fixed draw
(``decisions``), and carry the accepted ones into the state. With a trace directory every week's instance
and proposal are written as ``wNN.instance.json`` and ``wNN.proposal.json``, so that anyone can check each
week with ``matcher check`` and recompute every figure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matcher.format import Proposal
from matcher.generator import instance_json
from matcher.simulation.decisions import is_accepted
from matcher.simulation.figures import figures, overdue_at_start
from matcher.simulation.policies import DEFAULT_SECONDS_PER_WEEK, PolicySettings, make_policy
from matcher.simulation.result import SimulationResult, WeekOutcome, WeekRecord
from matcher.simulation.scenario import Scenario
from matcher.simulation.state import ReplayState
from matcher.simulation.week import week_instance


class PolicyFailed(RuntimeError):
    """The policy returned no usable proposal for a week (a defect: a week's instance is always valid)."""


def simulate(scenario: Scenario, policy: str, *, time_limit_per_week: float | None = None, seed: int = 0,
             trace_dir: Path | None = None, on_week: Callable[[WeekOutcome], None] | None = None
             ) -> SimulationResult:
    """Replay ``scenario`` with ``policy`` (``fcfs``, ``weekly`` or ``lookahead``) over all its weeks."""
    settings = PolicySettings(seconds_per_week=time_limit_per_week or DEFAULT_SECONDS_PER_WEEK, seed=seed)
    propose = make_policy(policy, settings)
    if trace_dir is not None:
        trace_dir.mkdir(parents=True, exist_ok=True)
    state, overdue_weeks, rows = ReplayState(), 0, []
    for week in range(scenario.weeks):
        began = time.monotonic()
        document, instance = week_instance(scenario, state, week)
        overdue_now = overdue_at_start(scenario, state, week)
        overdue_weeks += overdue_now
        proposal = propose(instance, week)
        if proposal.status == "invalid":
            raise PolicyFailed(f"{policy} gave no proposal for {instance.id}: {'; '.join(proposal.errors or [])}")
        accepted, declined = _decide(scenario, state, proposal, week)
        row = WeekRecord(week=week, instance=instance.id, proposal_status=proposal.status,
                         assigned=len(proposal.assignments), accepted=accepted, declined=declined,
                         figures=figures(scenario, state, week + 1, overdue_weeks),
                         waiting=len(instance.households), overdue=overdue_now,
                         housed={m.id: m.housed + state.persons_in[m.id] for m in scenario.municipalities})
        rows.append(row)
        if trace_dir is not None:
            _write_trace(trace_dir, week, document, proposal)
        if on_week is not None:
            on_week(WeekOutcome(row, document, instance, proposal, time.monotonic() - began))
    return SimulationResult(scenario=scenario.id, policy=policy,
                            figures=figures(scenario, state, scenario.weeks, overdue_weeks), weeks=rows)


def _decide(scenario: Scenario, state: ReplayState, proposal: Proposal, week: int) -> tuple[int, int]:
    """Accept or decline every proposed pair independently; returns (accepted, declined)."""
    acceptance = scenario.acceptance
    accepted = declined = 0
    for assignment in proposal.assignments:
        if is_accepted(acceptance.probability, acceptance.seed, assignment.household, assignment.dwelling):
            state.accept(scenario, assignment, week)
            accepted += 1
        else:
            state.decline(assignment)
            declined += 1
    return accepted, declined


def trace_name(week: int, kind: str) -> str:
    """``w07.instance.json``, ``w07.proposal.json``."""
    return f"w{week:02d}.{kind}.json"


def _write_trace(trace_dir: Path, week: int, document: dict[str, Any], proposal: Proposal) -> None:
    (trace_dir / trace_name(week, "instance")).write_text(instance_json(document), encoding="utf-8")
    (trace_dir / trace_name(week, "proposal")).write_text(proposal.to_json() + "\n", encoding="utf-8")
