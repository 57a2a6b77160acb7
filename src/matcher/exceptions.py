"""Every error matcher raises on purpose, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submitted document, located by JSON path and record id."""

    path: str
    record_id: str | None
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        location = self.path or "(document)"
        if self.record_id is not None:
            head, dot, rest = location.partition("]")
            location = f'{head}] (id "{self.record_id}"){rest}' if dot else f'{location} (id "{self.record_id}")'
        return f"{location}: {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"path": self.path, "record": self.record_id, "code": self.code, "message": str(self)}


class MatcherError(Exception):
    """Base of matcher's own errors."""


class InstanceInvalid(MatcherError):
    """The submitted instance breaks the format; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(str(p) for p in problems[:5]))


class ProposalInvalid(MatcherError):
    """A proposal document that does not follow the proposal format."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(str(p) for p in problems[:5]))


class ScenarioInvalid(InstanceInvalid):
    """The submitted scenario (``matcher.scenario/1``) breaks the format; ``problems`` lists every problem found.

    A subclass of ``InstanceInvalid`` because a scenario is an instance spread over weeks: whoever handles a
    bad instance (the CLI, the service) handles a bad scenario the same way."""
