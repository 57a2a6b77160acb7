"""Reading and writing the service's records. Every function takes an open session (one transaction).

The API and the job runner speak to the database only through these functions, so the rules that keep the
data consistent live in one place: a job changes status only along ``queued -> running -> completed |
failed | cancelled``, every change is written to its history, and every act records who did it. A running
job is held by one worker under a lease (``claim_next``): the worker renews it while the job runs, every
write of the job's results is conditional on it, and only an expired lease lets another worker run the job
again, so any number of servers and workers can share one database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, defer, selectinload, undefer

from matcher.job_kinds import QUESTIONS, SOLVE_JOB
from matcher.roles import COORDINATOR, MUNICIPALITY, Actor
from matcher.storage.models import (
    ApiKey,
    DecisionRecord,
    InstanceMunicipality,
    InstanceRecord,
    ProposalRecord,
    SolveEvent,
    SolveRecord,
)

QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED = "queued", "running", "completed", "failed", "cancelled"
FINISHED = (COMPLETED, FAILED, CANCELLED)
ROLES = (COORDINATOR, MUNICIPALITY)
ACCEPT, DECLINE = "accept", "decline"

KEY_TOKEN_BYTES = 32
KEY_PREFIX = "mk_"  # recognisable in logs and secret scanners


SYSTEM = Actor("system", "system")


def storable(text: str) -> str:
    """Text every database can store: no NUL characters and no unpaired surrogates."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it contains an unpaired surrogate)") from None
    return text


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def canonical_json(document: Any) -> str:
    """One spelling per document: the content hash is the same however the submitter formatted it."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def content_hash(document: Any) -> str:
    return hashlib.sha256(canonical_json(document).encode("ascii")).hexdigest()


# --- keys --------------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(session: Session, role: str, municipality: str | None = None, label: str = "") -> tuple[ApiKey, str]:
    """A new key; the token is returned once and only its hash is stored."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if (role == MUNICIPALITY) != (municipality is not None):
        raise ValueError("a municipality key needs a municipality code, and only a municipality key has one")
    token = KEY_PREFIX + secrets.token_urlsafe(KEY_TOKEN_BYTES)
    key = ApiKey(id=new_id("key"), key_hash=hash_token(token), role=role, municipality=municipality, label=label,
                 created_at=now())
    session.add(key)
    return key, token


def key_for_token(session: Session, token: str) -> ApiKey | None:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_token(token)))
    return key if key is not None and key.revoked_at is None else None


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def revoke_key(session: Session, key_id: str) -> bool:
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = now()
    return True


# --- instances ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDocument:
    """A validated instance document as the database keeps it: its canonical text and hash, and the counts a
    listing shows. Made where the document was validated (for an upload, the upload's own process), so the
    server only writes the row."""

    name: str
    text: str
    content_hash: str
    households: int
    dwellings: int
    municipalities: list[str]
    locks: int
    forbidden: int

    @classmethod
    def of(cls, document: dict[str, Any]) -> StoredDocument:
        text = canonical_json(document)
        return cls(name=str(document["id"]), text=text, content_hash=hashlib.sha256(text.encode("ascii")).hexdigest(),
                   households=len(document["households"]), dwellings=len(document["dwellings"]),
                   municipalities=sorted({str(m["id"]) for m in document["municipalities"]}),
                   locks=len(document.get("locks") or []), forbidden=len(document.get("forbidden") or []))


def add_instance(session: Session, document: dict[str, Any] | StoredDocument, by: Actor,
                 parent: InstanceRecord | None = None, replanned_from_solve: str | None = None) -> InstanceRecord:
    """Store a validated instance document as a new version (version 1 unless it has a parent)."""
    stored = document if isinstance(document, StoredDocument) else StoredDocument.of(document)
    record = InstanceRecord(
        id=new_id("ins"), name=stored.name, version=1 if parent is None else parent.version + 1,
        parent_id=None if parent is None else parent.id, replanned_from_solve=replanned_from_solve,
        content_hash=stored.content_hash, document=stored.text, households=stored.households,
        dwellings=stored.dwellings, municipalities=len(stored.municipalities), locks=stored.locks,
        forbidden=stored.forbidden, created_at=now(), created_by_key=by.key_id, created_by_role=by.role,
    )
    session.add(record)
    session.flush()
    session.add_all(InstanceMunicipality(instance_id=record.id, code=code) for code in stored.municipalities)
    return record


