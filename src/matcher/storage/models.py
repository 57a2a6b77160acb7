"""The service's tables: keys, instance versions, solve jobs with their history, proposals and decisions.

Documents (instances, proposals) are stored as JSON text exactly as they were submitted or produced, so
an audit can reproduce every proposal from the stored instance. Every row that records an act (a solve
asked for, a decision taken) says who did it (key id and role, never the key) and when.

Times are stored as naive UTC and handed back as aware UTC (``UtcDateTime``), the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, TypeDecorator, select
from sqlalchemy import DateTime as SqlDateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

from matcher.job_kinds import SOLVE_JOB
from matcher.roles import Actor

ID_LENGTH = 32  # "sol_" + 24 hex digits fits comfortably
SHORT = 32  # roles, statuses, event names, municipality codes
HASH_LENGTH = 64  # sha256 hex


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = SqlDateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    """An API key, stored only as the sha256 of the token handed out once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    role: Mapped[str] = mapped_column(String(SHORT))  # "coordinator" or "municipality"
    municipality: Mapped[str | None] = mapped_column(String(SHORT))
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class InstanceRecord(Base):
    """One version of an instance. A re-plan adds a version whose ``parent_id`` is the one it came from."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(Text)  # the document's own "id"
    version: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("instances.id"))
    replanned_from_solve: Mapped[str | None] = mapped_column(String(ID_LENGTH))  # no FK: solves point here
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    document: Mapped[str] = mapped_column(Text)
    households: Mapped[int] = mapped_column(Integer)
    dwellings: Mapped[int] = mapped_column(Integer)
    municipalities: Mapped[int] = mapped_column(Integer)
    locks: Mapped[int] = mapped_column(Integer, server_default="0")
    forbidden: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    created_by_key: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_by_role: Mapped[str] = mapped_column(String(SHORT))

    @property
    def created_by(self) -> Actor:
        return Actor(self.created_by_key, self.created_by_role)


class InstanceMunicipality(Base):
    """Which municipalities an instance version covers: what a municipality key may see of it."""

    __tablename__ = "instance_municipalities"

    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), primary_key=True)
    code: Mapped[str] = mapped_column(Text, primary_key=True)

    __table_args__ = (Index("ix_instance_municipalities_code", "code"),)


class ProposalRecord(Base):
    """The proposal of a solve (the best so far while it runs), with what an audit needs to reproduce it."""

    __tablename__ = "proposals"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    solve_id: Mapped[str] = mapped_column(ForeignKey("solves.id"), unique=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    status: Mapped[str] = mapped_column(String(SHORT))  # the proposal's own: optimal, feasible, invalid
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # audit: what went in, with which software, at whose request
    instance_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    policy: Mapped[str] = mapped_column(Text)  # JSON, as the instance gave it
    options: Mapped[str] = mapped_column(Text)  # JSON
    seed: Mapped[int] = mapped_column(Integer)
    matcher_version: Mapped[str] = mapped_column(String(SHORT * 2))
    ortools_version: Mapped[str] = mapped_column(String(SHORT * 2))
    requested_by_key: Mapped[str] = mapped_column(String(ID_LENGTH))
    requested_by_role: Mapped[str] = mapped_column(String(SHORT))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SolveRecord(Base):
    """A job: ``queued -> running -> completed | failed | cancelled``. A running job is held by one worker
    under a lease that the worker renews; when the lease expires another worker may take it over.

    Most jobs solve an instance (kind ``solve``). A question about a finished solve's proposal that takes
    re-solves (``recommend``, ``why_not``) is a job of its own kind on the same queue: its ``question`` says
    what was asked, ``parent_solve_id`` which solve it is about, and ``answer`` holds the answer."""

    __tablename__ = "solves"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(SHORT), default=SOLVE_JOB, server_default=SOLVE_JOB)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    # a re-plan's solve: the solve re-planned; a question: the solve asked about
    parent_solve_id: Mapped[str | None] = mapped_column(ForeignKey("solves.id"))
    question: Mapped[str | None] = mapped_column(Text)  # JSON, questions only
    answer: Mapped[str | None] = mapped_column(Text)  # JSON, questions only, once answered
    status: Mapped[str] = mapped_column(String(SHORT), index=True)
    options: Mapped[str] = mapped_column(Text)  # JSON
    seed: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str | None] = mapped_column(Text)  # JSON: tier, objectives and bounds so far
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_key: Mapped[str] = mapped_column(String(ID_LENGTH))
    requested_by_role: Mapped[str] = mapped_column(String(SHORT))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cancel_requested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # the lease of the attempt that runs the job: only its holder may write the job's results
    lease_token: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    lease_holder: Mapped[str | None] = mapped_column(Text)  # "host:pid" of the worker, for the history
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # read with the job only when asked for (``undefer``, or on first access in its session)
    proposal_status: Mapped[str | None] = column_property(
        select(ProposalRecord.status).where(ProposalRecord.solve_id == id).correlate_except(ProposalRecord)
        .scalar_subquery(), deferred=True)
    history: Mapped[list[SolveEvent]] = relationship(order_by="SolveEvent.id", viewonly=True)

    @property
    def requested_by(self) -> Actor:
        return Actor(self.requested_by_key, self.requested_by_role)


class SolveEvent(Base):
    """The history of a job: queued, started, re-queued after a restart, cancelled, finished."""

    __tablename__ = "solve_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    solve_id: Mapped[str] = mapped_column(ForeignKey("solves.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    event: Mapped[str] = mapped_column(String(SHORT))
    message: Mapped[str] = mapped_column(Text, default="")


class DecisionRecord(Base):
    """An accept or decline of one proposed pair, on one proposal of one instance version."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    solve_id: Mapped[str] = mapped_column(ForeignKey("solves.id"), index=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id"))
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"))
    household: Mapped[str] = mapped_column(Text)
    dwelling: Mapped[str] = mapped_column(Text)
    municipality: Mapped[str] = mapped_column(Text)  # of the dwelling
    persons: Mapped[int] = mapped_column(Integer)  # the household's size, for progress figures
    decision: Mapped[str] = mapped_column(String(SHORT))  # "accept" or "decline"
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_key: Mapped[str] = mapped_column(String(ID_LENGTH))
    decided_by_role: Mapped[str] = mapped_column(String(SHORT))
    decided_by_municipality: Mapped[str | None] = mapped_column(String(SHORT))
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    position: Mapped[int] = mapped_column(Integer)  # order within the request that made it (same decided_at)
    instance_version: Mapped[int] = column_property(
        select(InstanceRecord.version).where(InstanceRecord.id == instance_id).scalar_subquery())

    @property
    def decided_by(self) -> Actor:
        return Actor(self.decided_by_key, self.decided_by_role, self.decided_by_municipality)
