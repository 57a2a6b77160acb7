"""The solve process: one job, run apart from the server so that a crash or a memory blow-up stays here.

Started by the runner as ``python -m matcher.api.jobs.worker MEMORY_LIMIT_MB`` ahead of need: it limits its
own address space, imports the solver (most of a second no job has to wait for), and then
waits for one JSON line on stdin: the job (its kind, instance document and options; for a solve the solve
function, for a question what was asked and the proposal it is about). It writes JSON lines to its
protocol channel (the original stdout; anything printed goes to stderr, the job's log):

    {"type": "started", "matcher": ..., "ortools": ...}
    {"type": "progress", "tier": ..., "tier_index": ..., "tiers": ..., "value": ..., "bound": ..., "elapsed": ...}
    {"type": "proposal", "proposal": {...}}            each improved complete proposal
    {"type": "done", "proposal": {...}}                the final proposal
    {"type": "done", "answer": {...}}                  a question's answer
    {"type": "error", "kind": "memory" | "exception", "message": ...}

After the job line, stdin stays open: a line ``stop`` asks the solve to stop and hand back its best
proposal (``SolveControl.stop``, which reaches CP-SAT's ``stop_search``). End of file on stdin means the
server is gone (even a SIGKILLed server closes the pipe), and the process exits at once instead of
solving for nobody.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import threading
import time
import traceback
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, TextIO

from matcher.api.background import yield_to_requests
from matcher.job_kinds import SOLVE_JOB  # any other kind of job is a question

if TYPE_CHECKING:  # the solver (and OR-Tools) is imported only after the memory limit is in place
    from matcher.solver.options import Progress, SolveControl

STOP = "stop"
PROGRESS_INTERVAL_S = 0.2  # the server stores progress; more often than this is only database churn
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_OUT_OF_MEMORY = 3
EXIT_ORPHANED = 4
EXIT_STOPPED = 5  # a question stopped on request: it has nothing to hand back
MIB = 1024 * 1024
PREWARMED = "matcher.solver"  # imported while the process waits for its job

SolveFunction = Callable[..., Any]


class Channel:
    """JSON lines to the server; callbacks may come from CP-SAT's threads, so writes take a lock."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._last_progress = 0.0
        self._last_tier = -1

    def send(self, message: dict[str, Any]) -> None:
        line = json.dumps(message, separators=(",", ":"), allow_nan=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def progress(self, event: Progress) -> None:
        moment = time.monotonic()
        if event.tier_index == self._last_tier and moment - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress, self._last_tier = moment, event.tier_index
        self.send({"type": "progress", "tier": event.tier, "tier_index": event.tier_index, "tiers": event.tiers,
                   "value": event.value, "bound": event.bound, "elapsed": round(event.elapsed, 3)})

    def proposal(self, proposal: Any, kind: str = "proposal") -> None:
        self.send({"type": kind, "proposal": proposal.model_dump(mode="json", exclude_none=True)})


def limit_memory(megabytes: int) -> None:
    """Cap the address space, so a runaway solve fails here with MemoryError instead of starving the machine."""
    if megabytes > 0:
        limit = megabytes * MIB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def load_function(spec: str) -> SolveFunction:
    module_name, _, name = spec.partition(":")
    function = getattr(importlib.import_module(module_name), name or "solve_proposal")
    if not callable(function):
        raise TypeError(f"{spec} is not a function")
    return function


def watch_server(control: SolveControl, finished: threading.Event) -> None:
    """``stop`` lines stop the search; end of file means the server died, so this process ends too."""
    for line in sys.stdin:
        if line.strip() == STOP:
            control.stop()
    if not finished.is_set():
        os._exit(EXIT_ORPHANED)


def software_versions() -> dict[str, str]:
    found = {}
    for package in ("matcher", "ortools"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "unknown"
    return found


def run(job: dict[str, Any], channel: Channel, memory_limit_mb: int) -> int:
    from matcher.solver.options import SolveControl

    finished = threading.Event()
    control = SolveControl(on_progress=channel.progress, on_proposal=channel.proposal)
    threading.Thread(target=watch_server, args=(control, finished), daemon=True, name="watch-server").start()
    try:
        if job.get("kind", SOLVE_JOB) == SOLVE_JOB:
            solve_job(job, channel, control)
        else:
            answer_question(job, channel, control)
        return EXIT_OK
    except MemoryError:
        channel.send({"type": "error", "kind": "memory",
                      "message": f"the solve ran out of memory (limit {memory_limit_mb} MiB)"})
        return EXIT_OUT_OF_MEMORY
    except Exception as error:  # noqa: BLE001 - anything the solver raises is reported, never lost
        traceback.print_exc()
        channel.send({"type": "error", "kind": "exception", "message": f"{type(error).__name__}: {error}"})
        return EXIT_FAILED
    finally:
        finished.set()


def solve_job(job: dict[str, Any], channel: Channel, control: SolveControl) -> None:
    from matcher.solver.options import SolveOptions
    from matcher.validation import load_instance

    solve = load_function(job["solve_function"])
    instance = load_instance(job["instance"])
    options = SolveOptions(**job["options"])
    channel.send({"type": "started", **software_versions()})
    proposal = solve(instance, options, control)
    channel.proposal(proposal, kind="done")


def answer_question(job: dict[str, Any], channel: Channel, control: SolveControl) -> None:
    """A question (recommend, why-not) keeps nothing when stopped, so a stop ends its process at once."""
    started = time.monotonic()  # the question's time limit counts from here, reading the documents included
    from matcher.api.questions import answer

    control.while_running(lambda: os._exit(EXIT_STOPPED))
    channel.send({"type": "started", **software_versions()})
    found = answer(job["kind"], job["instance"], job["proposal"], job["question"], job["options"], started)
    channel.send({"type": "done", "answer": found})


def main(argv: list[str]) -> int:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the protocol
    memory_limit_mb = int(argv[0]) if argv else 0
    limit_memory(memory_limit_mb)
    yield_to_requests()
    importlib.import_module(PREWARMED)
    line = sys.stdin.readline()
    if not line:
        return EXIT_ORPHANED  # the server went away before it had a job for this process
    return run(json.loads(line), Channel(protocol), memory_limit_mb)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