def get_instance(session: Session, instance_id: str) -> InstanceRecord | None:
    return session.get(InstanceRecord, instance_id)


def list_instances(session: Session, limit: int, offset: int) -> list[InstanceRecord]:
    """Newest first, without their documents (a listing needs only the counts; a backlog is a megabyte)."""
    query = (select(InstanceRecord).options(defer(InstanceRecord.document))
             .order_by(InstanceRecord.created_at.desc(), InstanceRecord.id).limit(limit))
    return list(session.scalars(query.offset(offset)))


def instance_covers(session: Session, instance_id: str, code: str) -> bool:
    """Does this instance version list the municipality? (What a municipality key may see depends on it.)"""
    return session.get(InstanceMunicipality, (instance_id, code)) is not None


def latest_instance_covering(session: Session, code: str) -> InstanceRecord | None:
    query = (select(InstanceRecord).join(InstanceMunicipality, InstanceMunicipality.instance_id == InstanceRecord.id)
             .where(InstanceMunicipality.code == code)
             .order_by(InstanceRecord.created_at.desc(), InstanceRecord.id).limit(1))
    return session.scalar(query)


# --- solves ------------------------------------------------------------------------------------------------


def add_solve(session: Session, instance: InstanceRecord, options: dict[str, Any], by: Actor,
              parent_solve_id: str | None = None) -> SolveRecord:
    solve = SolveRecord(id=new_id("sol"), instance_id=instance.id, parent_solve_id=parent_solve_id, status=QUEUED,
                        options=canonical_json(options), seed=int(options.get("seed", 0)), attempts=0,
                        requested_by_key=by.key_id, requested_by_role=by.role, created_at=now())
    session.add(solve)
    session.flush()
    origin = f" (re-plan of {parent_solve_id})" if parent_solve_id else ""
    add_event(session, solve.id, QUEUED, f"queued by {by.role} key {by.key_id}{origin}")
    return solve


def get_job(session: Session, job_id: str) -> SolveRecord | None:
    """A job of any kind: a solve or a question."""
    return session.get(SolveRecord, job_id)


def get_solve(session: Session, solve_id: str) -> SolveRecord | None:
    job = get_job(session, solve_id)
    return job if job is not None and job.kind == SOLVE_JOB else None


def get_question(session: Session, question_id: str) -> SolveRecord | None:
    job = get_job(session, question_id)
    return job if job is not None and job.kind in QUESTIONS else None


def list_solves(session: Session, limit: int, offset: int, municipality: str | None = None,
                with_history: bool = False) -> list[SolveRecord]:
    """Newest first, with their proposals' status (and their histories) read in the same round trips."""
    query = select(SolveRecord).where(SolveRecord.kind == SOLVE_JOB).options(undefer(SolveRecord.proposal_status))
    if with_history:
        query = query.options(selectinload(SolveRecord.history))
    if municipality is not None:
        query = query.join(InstanceMunicipality, InstanceMunicipality.instance_id == SolveRecord.instance_id).where(
            InstanceMunicipality.code == municipality)
    query = query.order_by(SolveRecord.created_at.desc(), SolveRecord.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(SolveRecord.status, func.count()).where(SolveRecord.kind == SOLVE_JOB)
                           .group_by(SolveRecord.status))
    return {status: int(count) for status, count in rows}


def add_event(session: Session, solve_id: str, event: str, message: str = "") -> None:
    session.add(SolveEvent(solve_id=solve_id, at=now(), event=event, message=message))


def events(session: Session, solve_id: str) -> list[SolveEvent]:
    return list(session.scalars(select(SolveEvent).where(SolveEvent.solve_id == solve_id).order_by(SolveEvent.id)))


# --- questions ---------------------------------------------------------------------------------------------


