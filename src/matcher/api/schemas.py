"""The API's request and response bodies. Requests are strict (a typo or a "5" for 5 is a 422 naming the
field); responses say exactly what a caller may rely on, and are what the OpenAPI snapshot freezes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from matcher.format import MAX_ID_LENGTH, Identifier, ObjectiveName, Proposal
from matcher.solver.options import DEFAULT_TIME_LIMIT_S

MAX_TIME_LIMIT_S = 24 * 3600.0
MAX_WORKERS = 64
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
MAX_REASON_LENGTH = 2000
MAX_DECISIONS = 10_000


def storable(text: str) -> str:
    """Text every database can store: no NUL characters and no unpaired surrogates."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it contains an unpaired surrogate)") from None
    return text


Text = Annotated[str, AfterValidator(storable)]
RecordId = Annotated[Identifier, AfterValidator(storable)]  # a household's or dwelling's id, as instances have them


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    document: dict[str, Any] = Field(description="the matcher.instance/1 document as stored")


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
    options: dict[str, Any]
    seed: int
    attempts: int = Field(description="how often the solve was started (a server restart starts it again)")
    cancel_requested_at: dt.datetime | None
    error: str | None = Field(description="why the solve failed")
    progress: SolveProgressOut | None
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
