"""Disruption: after declines, how many other proposed pairs move, with and without ``kept_previous``.

Per case (the registry's recipes): solve the instance, then, for a few seeded draws, decline one proposed
pair (and, separately, 5 % of them), build the next instance as ``matcher replan`` does (declined pairs
forbidden, every other proposed pair in ``previous``) and solve it twice:

- **re-plan**: ``kept_previous`` right after ``persons_housed`` (what ``matcher replan`` and the service do);
- **fresh**: the same next instance under the instance's own objective order, without ``kept_previous``
  (what a re-plan did before: every pair may move).

Counted: the other pairs of the first proposal (not declined) that are not in the new proposal; whether
``overdue_housed`` and ``persons_housed`` of the re-plan equal the fresh solve's (they rank first, so they
must); and both solves' seconds (wall clock on a shared machine: noisy, compare them as a ratio).

    .venv/bin/python -m benchmarks.disruption u16-week [--draws 5] [--time-limit 20] [-o FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.registry import CASES, Recipe
from matcher.format import Proposal
from matcher.replan.next_instance import Decision, next_instance
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance

SHARE_DECLINED = 0.05  # "5 % of the pairs" of the issue
KEPT = "kept_previous"
FIRST_TIERS = ("overdue_housed", "persons_housed")
DRAW_SEED = 7  # which pairs are declined: the same draws in every run

Pair = tuple[str, str]


@dataclass(frozen=True)
class Draw:
    declined: int
    moved_replan: int  # other pairs that changed in the re-plan (kept_previous after persons_housed)
    moved_fresh: int  # other pairs that changed in a fresh solve of the same next instance
    first_tiers_equal: bool  # overdue_housed and persons_housed of the re-plan equal the fresh solve's
    replan_status: str
    fresh_status: str
    replan_s: float
    fresh_s: float


def pairs_of(proposal: Proposal) -> set[Pair]:
    return {(a.household, a.dwelling) for a in proposal.assignments}


def timed_solve(document: dict[str, Any], options: SolveOptions) -> tuple[Proposal, float]:
    instance = load_instance(document)
    began = time.monotonic()
    proposal = solve_proposal(instance, options)
    return proposal, time.monotonic() - began


def one_draw(document: dict[str, Any], first: Proposal, declined: list[Pair], options: SolveOptions) -> Draw:
    decisions = {pair: Decision(accepted=False, reason="declined in the disruption benchmark") for pair in declined}
    replan_document = next_instance(document, first.model_dump(mode="json"), decisions).document
    fresh_document = dict(replan_document, policy=dict(replan_document["policy"], objectives=[
        name for name in replan_document["policy"]["objectives"] if name != KEPT]))
    replan, replan_s = timed_solve(replan_document, options)
    fresh, fresh_s = timed_solve(fresh_document, options)
    others = pairs_of(first) - set(declined)
    values = {name: (replan.objective(name), fresh.objective(name)) for name in FIRST_TIERS}
    equal = all(r is not None and f is not None and r.value == f.value for r, f in values.values())
    return Draw(len(declined), len(others - pairs_of(replan)), len(others - pairs_of(fresh)), equal,
                replan.status, fresh.status, round(replan_s, 2), round(fresh_s, 2))


def measure(recipe: Recipe, draws: int, time_limit: float, workers: int) -> dict[str, Any]:
    document = recipe.document()
    options = SolveOptions(time_limit=time_limit, workers=workers)
    first, first_s = timed_solve(document, options)
    proposed = sorted(pairs_of(first))
    rng = random.Random(DRAW_SEED)
    results: dict[str, list[Draw]] = {"one": [], "share": []}
    for pair in rng.sample(proposed, min(draws, len(proposed))):  # distinct pairs: as many draws as pairs = all
        results["one"].append(one_draw(document, first, [pair], options))
    many = max(1, round(SHARE_DECLINED * len(proposed)))
    for _ in range(max(1, draws // 2)):
        results["share"].append(one_draw(document, first, rng.sample(proposed, many), options))
    return {"case": recipe.name, "pairs_proposed": len(proposed), "first_status": first.status,
            "first_s": round(first_s, 2), "time_limit": time_limit, "workers": workers,
            "draws": {kind: [asdict(draw) for draw in found] for kind, found in results.items()},
            "summary": {kind: summary(found) for kind, found in results.items()}}


def summary(draws: list[Draw]) -> dict[str, Any]:
    return {
        "declined": draws[0].declined,
        "draws": len(draws),
        "moved_replan_median": statistics.median(d.moved_replan for d in draws),
        "moved_replan_mean": round(statistics.fmean(d.moved_replan for d in draws), 2),
        "moved_replan_max": max(d.moved_replan for d in draws),
        "moved_fresh_median": statistics.median(d.moved_fresh for d in draws),
        "moved_fresh_mean": round(statistics.fmean(d.moved_fresh for d in draws), 2),
        "moved_fresh_max": max(d.moved_fresh for d in draws),
        "first_tiers_equal": all(d.first_tiers_equal for d in draws),
        "replan_all_optimal": all(d.replan_status == "optimal" for d in draws),
        "fresh_all_optimal": all(d.fresh_status == "optimal" for d in draws),
        "replan_s_max": max(d.replan_s for d in draws),
        "fresh_s_max": max(d.fresh_s for d in draws),
        "replan_over_fresh_max": round(max(d.replan_s / max(d.fresh_s, 1e-3) for d in draws), 2),
        "replan_over_fresh_total": round(sum(d.replan_s for d in draws) / max(sum(d.fresh_s for d in draws), 1e-3), 2),
    }


def table(result: dict[str, Any]) -> str:
    """The README's row format: one line per kind of draw."""
    lines = []
    for s in result["summary"].values():
        declined = f"{s['declined']} of {result['pairs_proposed']} ({s['draws']} draws)"
        lines.append(f"| {result['case']} | {declined} | "
                     f"{s['moved_fresh_median']:g} / {s['moved_fresh_mean']:g} / {s['moved_fresh_max']} | "
                     f"{s['moved_replan_median']:g} / {s['moved_replan_mean']:g} / {s['moved_replan_max']} | "
                     f"{'yes' if s['first_tiers_equal'] else 'NO'} | "
                     f"{s['replan_s_max']:.2f} s vs {s['fresh_s_max']:.2f} s "
                     f"(ratio: worst {s['replan_over_fresh_max']:g}, "
                     f"in total {s['replan_over_fresh_total']:g}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.disruption", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=[case.name for case in CASES])
    parser.add_argument("--draws", type=int, default=5,
                        help="single declines drawn, each a different pair (5 %% declines: half as many draws)")
    parser.add_argument("--time-limit", type=float, help="per solve; default: the case's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-o", "--output", help="write the JSON record here")
    args = parser.parse_args(argv)
    case = next(case for case in CASES if case.name == args.case)
    result = measure(case.recipe, args.draws, args.time_limit or case.time_limit, args.workers)
    text = json.dumps(result, indent=1)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
