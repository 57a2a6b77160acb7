"""What a caller can ask of a solve, and how it can watch and stop one that is running."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from matcher.format import Proposal

DEFAULT_TIME_LIMIT_S = 60.0
Method = Literal["cpsat", "greedy"]


WORKERS_VARIABLE = "MATCHER_WORKERS"  # a sweep's replay holds one CPU of its Ray node and sets this to 1


def default_workers() -> int:
    """Every core, unless ``MATCHER_WORKERS`` says how many the solver may use."""
    return max(1, int(os.environ.get(WORKERS_VARIABLE) or 0) or os.cpu_count() or 1)


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = DEFAULT_TIME_LIMIT_S  # seconds for all tiers together
    workers: int = field(default_factory=default_workers)
    seed: int = 0
    deterministic: bool = False  # byte-identical proposals for identical input and seed
    method: Method = "cpsat"


@dataclass(frozen=True)
class Progress:
    """A snapshot of a running solve, for progress displays and the service's job status."""

    tier: str  # objective name being optimised
    tier_index: int  # 0-based position in the policy's objectives
    tiers: int
    value: int | None  # best value found so far in this tier
    bound: int | None  # best proven bound so far in this tier
    elapsed: float  # seconds since the solve started


@dataclass(frozen=True)
class Phase:
    """One step of a solve that has just ended: "facts", "pairs", "locks", "network", "greedy", "build",
    "tier:<objective>" for each objective, "explain"; with what it measured (sizes, objective values)."""

    name: str
    seconds: float
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class SolveControl:
    """Hooks into a running solve: progress callbacks, the best proposal so far, and a thread-safe stop.

    ``stop()`` may be called from any thread (a signal handler's thread, a service's cancel request); the
    solver ends its current search promptly and returns the best proposal found so far.
    """

    on_progress: Callable[[Progress], None] | None = None
    on_proposal: Callable[[Proposal], None] | None = None  # called with each improved complete proposal
    on_phase: Callable[[Phase], None] | None = None  # called as each phase of the solve ends
    _stopped: threading.Event = field(default_factory=threading.Event)
    _stop_hooks: list[Callable[[], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            hooks = list(self._stop_hooks)
        for hook in hooks:
            hook()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def while_running(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Register a stop hook for the current search; returns a function that unregisters it."""
        with self._lock:
            self._stop_hooks.append(hook)
            if self._stopped.is_set():
                hook()

        def unregister() -> None:
            with self._lock:
                if hook in self._stop_hooks:
                    self._stop_hooks.remove(hook)

        return unregister

    def progress(self, event: Progress) -> None:
        if self.on_progress is not None:
            self.on_progress(event)

    @property
    def wants_proposals(self) -> bool:
        return self.on_proposal is not None

    def phase(self, phase: Phase) -> None:
        if self.on_phase is not None:
            self.on_phase(phase)

    def proposal(self, proposal: Proposal) -> None:
        if self.on_proposal is not None:
            self.on_proposal(proposal)
