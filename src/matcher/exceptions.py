"""Every error matcher raises on purpose, in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from matcher.problem_words import ENGLISH, problem_words


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submitted document, located by JSON path and record id."""

    path: str
    record_id: str | None
    message: str  # in English, as the API and the CLI give it
    code: str = "invalid"
    # the message worded in other languages from the same facts (none for a message written as free text)
    other_languages: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False, kw_only=True)

    @classmethod
    def worded(cls, path: str, record_id: str | None, code: str, wording: str, **facts: Any) -> Problem:
        """A problem worded from ``problem_words.WORDS[wording]`` and its facts, in every language it has."""
        words = problem_words(wording, facts)
        return cls(path, record_id, words.pop(ENGLISH), code, other_languages=words)

    def message_in(self, language: str) -> str:
        """The message in ``language`` where it was worded in it, else the English one."""
        return self.other_languages.get(language, self.message)

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
