"""Time and memory of the phases before the model: generate, load, derive facts, derive compatible pairs.

Run: ``.venv/bin/python benchmarks/measure_pairs.py [--preset nl-backlog] [--seed 1] [--households N]``.
Each phase runs twice: once plainly for its wall time, once under ``tracemalloc`` for the peak of memory
allocated during the phase (numpy reports its buffers to tracemalloc); the process's peak resident set
(``ru_maxrss``) after the phase is printed too. To be folded into the benchmark suite later.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from matcher.facts import derive_facts
from matcher.generator import PRESETS, generate
from matcher.rules import compatible_pairs
from matcher.validation import load_instance

MIB = 1024 * 1024
KIB_PER_MIB = 1024  # ru_maxrss is in KiB on Linux


def measure(phase: Callable[[], Any]) -> tuple[Any, float, float]:
    """The phase's result, its wall time in seconds, and the peak of memory it allocated, in MiB."""
    begin = time.perf_counter()
    result = phase()
    seconds = time.perf_counter() - begin
    del result
    tracemalloc.start()
    result = phase()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / MIB


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="nl-backlog", choices=list(PRESETS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {"preset": args.preset, "seed": args.seed}
    document, figures["generate_s"], figures["generate_peak_mib"] = measure(
        lambda: generate(args.preset, args.seed, households=args.households))
    instance, figures["load_s"], figures["load_peak_mib"] = measure(lambda: load_instance(document))
    figures["households"], figures["dwellings"] = len(instance.households), len(instance.dwellings)
    facts, figures["derive_facts_s"], figures["derive_facts_peak_mib"] = measure(lambda: derive_facts(instance))
    figures["rss_after_facts_mib"] = max_rss_mib()
    pairs, figures["compatible_pairs_s"], figures["compatible_pairs_peak_mib"] = measure(
        lambda: compatible_pairs(facts))
    figures["rss_after_pairs_mib"] = max_rss_mib()
    figures["compatible_pairs"] = len(pairs)
    figures["pair_density"] = len(pairs) / max(1, figures["households"] * figures["dwellings"])

    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print(f"{args.preset} seed {args.seed}: {figures['households']} households, {figures['dwellings']} dwellings")
        for phase in ("generate", "load", "derive_facts", "compatible_pairs"):
            print(f"  {phase:<17} {figures[f'{phase}_s']:7.2f} s   peak allocated "
                  f"{figures[f'{phase}_peak_mib']:8.1f} MiB")
        print(f"  compatible pairs  {figures['compatible_pairs']:,} ({figures['pair_density']:.1%} of all pairs)")
        print(f"  max RSS           {figures['rss_after_facts_mib']:.0f} MiB after facts, "
              f"{figures['rss_after_pairs_mib']:.0f} MiB after pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
