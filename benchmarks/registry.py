"""Every benchmark case as data: the instance recipe, the phases measured, the peers run beside matcher.

A case is one generated instance (preset, seed, size). For each case the suite runs matcher's pipeline
and each peer in its own process, under a memory limit and a wall-clock timeout (``benchmarks.isolation``),
so that a case too large to finish is recorded with the phase it stopped in and why, and the suite goes on.
The test modules turn each (case, phase) and (case, peer) into a pytest-benchmark entry, so that
``pytest-benchmark compare`` lines up the same figure across saved runs.

The smoke run (``--benchmark-disable``) runs every case shrunk to ``smoke_households`` with a short time
limit: the same code path end to end in seconds, so that the suite never rots.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from matcher.format import Policy
from matcher.generator import generate
from matcher.generator.variety import STANDARD

STANDARD_VARIETY = STANDARD.name
SEED = 1  # one fixed seed for every generated instance: the same documents in every run
WORKERS = 2  # the benchmark machine's cores; matcher runs with this many CP-SAT workers
MEMORY_LIMIT_GIB = 12.0  # address space of one run; the machine has 24 GiB, shared with others
SUITE_BUDGET_S = 55 * 60  # `make bench` must finish within the hour: runs not started by then are recorded

SMOKE_TIME_LIMIT_S = 1.0  # the whole solve, all tiers
SMOKE_TIMEOUT_S = 60.0  # one run in the smoke suite; tiny instances take a second or two
SMOKE_BUDGET_S = 300.0

TIERS = tuple(Policy().objectives)  # generated instances keep the default policy
TIER_PREFIX = "tier:"
HIGHS_TIER_PREFIX = "highs-tier:"
SETUP_PHASES = ("load", "pairs", "locks", "network", "greedy", "build")
TIER_PHASES = tuple(f"{TIER_PREFIX}{name}" for name in TIERS)
REPORT_PHASES = ("explain", "write")
PIPELINE = (*SETUP_PHASES, *TIER_PHASES, *REPORT_PHASES)  # matcher's chain, as ``matcher.solver.solve`` runs it
PAIR_SETUP_PHASES = ("load", "pairs", "locks", "candidates", "greedy", "build")
PAIR_PIPELINE = (*PAIR_SETUP_PHASES, *TIER_PHASES, *REPORT_PHASES)  # the pair model's chain, before the classes
PIPELINE_PHASES = frozenset(PIPELINE) | frozenset(PAIR_PIPELINE)
HIGHS_PHASES = ("load", "pairs", "locks", "candidates", "highs-build", "highs-lp",
                *(f"{HIGHS_TIER_PREFIX}{name}" for name in TIERS))
PHASE_MEANING = {
    "load": "matcher.validation.load_instance: parse and validate the document",
    "pairs": "derive_facts + compatible_pairs: the rules 1-6 over every (household, dwelling)",
    "locks": "check_locks: every lock alone and together",
    "network": "household_classes + dwelling_classes + build_network: interchangeable households and dwellings "
               "merged into classes, and the arcs between them",
    "greedy": "greedy_by_class: first come, first served over the classes, the warm start",
    "build": "build_class_model: the model over the network (counts per arc), every constraint family and "
             "objective",
    "explain": "build_proposal: the proposal with explanations for every household",
    "write": "Proposal.to_json",
} | {phase: f"one tier of optimise_lexicographically for {phase.removeprefix(TIER_PREFIX)}, earlier tiers "
              f"held: HiGHS LP bound, restricted HiGHS rounds, HiGHS branch-and-cut, CP-SAT"
     for phase in TIER_PHASES}
PAIR_PHASE_MEANING = {
    "candidates": "usable_candidates: pairs some feasible proposal can use, with their school options",
    "greedy": "greedy_solution: first come, first served over the pairs, the warm start",
    "build": "build_model: the CP-SAT pair model, one Boolean per candidate pair and school option",
} | {phase: f"one CP-SAT search for {phase.removeprefix(TIER_PREFIX)} on the pair model, earlier tiers held"
     for phase in TIER_PHASES}


@dataclass(frozen=True)
class Run:
    """One isolated process of a case: matcher itself, or a peer a user might pick instead."""

    name: str
    kind: str  # the worker function: "pipeline", "pair-model", "greedy" or "highs"
    workers: int = WORKERS
    chain: tuple[str, ...] = PIPELINE  # the phases the run goes through, in order
    last_phase: str | None = None  # where the run stops in its chain; None: at the chain's end
    solve_limits: int = 1  # how many time limits the run may spend solving (HiGHS: the LP, then a MIP per tier)
    same_model_as: str | None = None  # not run when that run already stopped before its search began

    @property
    def stop(self) -> str:
        return self.last_phase or self.chain[-1]


RUNS = {
    run.name: run
    for run in (
        Run("matcher", "pipeline"),
        Run("cpsat-w1", "pipeline", workers=1, last_phase=TIER_PHASES[-1], same_model_as="matcher"),
        Run("pair-model", "pair-model", chain=PAIR_PIPELINE),
        Run("greedy", "greedy", chain=("load", "solve"), solve_limits=0),
        Run("highs", "highs", chain=HIGHS_PHASES, solve_limits=1 + len(TIERS)),
    )
}
SUBJECT = "matcher"
PEERS = ("greedy", "highs", "pair-model", "cpsat-w1")
PEER_MEANING = {
    "greedy": "SolveOptions(method='greedy'): first come, first served, what a coordinator does by hand",
    "highs": "HiGHS on the pair model, tier by tier (each a MIP, earlier tiers held at their optima, warm-started "
             "from the previous tier), after the first tier's LP relaxation; stops at the first tier it does not "
             "prove",
    "pair-model": "the straightforward model matcher solved before the classes: usable_candidates, "
                  "greedy_solution, build_model (one Boolean per pair), CP-SAT per tier; the 'before' figures",
    "cpsat-w1": "matcher's own pipeline with one worker instead of two (CP-SAT, and HiGHS's branch-and-cut "
                "after the restricted rounds instead of beside them)",
}
PAIR_MODEL_OUT_OF_MEMORY = "runs out of 12 GiB in build at this size (sweep of 2026-11-27: 32 and 63 million pairs)"


@dataclass(frozen=True)
class Recipe:
    """How to make a case's instance: ``matcher.generator.generate(preset, seed, households, variety=...)``."""

    preset: str
    seed: int = SEED
    households: int | None = None  # None: the preset's own size (and its own dwelling count)
    variety: str = STANDARD_VARIETY

    @property
    def name(self) -> str:
        """``u16-backlog``, ``u16-backlog-s2``, ``u16-backlog-wide-s3``, ``nl-backlog-h3000``: the seed is named
        when it is not the suite's usual one, the variety when it is not the standard one."""
        varied = "" if self.variety == STANDARD_VARIETY else f"-{self.variety}"
        seeded = "" if self.seed == SEED else f"-s{self.seed}"
        sized = "" if self.households is None else f"-h{self.households}"
        return f"{self.preset}{varied}{seeded}{sized}"

    def document(self) -> dict[str, Any]:
        return generate(self.preset, self.seed, households=self.households, variety=self.variety)

    def as_dict(self) -> dict[str, Any]:
        return {"preset": self.preset, "seed": self.seed, "households": self.households, "variety": self.variety}