def add_question(session: Session, solve: SolveRecord, kind: str, question: dict[str, Any], options: dict[str, Any],
                 by: Actor) -> SolveRecord:
    """Queue a question about a finished solve's proposal (``recommend`` or ``why_not``): a job like a solve,
    run by whichever worker claims it, its answer stored with its outcome."""
    if kind not in QUESTIONS:
        raise ValueError(f"not a kind of question: {kind}")
    job = SolveRecord(id=new_id("qst"), kind=kind, instance_id=solve.instance_id, parent_solve_id=solve.id,
                      question=canonical_json(question), status=QUEUED, options=canonical_json(options),
                      seed=int(options.get("seed", 0)), attempts=0, requested_by_key=by.key_id,
                      requested_by_role=by.role, created_at=now())
    session.add(job)
    session.flush()
    add_event(session, job.id, QUEUED, f"{kind} on solve {solve.id}, queued by {by.role} key {by.key_id}")
    return job


@dataclass(frozen=True)
class Lease:
    """A worker's hold on a running job: the token proves it, ``seconds`` is how long it lasts unrenewed."""

    solve_id: str
    token: str
    seconds: float


@dataclass(frozen=True)
class LeaseState:
    held: bool  # False: the lease expired and another worker took the job, or the job was closed
    cancel_requested: bool


def _claimable(moment: dt.datetime) -> Any:
    """Queued jobs, and running jobs whose lease expired (their worker stopped renewing it)."""
    return or_(SolveRecord.status == QUEUED,
               and_(SolveRecord.status == RUNNING, SolveRecord.lease_expires_at < moment))


