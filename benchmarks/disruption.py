"""Disruption: after declines, how many other proposed pairs move, with and without ``kept_previous``.

Per case (the registry's recipes): solve the instance, then, for a few seeded draws, decline one proposed
pair (and, separately, 5 % of them), build the next instance as ``matcher replan`` does (declined pairs
forbidden, every other proposed pair in ``previous``) and solve it twice:

- **re-plan**: ``kept_previous`` right after ``persons_housed`` (what ``matcher replan`` and the service do);
- **fresh**: the same next instance under the instance's own objective order, without ``kept_previous`` and
  without ``previous`` (what a re-plan did before: every pair may move, and the solve starts from scratch).

Counted: the other pairs of the first proposal (not declined) that are not in the new proposal (the
issue's "other pairs that changed"); whether ``overdue_housed`` and ``persons_housed`` of the re-plan equal
the fresh solve's (they rank first, so they must); whether ``matcher check`` accepts the re-plan (it
recomputes ``kept_previous`` from the ids); and both solves' seconds (wall clock on a shared machine: noisy,
compare them as a ratio). ``--evidence`` adds, per draw, the independent checks of
``benchmarks.disruption_evidence`` (every pair under review locked; the pair model's own optimum).

    .venv/bin/python -m benchmarks.disruption u16-week [--draws 5] [--time-limit 20] [-o FILE]
    .venv/bin/python -m benchmarks.disruption u16-week --seeds 1-8 [--variety wide] --draws 99 --evidence
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from typing import Any

from benchmarks import disruption_evidence
from benchmarks.registry import CASES, Recipe
from matcher.checker import check_proposal
from matcher.format import Proposal
from matcher.replan.next_instance import Decision, next_instance
from matcher.solver import SolveControl, SolveOptions, SolveResult, solve
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
    replan_tiers_s: float  # the tiers alone: the search for the proven optimum
    fresh_tiers_s: float
    checked: bool  # `matcher check` accepts the re-plan's proposal, kept_previous recomputed from the ids
    fresh_first: tuple[int, int]  # overdue_housed and persons_housed of the fresh solve
    replan_first: tuple[int, int]  # overdue_housed and persons_housed of the re-plan
    replan_kept: int  # the re-plan's kept_previous
    first_interim_kept: int  # pairs under review kept by the re-plan's first interim proposal (its first tier's)
    replan_phases: dict[str, Any]  # the re-plan's seconds per phase, and how many moved pairs were re-solved
    evidence: dict[str, Any] | None = None  # benchmarks.disruption_evidence, when asked for


def pairs_of(proposal: Proposal) -> set[Pair]:
    return {(a.household, a.dwelling) for a in proposal.assignments}


def timed_solve(document: dict[str, Any], options: SolveOptions,
                interim: list[Proposal] | None = None) -> tuple[SolveResult, float]:
    """The solve and its seconds; ``interim`` collects the proposals of the tiers as they end."""
    instance = load_instance(document)
    control = SolveControl(on_proposal=interim.append) if interim is not None else None
    began = time.monotonic()
    result = solve(instance, options, control)
    return result, time.monotonic() - began


def tiers_seconds(result: SolveResult) -> float:
    """The search for the optimum alone: without the explanations and a re-plan's re-solves of moved pairs."""
    return float(result.phases.get("tiers_seconds", 0.0))


def phases(result: SolveResult) -> dict[str, Any]:
    """Seconds per phase ("explain" includes the re-solves of moved pairs), and how many pairs were re-solved."""
    return {name: round(seconds, 2) for name, seconds in result.phases.items()} | {
        "move_proofs": result.stats.get("move_proofs", 0)}