@dataclass(frozen=True)
class Case:
    recipe: Recipe
    time_limit: float  # seconds for matcher's whole solve (as `matcher solve --time-limit`); HiGHS gets it per solve
    setup_allowance: float  # seconds a run may take beyond its time limits (generate, load, pairs, build, explain)
    smoke_households: int | None  # the size the smoke run uses; None: the recipe's own
    phases: tuple[str, ...] = PIPELINE
    peers: tuple[str, ...] = PEERS
    left_out: dict[str, str] = field(default_factory=dict, compare=False)  # peers not run here, and why
    memory_gib: float = MEMORY_LIMIT_GIB
    notes: str = field(default="", compare=False)
    label: str = ""  # the case's name when its recipe was shrunk for the smoke run
    in_smoke: bool = True  # False: the smoke run leaves it out (another seed of a case: the same code path)

    @property
    def name(self) -> str:
        return self.label or self.recipe.name

    @property
    def runs(self) -> tuple[str, ...]:
        return (SUBJECT, *self.peers)

    def timeout(self, run: str) -> float:
        """Wall-clock seconds after which a run is stopped and recorded as stopped by the time limit."""
        return self.setup_allowance + RUNS[run].solve_limits * self.time_limit

    def last_phase(self, run: str) -> str:
        """Where a run may stop: the last phase of its chain that the case measures (a case measures fewer
        of the pipelines' phases by leaving them out; a peer's own phases are always measured)."""
        chain = RUNS[run].chain
        through = chain[:chain.index(RUNS[run].stop) + 1]
        wanted = [phase for phase in through if phase in self.phases or phase not in PIPELINE_PHASES]
        return wanted[-1] if wanted else chain[0]

    def smoke(self) -> Case:
        """The same case at its smallest size, with a short time limit."""
        recipe = self.recipe if self.smoke_households is None else replace(self.recipe,
                                                                           households=self.smoke_households)
        most_limits = max(RUNS[run].solve_limits for run in self.runs)
        return replace(self, recipe=recipe, label=self.name, time_limit=SMOKE_TIME_LIMIT_S,
                       setup_allowance=SMOKE_TIMEOUT_S - most_limits * SMOKE_TIME_LIMIT_S)


