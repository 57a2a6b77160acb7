"""Questions about a finished solve's proposal, as the service answers them: recommended fit (``recommend``)
and "why not" (``why_not``), the answers of ``matcher recommend`` and ``matcher why-not``.

Each answer re-solves with a pair forced (a recommendation: one re-solve per pair it considers), so it runs
as a job on the solve queue, in a solve process (``jobs/worker.py`` calls ``answer``), never inside a request.
The route checks the question and the caller's scope at once (404 for what the key may not see) and queues
the job; the answer is computed, limited to the scope, and stored with the job.

Scoping follows the rest of the service: a coordinator may ask about any household and dwelling; a
municipality key only about its own dwellings and the households the proposal places in them. Its answers
are limited the same way: alternatives among its own dwellings (or the households in them) only, and in
every list and sentence a household or dwelling it may not see is replaced by a placeholder, so it learns
how many others a change affects, never who.

An answer comes in the language the question asked for (Dutch by default, as ``matcher why-not``): its
``statements`` (each a code and the facts it states) and ``answer``, their words. The question's time limit
counts from the moment its process took the job (``started``), reading the documents included.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from matcher.accountability.baseline import Baseline, read_baseline
from matcher.accountability.forcing import Forced, question_budget
from matcher.accountability.recommend import recommend_dwellings, recommend_households
from matcher.accountability.why_not import why_not
from matcher.api.proposal_views import InstanceIndex, municipality_view, visible_assignments
from matcher.explain.words import DUTCH, ENGLISH
from matcher.job_kinds import RECOMMEND, WHY_NOT
from matcher.roles import MUNICIPALITY, Actor
from matcher.solver import SolveOptions
from matcher.solver.budget import Budget

DEFAULT_LANGUAGE = DUTCH
OTHER_HOUSEHOLD: dict[str, str] = {ENGLISH: "(another household)", DUTCH: "(een ander huishouden)"}
OTHER_DWELLING: dict[str, str] = {ENGLISH: "(a dwelling elsewhere)", DUTCH: "(een woning elders)"}


@dataclass(frozen=True)
class Scope:
    """The households and dwellings a key may see, and how the others are written in its answers."""

    municipality: str | None  # None: a coordinator, who sees every one
    dwellings: frozenset[str] | None
    households: frozenset[str] | None

    @classmethod
    def of(cls, municipality: str | None, proposal: dict[str, Any], index: InstanceIndex) -> Scope:
        if municipality is None:
            return cls(None, None, None)
        actor = Actor("scope", MUNICIPALITY, municipality)
        own = frozenset(d for d, record in index.dwellings.items() if str(record["municipality"]) == municipality)
        placed = frozenset(str(a["household"]) for a in visible_assignments(proposal, index, actor))
        return cls(municipality, own, placed)

    def require(self, index: InstanceIndex, household: str | None, dwelling: str | None) -> None:
        """404 for an id that does not exist or that this key may not see (the two look the same). Only the route
        asks this, so FastAPI is imported here and not in the solve process that answers."""
        from matcher.api.access import not_found

        if household is not None and (household not in index.households
                                      or (self.households is not None and household not in self.households)):
            raise not_found("household", household)
        if dwelling is not None and (dwelling not in index.dwellings
                                     or (self.dwellings is not None and dwelling not in self.dwellings)):
            raise not_found("dwelling", dwelling)

    def redact(self, index: InstanceIndex, value: Any, language: str = DEFAULT_LANGUAGE) -> Any:
        """Every household and dwelling id the key may not see, replaced by a placeholder in ``language``, in
        values and text (the statements' facts included)."""
        if self.dwellings is None or self.households is None:
            return value
        other_household = OTHER_HOUSEHOLD.get(language, OTHER_HOUSEHOLD[DEFAULT_LANGUAGE])
        other_dwelling = OTHER_DWELLING.get(language, OTHER_DWELLING[DEFAULT_LANGUAGE])
        hidden = {h: other_household for h in index.households if h not in self.households}
        hidden |= {d: other_dwelling for d in index.dwellings if d not in self.dwellings}
        return _Redactor(hidden)(value)


class _Redactor:
    def __init__(self, hidden: dict[str, str]) -> None:
        self._hidden = hidden
        alternatives = "|".join(re.escape(i) for i in sorted(hidden, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if hidden else None

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, str) and self._pattern is not None:
            return self._pattern.sub(lambda match: self._hidden[match.group(0)], value)
        return value


def answer(kind: str, instance: dict[str, Any], proposal: dict[str, Any], question: dict[str, Any],
           options: dict[str, Any], started: float | None = None) -> dict[str, Any]:
    """The answer to a queued question, limited to the asking key's scope; what the job stores. The time limit
    counts from ``started`` (``time.monotonic()``; default: now).

    Raises ``QuestionInvalid`` when the stored proposal cannot be questioned (the job then fails with it)."""
    started = time.monotonic() if started is None else started
    solve_options = SolveOptions(**options)
    budget = question_budget(solve_options, started)
    language = str(question.get("language") or DEFAULT_LANGUAGE)
    baseline = read_baseline(instance, proposal)
    index = InstanceIndex.of(instance)
    scope = Scope.of(question.get("municipality"), proposal, index)
    if kind == RECOMMEND:
        body = _recommendation(baseline, question, scope, solve_options, budget, language)
    elif kind == WHY_NOT:
        body = _why_not(baseline, question, scope, index, solve_options, budget, language)
    else:
        raise ValueError(f"not a kind of question: {kind}")
    return scope.redact(index, body, language)


def _recommendation(baseline: Baseline, question: dict[str, Any], scope: Scope, options: SolveOptions,
                    budget: Budget, language: str) -> dict[str, Any]:
    household, dwelling, top = question.get("household"), question.get("dwelling"), int(question["top"])
    if household is not None:
        result = recommend_dwellings(baseline, household, top, options, among=scope.dwellings, budget=budget)
    else:
        result = recommend_households(baseline, str(dwelling), top, options, among=scope.households, budget=budget)
    return {"subject": result.subject, "id": result.id, "current": result.current, "considered": result.considered,
            "options": [{"rank": rank, **_forced_body(option), "order_proven": proven}
                        for rank, (option, proven) in enumerate(zip(result.options, result.order_proven,
                                                                    strict=True), 1)],
            "blocked_by_rule": [{"rule": f"{rule} ({name})", "pairs": count}
                                for (rule, name), count in result.blocked_by_rule()],
            "blocked": [pair.as_dict() for pair in result.blocked], "unanswered": result.unanswered,
            "language": language, "statements": result.statements, "answer": result.words(language)}


def _why_not(baseline: Baseline, question: dict[str, Any], scope: Scope, index: InstanceIndex,
             options: SolveOptions, budget: Budget, language: str) -> dict[str, Any]:
    found = why_not(baseline, question["household"], question["dwelling"], options, budget)
    forced_proposal = None
    if found.forced is not None:
        forced_proposal = found.forced.proposal.model_dump(mode="json", exclude_none=True)
        if scope.municipality is not None:
            forced_proposal = _municipality_proposal(forced_proposal, scope, index)
    return {"household": found.household, "dwelling": found.dwelling, "verdict": found.verdict,
            "current": found.current, "occupants": found.occupants,
            "obstacles": [o.as_dict() for o in found.obstacles],
            "forced": _forced_body(found.forced) if found.forced else None, "language": language,
            "statements": found.statements, "answer": found.words(language), "forced_proposal": forced_proposal}


def _municipality_proposal(proposal: dict[str, Any], scope: Scope, index: InstanceIndex) -> dict[str, Any]:
    """The forced proposal as the municipality sees proposals, without the records of households it may not see."""
    view = municipality_view(proposal, index, Actor("scope", MUNICIPALITY, scope.municipality))
    visible = scope.households or frozenset()
    view["households"] = [record for record in view["households"] if str(record.get("id")) in visible]
    return view


def _forced_body(forced: Forced) -> dict[str, Any]:
    body: dict[str, Any] = forced.as_dict() | forced.proof()
    body.pop("resolved", None)
    return body
