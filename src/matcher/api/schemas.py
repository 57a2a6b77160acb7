"""The API's request and response bodies. Requests are strict (a typo or a "5" for 5 is a 422 naming the
field); responses say exactly what a caller may rely on, and are what the OpenAPI snapshot freezes.

Responses about stored rows are read from the rows themselves (``model_validate(row)``, pydantic's
``from_attributes``): a field is the row's attribute of the same name, and JSON the database keeps as text
(a job's options and progress, a stored document, an answer) is parsed on the way in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from matcher.accountability.recommend import DEFAULT_TOP
from matcher.format import MAX_ID_LENGTH, Identifier, ObjectiveName, Proposal
from matcher.solver.options import DEFAULT_TIME_LIMIT_S
from matcher.storage.repository import storable

MAX_TIME_LIMIT_S = 24 * 3600.0
MAX_WORKERS = 64
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
MAX_REASON_LENGTH = 2000
MAX_DECISIONS = 10_000
MAX_TOP = 50  # recommendations asked for at once


def stored_json(value: Any) -> Any:
    """JSON the database keeps as text, parsed; a value that is not text is taken as it is."""
    return json.loads(value) if isinstance(value, str) else value


Text = Annotated[str, AfterValidator(storable)]
RecordId = Annotated[Identifier, AfterValidator(storable)]  # a household's or dwelling's id, as instances have them
StoredJson = BeforeValidator(stored_json)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


# --- errors ------------------------------------------------------------------------------------------------


class ProblemOut(Response):
    path: str = Field(description="JSON path of the offending value, e.g. households[3].members")
    record: str | None = Field(description="id of the record the value belongs to, when it has one")
    code: str
    message: str


class ErrorOut(Response):
    detail: str
    problems: list[ProblemOut] | None = None


# --- who ---------------------------------------------------------------------------------------------------


class ActorOut(Response):
    key_id: str
    role: str
    municipality: str | None = None


# --- instances ---------------------------------------------------------------------------------------------


class InstanceOut(Response):
    id: str = Field(description="the server's id of this instance version")
    name: str = Field(description='the document\'s own "id"')
    version: int = Field(description="1 for a submitted instance, one more for each re-plan")
    parent_id: str | None = Field(description="the version this one was re-planned from")
    replanned_from_solve: str | None = Field(description="the solve whose decisions made this version")
    content_hash: str = Field(description="sha256 of the canonical JSON of the document")
    households: int
    dwellings: int
    municipalities: int
    locks: int
    forbidden: int
    created_at: dt.datetime
    created_by: ActorOut


class InstanceDetailOut(InstanceOut):
    document: Annotated[dict[str, Any], StoredJson] = Field(description="the matcher.instance/1 document as stored")


class InstanceListOut(Response):
    items: list[InstanceOut]


# --- solves ------------------------------------------------------------------------------------------------


class SolveOptionsIn(Request):
    time_limit: float = Field(default=DEFAULT_TIME_LIMIT_S, gt=0.0, le=MAX_TIME_LIMIT_S,
                              description="seconds for all objectives together")
    workers: int | None = Field(default=None, ge=1, le=MAX_WORKERS,
                                description="CP-SAT search workers (default: the server's cores)")
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    deterministic: bool = False
    method: Literal["cpsat", "greedy"] = "cpsat"


class ResolveOptionsIn(Request):
    """How each re-solve of a question runs: a solve's options, applied to every pair forced."""

    time_limit: float = Field(default=DEFAULT_TIME_LIMIT_S, gt=0.0, le=MAX_TIME_LIMIT_S,
                              description="seconds for the whole question, from reading the proposal to the "
                                          "answer; its re-solves (recommendations: one per pair considered) "
                                          "share them")
    workers: int | None = Field(default=None, ge=1, le=MAX_WORKERS,
                                description="CP-SAT search workers (default: the server's cores)")
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    deterministic: bool = False


class SolveIn(Request):
    instance_id: Text = Field(min_length=1, max_length=MAX_ID_LENGTH)
    options: SolveOptionsIn = Field(default_factory=SolveOptionsIn)


class ObjectiveProgressOut(Response):
    name: str | None
    value: int | None
    bound: int | None
    done: bool = Field(description="true when this objective's tier has finished")


class SolveProgressOut(Response):
    tier: str | None = Field(description="the objective being optimised now")
    tier_index: int | None
    tiers: int | None
    elapsed: float | None = Field(description="seconds since the solve started")
    objectives: list[ObjectiveProgressOut] = Field(description="best values and bounds so far, in policy order")


class SolveEventOut(Response):
    at: dt.datetime
    event: str
    message: str


SolveStatus = Literal["queued", "running", "completed", "failed", "cancelled"]