WITHOUT_PAIR_MODEL = tuple(peer for peer in PEERS if peer != "pair-model")
MORE_SEEDS = (2, 3)  # issue 17: every 600-household backlog on three seeds, so that no one draw is tuned for
ONLY_GREEDY = ("greedy",)
OTHER_SEED_LEFT_OUT = {peer: "the same peer runs on seed 1; other seeds compare matcher with greedy only, to keep "
                             "the suite within the hour" for peer in PEERS if peer not in ONLY_GREEDY}
CASES = (
    Case(Recipe("u16-week"), time_limit=20, setup_allowance=30, smoke_households=None,
         notes="one week in Utrecht-16: the bundled sample"),
    Case(Recipe("u16-backlog"), time_limit=60, setup_allowance=40, smoke_households=30,
         notes="a region's backlog: 600 households, 450 dwellings"),
    *(Case(Recipe("u16-backlog", seed=seed), time_limit=60, setup_allowance=40, smoke_households=30,
           peers=ONLY_GREEDY, left_out=OTHER_SEED_LEFT_OUT, in_smoke=False) for seed in MORE_SEEDS),
    Case(Recipe("u16-backlog", variety="wide"), time_limit=60, setup_allowance=40, smoke_households=30,
         notes="a region's backlog drawn wider (generate --variety wide): about 400 household classes, not 250"),
    *(Case(Recipe("u16-backlog", seed=seed, variety="wide"), time_limit=60, setup_allowance=40, smoke_households=30,
           peers=ONLY_GREEDY, left_out=OTHER_SEED_LEFT_OUT, in_smoke=False) for seed in MORE_SEEDS),
    Case(Recipe("nl-backlog", households=1_000), time_limit=60, setup_allowance=60, smoke_households=30),
    Case(Recipe("nl-backlog", households=3_000), time_limit=120, setup_allowance=150, smoke_households=60),
    Case(Recipe("nl-backlog", households=10_000), time_limit=120, setup_allowance=300, smoke_households=100,
         peers=WITHOUT_PAIR_MODEL, left_out={"pair-model": PAIR_MODEL_OUT_OF_MEMORY}),
    Case(Recipe("nl-backlog"), time_limit=120, setup_allowance=300, smoke_households=150,
         peers=WITHOUT_PAIR_MODEL, left_out={"pair-model": PAIR_MODEL_OUT_OF_MEMORY},
         notes="the national backlog: 15,000 households, 10,000 dwellings"),
)


def cases(smoke: bool) -> tuple[Case, ...]:
    return tuple(case.smoke() for case in CASES if case.in_smoke) if smoke else CASES


def case_named(name: str, smoke: bool) -> Case:
    return next(case for case in cases(smoke) if case.name == name)

