"""Replays per minute of ``matcher sweep`` with 1 and with 2 workers, and the memory per replay.

    .venv/bin/python benchmarks/sweep_throughput.py [SWEEP.toml] [--workers 1 2]

The default sweep, ``benchmarks/sweep-throughput.toml``, is 24 quarter-year replays (a few minutes on two
free cores); ``instances/example-sweep.toml`` is the README's 36 half-year replays.

For each worker count, in a fresh process with its own local Ray (``num_cpus`` = workers) and a fresh
results directory: Ray is started first and not counted; then the whole sweep is timed from the first
submission to the last stored result (workers starting and importing matcher are counted: a real sweep
pays them too). Printed per worker count: wall seconds, replays per minute, the sum of the replays' own
seconds (what one core would need without Ray), and the median and largest peak memory of a replay.
On a shared machine the wall times are noisy: repeat, and compare the speed-up with the sum of seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL = Path(__file__).resolve().parent / "sweep-throughput.toml"


def measure(sweep_file: Path, workers: int) -> dict[str, float]:
    """One sweep with a fresh local Ray of ``workers`` CPUs and an empty results directory."""
    from matcher.sweep.plan import base_scenarios, plan
    from matcher.sweep.runner import run, start_ray
    from matcher.sweep.store import Store
    from matcher.sweep.sweepfile import load_sweep

    sweep = load_sweep(sweep_file)
    replays = plan(sweep, base_scenarios(sweep, sweep_file.parent))
    start_ray(workers=workers)
    with tempfile.TemporaryDirectory() as folder:
        began = time.monotonic()
        outcome = run(replays, Store(Path(folder)))
        wall = time.monotonic() - began
    records = list(outcome.records.values())
    memory = [r["peak_memory_mb"] for r in records if "peak_memory_mb" in r]
    return {"workers": workers, "replays": outcome.executed, "ok": outcome.count("ok"), "wall_s": round(wall, 1),
            "replays_per_minute": round(60 * outcome.executed / wall, 2),
            "replay_seconds_sum": round(sum(r.get("seconds", 0) for r in records), 1),
            "replay_cpu_seconds_sum": round(sum(r.get("cpu_seconds", 0) for r in records), 1),
            "peak_memory_mb_median": statistics.median(memory), "peak_memory_mb_max": max(memory)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_file", nargs="?", type=Path, default=SMALL)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process: one measurement
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.sweep_file, args.one)))
        return 0
    results = []
    for workers in args.workers:
        child = subprocess.run([sys.executable, __file__, str(args.sweep_file), "--one", str(workers)],
                               check=True, capture_output=True, text=True)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    if len(results) > 1:
        print(f"speed-up {results[-1]['workers']} over {results[0]['workers']} workers: "
              f"{results[0]['wall_s'] / results[-1]['wall_s']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
