"""From a sweep file to the list of replays: every (variant, seed, policy), each with its scenario.

For a base given as a generator preset, each seed is its own scenario (``generate_scenario(preset, seed)``):
other arrivals, other offers, other draws. For a base given as a scenario file, each seed replays the same
file with that acceptance seed (other decisions). Either way the seed is also the solver's seed. The base's
own transforms (e.g. a shorter horizon) apply first, to every variant; the variant's then apply on top.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matcher.sweep.store import Replay
from matcher.sweep.sweepfile import BASE_VARIANT, Sweep, Variant
from matcher.sweep.transforms import Document, apply, for_seed


def base_scenarios(sweep: Sweep, folder: Path) -> dict[int, Document]:
    """The untransformed base scenario of each seed; a file's path is relative to the sweep file."""
    if sweep.base.file is not None:
        document = json.loads((folder / sweep.base.file).read_text(encoding="utf-8"))
        return {seed: for_seed(document, seed) for seed in sweep.seeds}
    from matcher.simulation import generate_scenario  # the generator comes with the simulation package

    return {seed: generate_scenario(sweep.base.preset or "", seed) for seed in sweep.seeds}


def plan(sweep: Sweep, bases: dict[int, Document]) -> list[Replay]:
    """Every replay of the sweep, base first, in the file's order of variants, seeds and policies."""
    replays = []
    for seed in sweep.seeds:
        base = apply(bases[seed], sweep.base, ("base",))
        scenarios: dict[str, Any] = {BASE_VARIANT: base}
        for name, variant in sweep.variants.items():
            scenarios[name] = apply(base, variant, ("variants", name))
        for name, scenario in scenarios.items():
            for policy in sweep.policies:
                replays.append(Replay.make(name, seed, policy, scenario, sweep.time_limit_per_week,
                                           sweep.memory_mb))
    order = {name: index for index, name in enumerate(sweep.variant_names())}
    return sorted(replays, key=lambda r: (order[r.variant], sweep.seeds.index(r.seed),
                                          sweep.policies.index(r.policy)))


def describe(variant: Variant) -> str:
    """A variant's transforms in one line, for the table and the page."""
    parts = []
    for name, value in variant.model_dump(exclude_none=True, exclude={"file", "preset"}).items():
        parts.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    return "; ".join(parts) or "as given"
