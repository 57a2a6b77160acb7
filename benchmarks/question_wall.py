"""`matcher why-not` and `matcher recommend` as a user runs them: wall seconds from starting the command to its
exit, against the time limit, and what each answer proves.

Each command runs in a process of its own (Python's start, the imports, reading both documents and the process's
exit all count, as they do for the user). The pairs are picked as ``benchmarks.accountability`` picks them: a
why-not for a pair some proposal could contain whose household is elsewhere or left out (drawn with a fixed
seed), recommend for that household (``--household``) and for that dwelling (``--dwelling``: on a backlog,
hundreds of possible households). Run it on a quiet machine and give the load average with the figures:

    .venv/bin/matcher solve instances/u16-backlog.json -o /tmp/b.proposal.json --time-limit 60
    .venv/bin/python -m benchmarks.question_wall instances/u16-backlog.json /tmp/b.proposal.json --time-limits 30 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.accountability import PAIR_SEED, possible_pairs
from matcher.accountability.baseline import read_baseline

MATCHER = str(Path(sys.executable).with_name("matcher"))


def pick(instance: Path, proposal: Path) -> tuple[str, str]:
    """A possible pair whose household is not in that dwelling, the first of a fixed-seed draw."""
    baseline = read_baseline(instance, proposal)
    h, d = random.Random(PAIR_SEED).choice(possible_pairs(baseline))
    return baseline.facts.households.ids[h], baseline.facts.dwellings.ids[d]


def run(command: list[str]) -> tuple[float, dict[str, Any]]:
    """Wall seconds from start to exit, and the command's JSON answer."""
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.monotonic() - began, json.loads(done.stdout)


def proofs(answer: dict[str, Any]) -> str:
    """What the answer proves, in short: a why-not's cost statement, a recommendation's options and order."""
    if "verdict" in answer:
        return ", ".join(s["code"] for s in answer["statements"] if s["code"].startswith(("cost", "proof")))
    options = [f"{o.get('dwelling') if answer['subject'] == 'household' else o.get('household')}:"
               f"{'proven' if o['status'] == 'optimal' else 'cost' if o['cost_proven'] else 'unproven'}"
               f"{'' if o['order_proven'] else '/order?'}" for o in answer["options"]]
    return f"{' '.join(options)}; {len(answer['unanswered'])} not re-solved"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.question_wall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", type=Path)
    parser.add_argument("proposal", type=Path)
    parser.add_argument("--time-limits", type=float, nargs="+", default=[30.0, 60.0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-o", "--output", help="write the JSON record here")
    args = parser.parse_args(argv)
    household, dwelling = pick(args.instance, args.proposal)
    asks = {"why-not": ["why-not", "--household", household, "--dwelling", dwelling],
            "recommend --household": ["recommend", "--household", household],
            "recommend --dwelling": ["recommend", "--dwelling", dwelling]}
    records = []
    print(f"load average {os.getloadavg()[0]:.2f}; pair {household} {dwelling}", flush=True)
    for limit in args.time_limits:
        for name, ask in asks.items():
            command = [MATCHER, ask[0], str(args.instance), str(args.proposal), *ask[1:], "--json",
                       "--time-limit", f"{limit:g}", "--workers", str(args.workers)]
            seconds, answer = run(command)
            records.append({"question": name, "time_limit": limit, "seconds": round(seconds, 2),
                            "load_average": os.getloadavg()[0], "proofs": proofs(answer)})
            print(f"{name:<22} limit {limit:>4g} s: {seconds:6.2f} s wall ({'OVER' if seconds > limit else 'within'}),"
                  f" load {records[-1]['load_average']:.2f}; {records[-1]['proofs']}", flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