def one_draw(document: dict[str, Any], first: Proposal, declined: list[Pair], options: SolveOptions,
             evidence: bool = False) -> Draw:
    decisions = {pair: Decision(accepted=False, reason="declined in the disruption benchmark") for pair in declined}
    replan_document = next_instance(document, first.model_dump(mode="json"), decisions).document
    fresh_document = dict(replan_document, previous=[], policy=dict(replan_document["policy"], objectives=[
        name for name in replan_document["policy"]["objectives"] if name != KEPT]))  # nothing of the first proposal
    interim: list[Proposal] = []
    replanned, replan_s = timed_solve(replan_document, options, interim)
    fresh_result, fresh_s = timed_solve(fresh_document, options)
    replan, fresh = replanned.proposal, fresh_result.proposal
    others = pairs_of(first) - set(declined)
    values = {name: (replan.objective(name), fresh.objective(name)) for name in FIRST_TIERS}
    equal = all(r is not None and f is not None and r.value == f.value for r, f in values.values())
    checked = check_proposal(load_instance(replan_document), replan.model_dump(mode="json", exclude_none=True)).ok
    moved = len(others - pairs_of(replan))
    found = disruption_evidence.gather(replan_document, moved, options).as_dict() if evidence else None
    overdue, persons = (int(f.value) if f is not None else -1 for _, f in values.values())
    replan_first = tuple(int(r.value) if r is not None else -1 for r, _ in values.values())
    kept = replan.objective(KEPT)
    under_review = {(p["household"], p["dwelling"]) for p in replan_document["previous"]}
    first_kept = len(pairs_of(interim[0]) & under_review) if interim else -1
    return Draw(len(declined), moved, len(others - pairs_of(fresh)), equal, replan.status, fresh.status,
                round(replan_s, 2), round(fresh_s, 2), round(tiers_seconds(replanned), 2),
                round(tiers_seconds(fresh_result), 2), checked,
                (overdue, persons), (replan_first[0], replan_first[1]), kept.value if kept is not None else -1,
                first_kept, phases(replanned), found)


