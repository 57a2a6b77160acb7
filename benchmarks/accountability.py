"""Why-not and recommend on a case's instance: wall time against the time limit, and which statements are proven.

Per case (the registry's recipes): solve the instance (or read a proposal saved by an earlier run), read it
back as the baseline the way ``matcher why-not`` does, then

- **why-not** for a few pairs drawn with a fixed seed among the pairs some proposal could contain (compatible,
  no obstacle) whose household has another dwelling or none: a household left out, or placed elsewhere;
- **recommend** for one household with a handful of possible dwellings (left out if one is: the first such
  household, in the instance's order, with the fewest possible dwellings of at least ``MIN_OPTIONS``).

Recorded per answer: the seconds from reading the documents to the answer (wall clock: noisy on a shared
machine, so give the load average with it), the time limit, the verdict, the objective that decides and by
how much, whether the cost is proven, and every tier's status, value, bound and seconds in the forced
re-solve, with the re-solve's phases (the least-change step among them). The same command line runs on a
quiet machine for the figures in benchmarks/README.md:

    .venv/bin/python -m benchmarks.accountability u16-backlog [--pairs 3] [--time-limit 60] \\
        [--proposal /tmp/u16-backlog.proposal.json] [-o FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.registry import CASES
from matcher.accountability.baseline import Baseline, load_baseline
from matcher.accountability.forcing import Forced, question_budget
from matcher.accountability.obstacles import pair_obstacles
from matcher.accountability.recommend import recommend_dwellings
from matcher.accountability.why_not import why_not
from matcher.format import Instance, Proposal
from matcher.proposal_reader import load_proposal
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance

PAIR_SEED = 7  # which pairs are asked about: the same in every run
MIN_OPTIONS = 3  # possible dwellings the household asked about in recommend has at least


def base_proposal(instance: Instance, saved: Path | None, time_limit: float, workers: int) -> tuple[Proposal, float]:
    """The proposal the questions are about: read from ``saved`` if it exists, else solved (and saved there)."""
    if saved is not None and saved.exists():
        return load_proposal(saved), 0.0
    began = time.monotonic()
    proposal = solve_proposal(instance, SolveOptions(time_limit=time_limit, workers=workers))
    seconds = time.monotonic() - began
    if saved is not None:
        saved.write_text(proposal.to_json(), encoding="utf-8")
    return proposal, seconds


def possible_pairs(baseline: Baseline) -> list[tuple[int, int]]:
    """Compatible pairs with no obstacle whose household is not in that dwelling: the pairs forcing answers."""
    facts = baseline.facts
    where = {p.household: p.dwelling for p in baseline.solution}
    pairs = zip(baseline.pairs.household.tolist(), baseline.pairs.dwelling.tolist(), strict=True)
    return [(h, d) for h, d in pairs if where.get(h) != d and not pair_obstacles(facts, h, d)]


def tiers_of(forced: Forced) -> list[dict[str, Any]]:
    stats = forced.proposal.model_extra or {}
    tiers = stats.get("stats", {}).get("tiers", [])
    return [{key: tier.get(key) for key in ("name", "status", "value", "bound", "seconds", "time_limit")}
            | {"proven_by": tier.get("phases", {}).get("proven_by")} for tier in tiers]


def forced_record(forced: Forced) -> dict[str, Any]:
    stats = (forced.proposal.model_extra or {}).get("stats", {})
    deciding = forced.deciding
    return {"status": forced.proposal.status, "cost_proven": forced.cost_proven,
            "deciding": deciding.name if deciding else None, "worse_by": deciding.worse_by if deciding else 0,
            "lost": len(forced.lost), "moved": len(forced.moved), "tiers": tiers_of(forced),
            "phases": stats.get("phases", {}), "least_change": stats.get("least_change")}


def ask_why_not(instance: Instance, proposal: Proposal, pair: tuple[str, str], options: SolveOptions) -> dict[str, Any]:
    began = time.monotonic()
    baseline = load_baseline(instance, proposal)
    answer = why_not(baseline, pair[0], pair[1], options, question_budget(options, began))
    seconds = time.monotonic() - began
    record = {"household": pair[0], "dwelling": pair[1], "seconds": round(seconds, 2),
              "time_limit": options.time_limit, "verdict": answer.verdict,
              "statements": [statement["code"] for statement in answer.statements]}
    return record | (forced_record(answer.forced) if answer.forced else {})


def ask_recommend(instance: Instance, proposal: Proposal, household: str, options: SolveOptions) -> dict[str, Any]:
    began = time.monotonic()
    baseline = load_baseline(instance, proposal)
    recommendation = recommend_dwellings(baseline, household, options=options, budget=question_budget(options, began))
    seconds = time.monotonic() - began
    return {"household": household, "seconds": round(seconds, 2), "time_limit": options.time_limit,
            "considered": recommendation.considered, "blocked": len(recommendation.blocked),
            "unanswered": len(recommendation.unanswered),
            "options": [{"dwelling": option.dwelling, "order_proven": proven} | forced_record(option)
                        for option, proven in zip(recommendation.options, recommendation.order_proven, strict=True)]}


def recommend_subject(baseline: Baseline, possible: list[tuple[int, int]]) -> str | None:
    """A household with the fewest possible dwellings of at least ``MIN_OPTIONS``, first in order: one left out
    if there is one (a week's instance places everyone it can)."""
    placed = {p.household for p in baseline.solution}
    count: dict[int, int] = {}
    for h, _ in possible:
        count[h] = count.get(h, 0) + 1
    fitting = sorted((h in placed, n, h) for h, n in count.items() if n >= MIN_OPTIONS)
    return baseline.facts.households.ids[fitting[0][2]] if fitting else None


def measure(case_name: str, pairs: int, time_limit: float, workers: int, saved: Path | None,
            recommend: bool = True) -> dict[str, Any]:
    case = next(case for case in CASES if case.name == case_name)
    instance = load_instance(case.recipe.document())
    proposal, solve_seconds = base_proposal(instance, saved, case.time_limit, workers)
    baseline = load_baseline(instance, proposal)
    possible = possible_pairs(baseline)
    ids_h, ids_d = baseline.facts.households.ids, baseline.facts.dwellings.ids
    asked = [(ids_h[h], ids_d[d]) for h, d in random.Random(PAIR_SEED).sample(possible, min(pairs, len(possible)))]
    options = SolveOptions(time_limit=time_limit, workers=workers)
    result: dict[str, Any] = {
        "case": case_name, "base_status": proposal.status, "base_seconds": round(solve_seconds, 2),
        "base_tiers": [{key: t.get(key) for key in ("name", "status", "value", "bound")}
                       for t in (proposal.model_extra or {}).get("stats", {}).get("tiers", [])],
        "load_average": os.getloadavg()[0], "time_limit": time_limit, "workers": workers,
        "why_not": [ask_why_not(instance, proposal, pair, options) for pair in asked]}
    subject = recommend_subject(baseline, possible) if recommend else None
    if subject is not None:
        result["recommend"] = ask_recommend(instance, proposal, subject, options)
    result["load_average_after"] = os.getloadavg()[0]
    return result


def table(result: dict[str, Any]) -> str:
    """One line per answer: seconds against the limit, and what is proven."""
    lines = [f"{result['case']}: base {result['base_status']}, load average {result['load_average']:.1f} -> "
             f"{result['load_average_after']:.1f}, time limit {result['time_limit']:g} s"]
    for answer in result["why_not"]:
        lines.append(f"  why-not {answer['household']} {answer['dwelling']}: {answer['seconds']:.1f} s, "
                     f"{answer['verdict']}, {_statement(answer)}")
    answer = result.get("recommend")
    if answer:
        lines.append(f"  recommend {answer['household']}: {answer['seconds']:.1f} s, {answer['considered']} "
                     f"dwellings re-solved, {answer.get('unanswered', 0)} not in time, {answer['blocked']} blocked")
        lines += [f"    {option['dwelling']}: {_statement(option)}" for option in answer["options"]]
    return "\n".join(lines)


def _statement(answer: dict[str, Any]) -> str:
    if "tiers" not in answer:
        return "no re-solve"
    proven = [tier["name"] for tier in answer["tiers"] if tier["status"] == "optimal"]
    deciding = f"{answer['deciding']} worse by {answer['worse_by']}" if answer["deciding"] else "no objective changes"
    return (f"{deciding}, cost {'proven' if answer['cost_proven'] else 'NOT proven'}; tiers proven: "
            f"{', '.join(proven) or 'none'}; least change {answer.get('least_change')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accountability", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=[case.name for case in CASES])
    parser.add_argument("--pairs", type=int, default=3, help="why-not questions, each a different pair")
    parser.add_argument("--time-limit", type=float, default=60.0, help="of each question, as the commands' default")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--proposal", type=Path, help="the base proposal: read if it exists, else solved and saved")
    parser.add_argument("--no-recommend", action="store_true", help="only the why-not questions")
    parser.add_argument("-o", "--output", help="write the JSON record here")
    args = parser.parse_args(argv)
    result = measure(args.case, args.pairs, args.time_limit, args.workers, args.proposal, not args.no_recommend)
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