class SolveStatusOut(Response):
    """What a municipality key sees of a solve: whether its proposal is ready."""

    id: str
    status: SolveStatus
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class SolveOut(SolveStatusOut):
    """The full job, for the coordinator."""

    instance_id: str
    parent_solve_id: str | None
    options: Annotated[dict[str, Any], StoredJson]
    seed: int
    attempts: int = Field(description="how often the solve was started (a server restart starts it again)")
    cancel_requested_at: dt.datetime | None
    error: str | None = Field(description="why the solve failed")
    progress: Annotated[SolveProgressOut | None, StoredJson]
    proposal_status: Literal["optimal", "feasible", "invalid"] | None
    requested_by: ActorOut
    history: list[SolveEventOut]


class SolveListOut(Response):
    items: list[SolveOut | SolveStatusOut]


class ProposalOut(Proposal):
    """A ``matcher.proposal/1`` document. For a municipality key only its own dwellings' assignments, its own
    entry in ``municipalities``, and the ``households`` and ``dwellings`` records of those assignments."""

    households: list[dict[str, Any]] | None = None
    dwellings: list[dict[str, Any]] | None = None


# --- decisions and re-plans --------------------------------------------------------------------------------


class DecisionIn(Request):
    household: RecordId
    dwelling: RecordId
    decision: Literal["accept", "decline"]
    reason: Text | None = Field(default=None, max_length=MAX_REASON_LENGTH)


class DecisionOut(Response):
    id: str
    solve_id: str
    proposal_id: str
    instance_id: str
    instance_version: int
    household: str
    dwelling: str
    municipality: str
    decision: Literal["accept", "decline"]
    reason: str | None
    decided_by: ActorOut
    decided_at: dt.datetime


class DecisionListOut(Response):
    items: list[DecisionOut]


class ReplanIn(Request):
    options: SolveOptionsIn | None = Field(default=None, description="default: the options of the solve re-planned")
    objectives: list[ObjectiveName] | None = Field(
        default=None, description="the next version's objective order; default: the instance's order with "
                                  "kept_previous right after persons_housed")


class ReplanOut(Response):
    solve: SolveOut
    instance: InstanceOut
    locks_added: list[dict[str, Any]]
    forbidden_added: list[dict[str, Any]]
    locks_removed: list[dict[str, Any]] = Field(description="earlier locks of pairs that were declined since")
    previous: list[dict[str, Any]] = Field(
        default_factory=list, description="pairs still under review: the re-plan keeps each unless an objective "
                                          "ranked before kept_previous needs it; the new proposal's `moved` list "
                                          "says why each pair that moved had to")
    objectives: list[str] = Field(default_factory=list, description="the next version's objective order")


# --- municipalities and health -----------------------------------------------------------------------------


class MunicipalityProgressOut(Response):
    code: str
    name: str
    target: int = Field(description="the taakstelling for the half-year, in persons")
    housed: int = Field(description="persons already housed this half-year")
    proposed: int = Field(description="persons the latest proposal places in the municipality's dwellings")
    accepted: int = Field(description="persons in accepted pairs (locks and accept decisions that stand)")
    shortfall: int = Field(description="max(0, target - housed - accepted): persons still without an agreed place")
    shortfall_after_proposal: int = Field(description="max(0, target - housed - proposed)")
    instance_id: str
    solve_id: str | None = Field(description="the solve whose proposal the figures use (none yet: null)")


class HealthOut(Response):
    status: Literal["ok"]
    version: str
    database: Literal["ok"]


# --- questions about a proposal: recommendations and why-not -----------------------------------------------


Language = Literal["nl", "en"]


def language_field() -> Any:
    return Field(default="nl", description="the language of the answer's words (Dutch or English)")


def statements_field() -> Any:
    return Field(default_factory=list,
                 description="the answer as statements, each a code and the facts it states (plain JSON); `answer` "
                             "is their words, one line each (empty in answers stored before answers had statements)")


def answer_language_field() -> Any:
    return Field(default="en", description="the language of `answer` (answers stored before questions took a "
                                           "language are English)")


class RecommendIn(Request):
    household: RecordId | None = Field(default=None, description="find dwellings for this household")
    dwelling: RecordId | None = Field(default=None, description="find households for this dwelling")
    top: int = Field(default=DEFAULT_TOP, ge=1, le=MAX_TOP)
    language: Language = language_field()
    options: ResolveOptionsIn = Field(default_factory=ResolveOptionsIn)


class WhyNotIn(Request):
    household: RecordId
    dwelling: RecordId
    language: Language = language_field()
    options: ResolveOptionsIn = Field(default_factory=ResolveOptionsIn)


