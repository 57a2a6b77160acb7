"""Running one benchmark run in its own process, under a memory limit and a wall-clock timeout.

A case too large for the machine must be recorded (which phase, and why: time limit or memory), not
take the suite down with it. So each run is a child process (``benchmarks.worker``) whose address space
is capped with ``RLIMIT_AS`` and which is killed at its timeout; its events file says how far it got,
and ``wait4`` gives its own peak resident memory even when it was killed.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BYTES_PER_GIB = 1024**3
KIB_PER_MIB = 1024
POLL_SECONDS = 0.05
STDERR_TAIL_CHARS = 2000
MEMORY_MARKERS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory", "std::length_error")

FINISHED, TIME_LIMIT, MEMORY, ERROR, NOT_RUN = "finished", "time limit", "memory", "error", "not run"
WALLS = (TIME_LIMIT, MEMORY)  # outcomes that mark how far matcher scales, as opposed to a bug


@dataclass
class RunRecord:
    """What one run did: how it ended, where it stopped, its events and its peak memory."""

    run: str
    outcome: str  # FINISHED, TIME_LIMIT, MEMORY, ERROR or NOT_RUN
    stopped_in: str | None = None  # the phase that was running when the run stopped
    reason: str = ""
    wall_seconds: float = 0.0
    peak_rss_mib: float | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.outcome == FINISHED

    def phase(self, name: str) -> dict[str, Any] | None:
        """The end event of a phase, or None when the run never finished it."""
        return next((e for e in self.events if e["event"] == "end" and e["phase"] == name), None)

    def info(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for event in self.events:
            if event["event"] == "info":
                merged |= {k: v for k, v in event.items() if k != "event"}
        return merged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        return cls(**data)


def not_run(run: str, reason: str) -> RunRecord:
    return RunRecord(run=run, outcome=NOT_RUN, reason=reason)


def run_isolated(spec: dict[str, Any], timeout: float, memory_gib: float) -> RunRecord:
    """Run ``benchmarks.worker`` with ``spec``; never raises for anything the child does."""
    with tempfile.TemporaryDirectory(prefix="matcher-bench-") as folder:
        events_path, stderr_path = Path(folder) / "events.jsonl", Path(folder) / "stderr.txt"
        began = time.monotonic()
        with stderr_path.open("wb") as stderr:
            child = subprocess.Popen(  # noqa: S603 - our own worker module, with our own interpreter
                [sys.executable, "-m", "benchmarks.worker", json.dumps(spec | {"events": str(events_path)})],
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                preexec_fn=_limit_memory(memory_gib))
            status, usage, timed_out = _wait(child, timeout)
        wall = time.monotonic() - began
        events = _read_events(events_path)
        stderr_tail = stderr_path.read_text(errors="replace")[-STDERR_TAIL_CHARS:]
    record = RunRecord(run=spec["run"], outcome=FINISHED, wall_seconds=round(wall, 3),
                       peak_rss_mib=round(usage.ru_maxrss / KIB_PER_MIB, 1), events=events)
    _judge(record, os.waitstatus_to_exitcode(status), timed_out, timeout, memory_gib, stderr_tail)
    return record


def _limit_memory(memory_gib: float) -> Any:
    limit = int(memory_gib * BYTES_PER_GIB)

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _wait(child: subprocess.Popen[bytes], timeout: float) -> tuple[int, Any, bool]:
    """Reap the child with ``wait4`` (for its own rusage), killing it at the timeout."""
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() >= deadline:
            child.kill()
            timed_out = True
            _, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(POLL_SECONDS)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen so it does not wait again
    return status, usage, timed_out


def _read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a process killed while writing it
            break
    return events


def _running_phase(events: list[dict[str, Any]]) -> str | None:
    ended = {e["phase"] for e in events if e["event"] == "end"}
    started = [e["phase"] for e in events if e["event"] == "start" and e["phase"] not in ended]
    return started[-1] if started else None


def _judge(record: RunRecord, exit_code: int, timed_out: bool, timeout: float, memory_gib: float,
           stderr_tail: str) -> None:
    """Name the outcome: finished, stopped at the time limit, out of memory, or an error (a bug)."""
    events = record.events
    failed = next((e for e in events if e["event"] == "failed"), None)
    done = any(e["event"] == "done" for e in events)
    record.stopped_in = None if done else (failed or {}).get("phase") or _running_phase(events)
    where = f" in {record.stopped_in}" if record.stopped_in else ""
    if done and exit_code == 0:
        return
    if timed_out:
        record.outcome = TIME_LIMIT
        record.reason = f"stopped{where} at the run's timeout of {timeout:.0f} s"
    elif (failed and failed["reason"] == "memory") or any(marker in stderr_tail for marker in MEMORY_MARKERS) \
            or exit_code == -signal.SIGKILL:
        record.outcome = MEMORY
        record.reason = f"out of memory{where} (address space limit {memory_gib:g} GiB)"
    else:
        record.outcome = ERROR
        detail = failed.get("detail", "") if failed else ""
        record.reason = f"failed{where} with exit code {exit_code}: {detail or stderr_tail.strip()[-500:]}"
        if failed and failed.get("traceback"):
            record.reason += "\n" + failed["traceback"]
