"""The audit trail of the service: who submitted which instance, asked for which solve, took which decision.

Everything is already stored by ``matcher.storage`` as an act with its actor (key id and role, never the key)
and its time; this module reads those acts back as one chronological list, for ``GET /v1/audit`` and
``matcher audit export``. Entries come oldest first, so a page once read never changes as new acts arrive:

- ``instance``: an instance version stored (submitted, or made by a re-plan), with its content hash;
- ``solve``: a solve asked for, with the instance's content hash, the policy, options, seed, the matcher and
  OR-Tools versions that produced the proposal, and how it ended;
- ``decision``: a pair accepted or declined, with the reason given.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from matcher.storage.models import SOLVE_JOB, DecisionRecord, InstanceRecord, ProposalRecord, SolveRecord
from matcher.storage.repository import content_hash

INSTANCE, SOLVE, DECISION = "instance", "solve", "decision"
PAST_TENSE = {"accept": "accepted", "decline": "declined"}
EXPORT_BATCH = 500  # entries read per query while exporting the whole trail


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    kind: str  # "instance", "solve" or "decision"
    id: str  # the instance version, solve or decision id
    action: str  # what was done, in words
    actor_key: str
    actor_role: str
    actor_municipality: str | None = None
    instance_id: str | None = None
    solve_id: str | None = None
    proposal_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, "id": self.id, "action": self.action,
                "actor": {"key_id": self.actor_key, "role": self.actor_role, "municipality": self.actor_municipality},
                "instance_id": self.instance_id, "solve_id": self.solve_id, "proposal_id": self.proposal_id,
                "details": self.details}


def _acts() -> Any:
    """Every act as (kind, id, at), one row each, for ordering and paging in the database."""
    return union_all(
        select(literal(INSTANCE).label("kind"), InstanceRecord.id.label("id"), InstanceRecord.created_at.label("at")),
        select(literal(SOLVE).label("kind"), SolveRecord.id.label("id"), SolveRecord.created_at.label("at"))
        .where(SolveRecord.kind == SOLVE_JOB),  # questions asked about a proposal are not acts on the data
        select(literal(DECISION).label("kind"), DecisionRecord.id.label("id"), DecisionRecord.decided_at.label("at")),
    ).subquery()


def count_entries(session: Session) -> int:
    acts = _acts()
    return int(session.scalar(select(func.count()).select_from(acts)) or 0)


def audit_page(session: Session, limit: int, offset: int = 0) -> list[AuditEntry]:
    """Entries ``offset`` to ``offset + limit``, oldest first (ties in time: by kind, then id)."""
    acts = _acts()
    rows = session.execute(select(acts.c.kind, acts.c.id).order_by(acts.c.at, acts.c.kind, acts.c.id)
                           .limit(limit).offset(offset)).all()
    return [_entry(session, kind, identifier) for kind, identifier in rows]


def all_entries(session: Session, batch: int = EXPORT_BATCH) -> Iterator[AuditEntry]:
    """The whole trail, oldest first, read a batch at a time."""
    offset = 0
    while True:
        page = audit_page(session, batch, offset)
        yield from page
        if len(page) < batch:
            return
        offset += batch


def _entry(session: Session, kind: str, identifier: str) -> AuditEntry:
    if kind == INSTANCE:
        instance = session.get(InstanceRecord, identifier)
        assert instance is not None
        return _instance_entry(instance)
    if kind == SOLVE:
        solve = session.get(SolveRecord, identifier)
        assert solve is not None
        return _solve_entry(session, solve)
    decision = session.get(DecisionRecord, identifier)
    assert decision is not None
    return _decision_entry(decision)


def _instance_entry(instance: InstanceRecord) -> AuditEntry:
    action = (f"re-planned instance {instance.name} (version {instance.version}) from solve "
              f"{instance.replanned_from_solve}" if instance.replanned_from_solve
              else f"submitted instance {instance.name} (version {instance.version})")
    return AuditEntry(at=instance.created_at, kind=INSTANCE, id=instance.id, action=action,
                      actor_key=instance.created_by_key, actor_role=instance.created_by_role,
                      instance_id=instance.id,
                      details={"name": instance.name, "version": instance.version, "parent_id": instance.parent_id,
                               "content_hash": instance.content_hash, "households": instance.households,
                               "dwellings": instance.dwellings})


def _solve_entry(session: Session, solve: SolveRecord) -> AuditEntry:
    proposal = session.scalar(select(ProposalRecord).where(ProposalRecord.solve_id == solve.id))
    instance = session.get(InstanceRecord, solve.instance_id)
    details: dict[str, Any] = {
        "status": solve.status, "finished_at": solve.finished_at.isoformat() if solve.finished_at else None,
        "error": solve.error, "options": json.loads(solve.options), "seed": solve.seed,
        "parent_solve_id": solve.parent_solve_id,
        "instance_hash": proposal.instance_hash if proposal else (instance.content_hash if instance else None),
        "policy": json.loads(proposal.policy) if proposal else _policy_of(instance),
        "proposal_status": proposal.status if proposal else None,
        "proposal_final": proposal.final if proposal else None,
        "matcher_version": proposal.matcher_version if proposal else None,
        "ortools_version": proposal.ortools_version if proposal else None,
    }
    return AuditEntry(at=solve.created_at, kind=SOLVE, id=solve.id, action=f"requested a solve of {solve.instance_id}",
                      actor_key=solve.requested_by_key, actor_role=solve.requested_by_role,
                      instance_id=solve.instance_id, solve_id=solve.id,
                      proposal_id=proposal.id if proposal else None, details=details)


def _policy_of(instance: InstanceRecord | None) -> dict[str, Any] | None:
    return None if instance is None else json.loads(instance.document).get("policy") or {}


def _decision_entry(decision: DecisionRecord) -> AuditEntry:
    return AuditEntry(at=decision.decided_at, kind=DECISION, id=decision.id,
                      action=f"{PAST_TENSE.get(decision.decision, decision.decision)} {decision.household} -> "
                             f"{decision.dwelling}",
                      actor_key=decision.decided_by_key, actor_role=decision.decided_by_role,
                      actor_municipality=decision.decided_by_municipality, instance_id=decision.instance_id,
                      solve_id=decision.solve_id, proposal_id=decision.proposal_id,
                      details={"household": decision.household, "dwelling": decision.dwelling,
                               "municipality": decision.municipality, "persons": decision.persons,
                               "decision": decision.decision, "reason": decision.reason})


@dataclass(frozen=True)
class StoredSolve:
    """What ``matcher reproduce`` needs of a stored solve: its instance and proposal documents, and hashes."""

    instance: dict[str, Any]
    proposal: dict[str, Any]
    recorded_hash: str  # the instance's content hash recorded with the proposal
    current_hash: str  # the content hash of the instance document as stored now

    @property
    def instance_unchanged(self) -> bool:
        return self.recorded_hash == self.current_hash


def stored_solve(session: Session, solve_id: str) -> StoredSolve | None:
    """The solve's instance and proposal, or None when there is no such solve or it has no proposal yet."""
    proposal = session.scalar(select(ProposalRecord).where(ProposalRecord.solve_id == solve_id))
    instance = session.get(InstanceRecord, proposal.instance_id) if proposal is not None else None
    if proposal is None or instance is None:
        return None
    document = json.loads(instance.document)
    return StoredSolve(instance=document, proposal=json.loads(proposal.document),
                       recorded_hash=proposal.instance_hash, current_hash=content_hash(document))