def measure(recipe: Recipe, draws: int, time_limit: float, workers: int, evidence: bool = False) -> dict[str, Any]:
    document = recipe.document()
    options = SolveOptions(time_limit=time_limit, workers=workers)
    first_result, first_s = timed_solve(document, options)
    first = first_result.proposal
    proposed = sorted(pairs_of(first))
    rng = random.Random(DRAW_SEED)
    results: dict[str, list[Draw]] = {"one": [], "share": []}
    for pair in rng.sample(proposed, min(draws, len(proposed))):  # distinct pairs: as many draws as pairs = all
        results["one"].append(one_draw(document, first, [pair], options, evidence))
    many = max(1, round(SHARE_DECLINED * len(proposed)))
    for _ in range(max(1, min(draws, len(proposed)) // 2)):
        results["share"].append(one_draw(document, first, rng.sample(proposed, many), options, evidence))
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
        "moved_replan_counts": dict(sorted(Counter(d.moved_replan for d in draws).items())),
        "moved_fresh_median": statistics.median(d.moved_fresh for d in draws),
        "moved_fresh_mean": round(statistics.fmean(d.moved_fresh for d in draws), 2),
        "moved_fresh_max": max(d.moved_fresh for d in draws),
        "first_tiers_equal": all(d.first_tiers_equal for d in draws),
        "all_checked": all(d.checked for d in draws),
        "kept_mean": round(statistics.fmean(d.replan_kept for d in draws), 2),
        "first_interim_kept_mean": round(statistics.fmean(d.first_interim_kept for d in draws), 2),
        "replan_all_optimal": all(d.replan_status == "optimal" for d in draws),
        "fresh_all_optimal": all(d.fresh_status == "optimal" for d in draws),
        "replan_s_max": max(d.replan_s for d in draws),
        "fresh_s_max": max(d.fresh_s for d in draws),
        "replan_over_fresh_max": round(max(d.replan_s / max(d.fresh_s, 1e-3) for d in draws), 2),
        "replan_over_fresh_total": round(sum(d.replan_s for d in draws) / max(sum(d.fresh_s for d in draws), 1e-3), 2),
        "tiers_replan_over_fresh_max": round(max(d.replan_tiers_s / max(d.fresh_tiers_s, 1e-3) for d in draws), 2),
        "tiers_replan_over_fresh_total": round(sum(d.replan_tiers_s for d in draws)
                                               / max(sum(d.fresh_tiers_s for d in draws), 1e-3), 2),
    } | ({"evidence": evidence_verdict(draws)} if all(d.evidence is not None for d in draws) else {})


def evidence_verdict(draws: list[Draw]) -> dict[str, int]:
    """How many draws each independent check confirms, and how many it contradicts (a bug if any)."""
    verdict: Counter[str] = Counter()
    for d in draws:
        e = d.evidence or {}
        keep_all = tuple(e["keep_all"]) if e["keep_all"] is not None else None
        kept_all_loses = keep_all is None or keep_all < d.fresh_first
        verdict["moves_needed_confirmed" if (d.moved_replan > 0) == kept_all_loses else "moves_contradicted"] += 1
        if e["release_one_best"] is not None:
            two_needed = tuple(e["release_one_best"]) < d.fresh_first
            verdict["two_moves_confirmed" if two_needed else "two_moves_contradicted"] += 1
        if e["pair_model_kept"] is not None and e["pair_model_optimal"]:
            same = tuple(e["pair_model_first"]) == d.fresh_first and e["pair_model_kept"] == d.replan_kept
            verdict["pair_model_agrees" if same else "pair_model_differs"] += 1
    return dict(sorted(verdict.items()))


def table(result: dict[str, Any]) -> str:
    """The README's row format: one line per kind of draw."""
    lines = []
    for s in result["summary"].values():
        declined = f"{s['declined']} of {result['pairs_proposed']} ({s['draws']} draws)"
        lines.append(f"| {result['case']} | {declined} | "
                     f"{s['moved_fresh_median']:g} / {s['moved_fresh_mean']:g} / {s['moved_fresh_max']} | "
                     f"{s['moved_replan_median']:g} / {s['moved_replan_mean']:g} / {s['moved_replan_max']} | "
                     f"{' '.join(f'{k}:{n}' for k, n in s['moved_replan_counts'].items())} | "
                     f"{'yes' if s['first_tiers_equal'] else 'NO'}{'' if s['all_checked'] else ', CHECK FAILS'} | "
                     f"{s['replan_s_max']:.2f} s vs {s['fresh_s_max']:.2f} s "
                     f"(ratio: worst {s['replan_over_fresh_max']:g}, in total {s['replan_over_fresh_total']:g}; "
                     f"tiers alone: worst {s['tiers_replan_over_fresh_max']:g}, "
                     f"in total {s['tiers_replan_over_fresh_total']:g}) |"
                     + (f" {s['evidence']}" if "evidence" in s else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.disruption", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=[case.name for case in CASES])
    parser.add_argument("--seeds", help="other seeds of the case's recipe, e.g. 1-8 or 2,5: one row per seed")
    parser.add_argument("--variety", choices=("standard", "wide"), help="the generator's variety (default: the case's)")
    parser.add_argument("--cold-start", action="store_true",
                        help="re-plans start from first come, first served alone, as before the warm start that "
                             "keeps the pairs under review (for the before/after figure of the first interim "
                             "proposal)")
    parser.add_argument("--evidence", action="store_true",
                        help="check every draw independently (benchmarks.disruption_evidence); slower")
    parser.add_argument("--draws", type=int, default=5,
                        help="single declines drawn, each a different pair (5 %% declines: half as many draws)")
    parser.add_argument("--time-limit", type=float, help="per solve; default: the case's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-o", "--output", help="write the JSON record here")
    args = parser.parse_args(argv)
    case = next(case for case in CASES if case.name == args.case)
    if args.cold_start:
        solve_module = importlib.import_module("matcher.solver.solve")  # the package's `solve` is the function
        solve_module.previous_start = lambda *_: None
    recipe = replace(case.recipe, variety=args.variety) if args.variety else case.recipe
    seeds = seed_list(args.seeds) if args.seeds else [recipe.seed]
    results = []
    for seed in seeds:
        result = measure(replace(recipe, seed=seed), args.draws, args.time_limit or case.time_limit, args.workers,
                         args.evidence)
        results.append(result)
        print(table(result), flush=True)
    text = json.dumps(results if args.seeds else results[0], indent=1)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


def seed_list(text: str) -> list[int]:
    """``1-8`` or ``2,5,7`` (or both: ``1-3,9``) as a list of seeds."""
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds += list(range(int(low), int(high or low) + 1))
    return seeds


if __name__ == "__main__":
    sys.exit(main())