class ObjectiveChangeOut(Response):
    name: str
    before: int = Field(description="value in the solve's proposal")
    after: int = Field(description="value with the pair forced")
    worse_by: int = Field(description="how much worse with the pair forced (negative: better)")


class MoveOut(Response):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    household: str
    from_: str = Field(alias="from")
    to: str


class ForcedOut(Response):
    household: str
    dwelling: str
    previous: str | None = Field(description="the household's dwelling in the solve's proposal")
    status: str = Field(description="optimal when the forced proposal is proven optimal")
    objectives: list[ObjectiveChangeOut]
    deciding: str | None = Field(description="the most important objective that changes")
    lost: list[str] = Field(description="households that would lose their place")
    moved: list[MoveOut] = Field(description="households that would move")
    gained: list[str] = Field(description="households that would get a place")
    cost_proven: bool = Field(description="whether what forcing costs is proven: every objective up to the "
                                          "deciding one is proven optimal with the pair forced")
    proven_worse_by: int = Field(description="how much worse the deciding objective is at least, proven even "
                                             "when the exact cost is not (0: nothing proven to get worse)")


class OptionOut(ForcedOut):
    rank: int
    order_proven: bool = Field(default=False, description="whether this option is proven at least as good, on the "
                                                          "policy's objectives, as every pair ranked after it")


class ObstacleOut(Response):
    rule: str
    name: str
    text: str


class BlockedOut(Response):
    household: str
    dwelling: str
    obstacles: list[ObstacleOut]


class RuleCountOut(Response):
    rule: str
    pairs: int


class RecommendationOut(Response):
    subject: str = Field(description='"household" or "dwelling"')
    id: str
    current: list[str] = Field(description="the subject's dwelling, or the dwelling's households, in the proposal")
    considered: int = Field(description="pairs some proposal could contain, all re-solved and ranked")
    options: list[OptionOut] = Field(description="best first")
    blocked_by_rule: list[RuleCountOut] = Field(description="impossible pairs per rule, most first")
    blocked: list[BlockedOut]
    unanswered: list[str] = Field(description="partners of possible pairs that were not re-solved within the "
                                              "time limit, so not ranked")
    language: Language = answer_language_field()
    statements: list[dict[str, Any]] = statements_field()
    answer: list[str] = Field(default_factory=list, description="the answer in words, in `language`")


class WhyNotOut(Response):
    household: str
    dwelling: str
    verdict: str = Field(description='"in_proposal", "impossible" or "possible"')
    current: str | None
    occupants: list[str]
    obstacles: list[ObstacleOut] = Field(description="every rule that forbids the pair (impossible)")
    forced: ForcedOut | None = Field(description="what forcing the pair costs (possible)")
    language: Language = answer_language_field()
    statements: list[dict[str, Any]] = statements_field()
    answer: list[str] = Field(default_factory=list, description="the answer in words, in `language`")
    forced_proposal: dict[str, Any] | None = Field(description="the proposal with the pair forced, as the caller "
                                                               "may see proposals")


class QuestionOut(Response):
    """A question asked about a finished solve's proposal, run as a job like a solve. For a municipality key
    the answer names only its own dwellings and the households in them; every other household or dwelling is
    a placeholder."""

    model_config = ConfigDict(extra="forbid", from_attributes=True, populate_by_name=True)  # solve_id by name too

    id: str
    kind: Literal["recommend", "why_not"]
    solve_id: str = Field(validation_alias="parent_solve_id", description="the solve whose proposal it is about")
    status: SolveStatus
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    question: Annotated[dict[str, Any], StoredJson] = Field(description="what was asked, as the request gave it")
    options: Annotated[dict[str, Any], StoredJson] = Field(description="the options of each re-solve")
    error: str | None = Field(description="why it failed")
    answer: Annotated[RecommendationOut | WhyNotOut | None, StoredJson] = Field(
        description="once completed: a recommendation (kind recommend) or a why-not answer (kind why_not)")
    requested_by: ActorOut
    history: list[SolveEventOut]


# --- the audit trail ---------------------------------------------------------------------------------------


class AuditEntryOut(Response):
    at: dt.datetime
    kind: str = Field(description='"instance", "solve" or "decision"')
    id: str = Field(description="the instance version, solve or decision id")
    action: str = Field(description="what was done, in words")
    actor: ActorOut = Field(description="who did it: the key's id and role, never the key")
    instance_id: str | None
    solve_id: str | None
    proposal_id: str | None
    details: dict[str, Any] = Field(description="instance: content hash; solve: instance hash, policy, options, "
                                                "seed, matcher and OR-Tools versions, outcome; decision: the pair, "
                                                "accept or decline, and the reason")


class AuditPageOut(Response):
    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int