def claim_next(session: Session, holder: str, lease_seconds: float) -> tuple[SolveRecord, Lease] | None:
    """Take the oldest claimable job under a new lease; None when nothing waits.

    On PostgreSQL the candidate row is locked with ``FOR UPDATE SKIP LOCKED``, so workers never queue behind
    one another; SQLite renders no lock but writes one at a time. On both, the conditional UPDATE re-checks
    that the job is still claimable, so two workers can never both hold it.
    """
    while True:
        moment = now()
        candidate = session.scalar(select(SolveRecord).where(_claimable(moment))
                                   .order_by(SolveRecord.created_at, SolveRecord.id).limit(1)
                                   .with_for_update(skip_locked=True))
        if candidate is None:
            return None
        expired = candidate.status == RUNNING
        if expired and candidate.cancel_requested_at is not None:
            _close_abandoned_cancel(session, candidate, moment)
            continue
        token = uuid.uuid4().hex
        claimed = session.execute(
            update(SolveRecord).where(SolveRecord.id == candidate.id, _claimable(moment))
            .values(status=RUNNING, started_at=moment, attempts=SolveRecord.attempts + 1, lease_token=token,
                    lease_holder=holder, lease_expires_at=moment + dt.timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another worker was quicker; the caller looks again at its next poll
        session.refresh(candidate)
        if expired:
            add_event(session, candidate.id, "lease_expired", "the worker running it stopped renewing its lease; "
                                                              "started again from the beginning")
        add_event(session, candidate.id, RUNNING, f"started (attempt {candidate.attempts}) by worker {holder}")
        return candidate, Lease(candidate.id, token, lease_seconds)


def _close_abandoned_cancel(session: Session, solve: SolveRecord, moment: dt.datetime) -> None:
    """A job whose cancel was asked for and whose worker then vanished is not run again: it is cancelled."""
    closed = session.execute(update(SolveRecord).where(SolveRecord.id == solve.id, _claimable(moment))
                             .values(status=CANCELLED, finished_at=moment, lease_token=None, lease_expires_at=None)
                             .execution_options(synchronize_session=False))
    if closed.rowcount == 1:  # type: ignore[attr-defined]
        add_event(session, solve.id, CANCELLED, "its worker stopped while a cancel was pending; it stays cancelled")
        _close_proposal(session, solve.id)


def _hold(session: Session, lease: Lease) -> bool:
    """Extend the lease if it is still ours (and the job still running). The UPDATE also locks the job's row
    until the transaction ends, so no other worker can take the job over while this one writes its results."""
    held = session.execute(update(SolveRecord)
                           .where(SolveRecord.id == lease.solve_id, SolveRecord.lease_token == lease.token,
                                  SolveRecord.status == RUNNING)
                           .values(lease_expires_at=now() + dt.timedelta(seconds=lease.seconds))
                           .execution_options(synchronize_session=False))
    return held.rowcount == 1  # type: ignore[attr-defined]


def renew_lease(session: Session, lease: Lease) -> LeaseState:
    """Keep the job for another ``lease.seconds`` (a write), and learn whether someone asked for it to stop."""
    if not _hold(session, lease):
        return LeaseState(held=False, cancel_requested=False)
    return lease_state(session, lease)


def lease_state(session: Session, lease: Lease) -> LeaseState:
    """Whether the worker still holds the job and whether someone asked for it to stop: a read, so a worker
    can look every second without competing for SQLite's one write lock, and renew far less often."""
    row = session.execute(select(SolveRecord.status, SolveRecord.lease_token, SolveRecord.cancel_requested_at)
                          .where(SolveRecord.id == lease.solve_id)).first()
    held = row is not None and row.status == RUNNING and row.lease_token == lease.token
    return LeaseState(held=held, cancel_requested=held and row is not None and row.cancel_requested_at is not None)


def release_lease(session: Session, lease: Lease, why: str) -> bool:
    """A worker that stops gives its job back: the lease expires now, so any worker may start it again."""
    released = session.execute(update(SolveRecord)
                               .where(SolveRecord.id == lease.solve_id, SolveRecord.lease_token == lease.token,
                                      SolveRecord.status == RUNNING)
                               .values(lease_expires_at=now() - dt.timedelta(seconds=1))
                               .execution_options(synchronize_session=False))
    if released.rowcount == 1:  # type: ignore[attr-defined]
        add_event(session, lease.solve_id, "released", why)
        return True
    return False


class LeaseLost(Exception):
    """The worker no longer holds the job's lease: it must store nothing more and end the job's process."""


def record_progress(session: Session, lease: Lease, progress: dict[str, Any]) -> None:
    if not _hold(session, lease):
        raise LeaseLost(lease.solve_id)
    session.execute(update(SolveRecord).where(SolveRecord.id == lease.solve_id)
                    .values(progress=canonical_json(progress)).execution_options(synchronize_session=False))


def finish_solve(session: Session, lease: Lease, status: str, message: str, error: str | None = None,
                 answer: dict[str, Any] | None = None) -> None:
    """Close the running job this worker holds (with a question's answer); without the lease nothing changes
    (``LeaseLost``)."""
    if status not in FINISHED:
        raise ValueError(f"not a final status: {status}")
    done = session.execute(update(SolveRecord)
                           .where(SolveRecord.id == lease.solve_id, SolveRecord.lease_token == lease.token,
                                  SolveRecord.status == RUNNING)
                           .values(status=status, finished_at=now(), error=error, lease_token=None,
                                   lease_expires_at=None, answer=None if answer is None else canonical_json(answer))
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise LeaseLost(lease.solve_id)
    add_event(session, lease.solve_id, status, message)
    _close_proposal(session, lease.solve_id)


def _close_proposal(session: Session, solve_id: str) -> None:
    """The job is over: whatever proposal it reported last is its final one (a stopped solve keeps its best)."""
    session.execute(update(ProposalRecord).where(ProposalRecord.solve_id == solve_id).values(final=True))


def request_cancel(session: Session, solve: SolveRecord, by: Actor) -> None:
    """A queued job is cancelled at once; a running one is flagged, and the worker holding its lease sees the
    flag at its next renewal (wherever it runs) and stops the search."""
    moment = now()
    if solve.status == QUEUED:
        cancelled = session.execute(update(SolveRecord).where(SolveRecord.id == solve.id, SolveRecord.status == QUEUED)
                                    .values(status=CANCELLED, finished_at=moment, cancel_requested_at=moment)
                                    .execution_options(synchronize_session=False))
        if cancelled.rowcount == 1:  # type: ignore[attr-defined]
            add_event(session, solve.id, CANCELLED, f"cancelled before it started, by {by.role} key {by.key_id}")
            return
        session.refresh(solve)  # a worker claimed it meanwhile: flag it as a running job
    if solve.status == RUNNING and solve.cancel_requested_at is None:
        session.execute(update(SolveRecord).where(SolveRecord.id == solve.id, SolveRecord.cancel_requested_at.is_(None))
                        .values(cancel_requested_at=moment).execution_options(synchronize_session=False))
        add_event(session, solve.id, "cancel_requested", f"stop requested by {by.role} key {by.key_id}")


# --- proposals ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoftwareVersions:
    matcher: str
    ortools: str


def save_proposal(session: Session, lease: Lease, proposal: dict[str, Any], final: bool,
                  versions: SoftwareVersions) -> ProposalRecord:
    """Store the job's proposal (replacing the best-so-far one) with its audit fields. Only the holder of the
    job's lease may; a final proposal is never replaced."""
    if not _hold(session, lease):
        raise LeaseLost(lease.solve_id)
    solve = session.get(SolveRecord, lease.solve_id, populate_existing=True)
    assert solve is not None
    instance = session.get(InstanceRecord, solve.instance_id)
    assert instance is not None
    record = proposal_of(session, solve.id)
    if record is not None and record.final:
        raise LeaseLost(lease.solve_id)  # cannot happen while the lease is held; never overwrite a final one
    stamp = now()
    if record is None:
        policy = json.loads(instance.document).get("policy") or {}
        record = ProposalRecord(
            id=new_id("prp"), solve_id=solve.id, instance_id=instance.id, created_at=stamp,
            instance_hash=instance.content_hash, policy=canonical_json(policy), options=solve.options,
            seed=solve.seed, requested_by_key=solve.requested_by_key, requested_by_role=solve.requested_by_role,
            requested_at=solve.created_at, status="", document="", matcher_version="", ortools_version="")
        session.add(record)
    record.status = str(proposal.get("status", ""))
    record.document = canonical_json(proposal)
    record.final = final
    record.updated_at = stamp
    record.matcher_version, record.ortools_version = versions.matcher, versions.ortools
    session.flush()
    return record


def proposal_of(session: Session, solve_id: str) -> ProposalRecord | None:
    return session.scalar(select(ProposalRecord).where(ProposalRecord.solve_id == solve_id))


def latest_decided_on(session: Session, code: str) -> tuple[SolveRecord, ProposalRecord] | None:
    """The newest finished solve covering the municipality that has a usable (not invalid) proposal."""
    query = (select(SolveRecord, ProposalRecord)
             .join(ProposalRecord, ProposalRecord.solve_id == SolveRecord.id)
             .join(InstanceMunicipality, InstanceMunicipality.instance_id == SolveRecord.instance_id)
             .where(InstanceMunicipality.code == code, SolveRecord.status.in_((COMPLETED, CANCELLED)),
                    ProposalRecord.status != "invalid")
             .order_by(SolveRecord.created_at.desc(), SolveRecord.id).limit(1))
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


# --- decisions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairDecision:
    household: str
    dwelling: str
    municipality: str
    persons: int
    decision: str
    reason: str | None


def add_decisions(session: Session, solve: SolveRecord, proposal: ProposalRecord, decisions: Iterable[PairDecision],
                  by: Actor) -> list[DecisionRecord]:
    stamp = now()
    records = [DecisionRecord(id=new_id("dec"), solve_id=solve.id, proposal_id=proposal.id,
                              instance_id=solve.instance_id, household=d.household, dwelling=d.dwelling,
                              municipality=d.municipality, persons=d.persons, decision=d.decision, reason=d.reason,
                              decided_by_key=by.key_id, decided_by_role=by.role,
                              decided_by_municipality=by.municipality, decided_at=stamp, position=i)
               for i, d in enumerate(decisions)]
    session.add_all(records)
    session.flush()
    return records


def decisions_on(session: Session, solve_id: str, municipality: str | None = None) -> list[DecisionRecord]:
    """Every decision on the solve's proposal, oldest first (optionally only those on one municipality)."""
    query = select(DecisionRecord).where(DecisionRecord.solve_id == solve_id)
    if municipality is not None:
        query = query.where(DecisionRecord.municipality == municipality)
    return list(session.scalars(query.order_by(DecisionRecord.decided_at, DecisionRecord.position)))


def decisions_by_municipality(session: Session, municipality: str, limit: int) -> list[DecisionRecord]:
    """The newest decisions on one municipality's dwellings across every solve, newest first (its history)."""
    query = (select(DecisionRecord).where(DecisionRecord.municipality == municipality)
             .order_by(DecisionRecord.decided_at.desc(), DecisionRecord.position.desc()).limit(limit))
    return list(session.scalars(query))


def standing_decisions(decisions: Iterable[DecisionRecord]) -> dict[tuple[str, str], DecisionRecord]:
    """The decision that stands for each pair: the latest one (a municipality may change its mind)."""
    standing: dict[tuple[str, str], DecisionRecord] = {}
    for decision in decisions:
        standing[(decision.household, decision.dwelling)] = decision
    return standing
