"""Storage: migrations build exactly the models' schema, keys are kept only as hashes, the job queue moves
along its lifecycle, a restart re-queues interrupted jobs, and proposals and decisions keep their audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text, update

from api_support import backend, database_url, tiny_document  # noqa: F401 - fixtures
from matcher.storage import Database, migrate
from matcher.storage import repository as repo
from matcher.storage.models import ApiKey, Base, SolveEvent, SolveRecord

COORDINATOR = repo.Actor("key_test", repo.COORDINATOR)
VERSIONS = repo.SoftwareVersions("1.2.3", "9.9.9")


@pytest.fixture
def database(database_url: str) -> Database:  # noqa: F811 - the fixture above
    opened = Database.open(database_url)
    yield opened
    opened.close()


def queued_solve(database: Database, seed: int = 0) -> str:
    with database.session() as session:
        instance = repo.add_instance(session, tiny_document(), COORDINATOR)
        return repo.add_solve(session, instance, {"time_limit": 5, "seed": seed}, COORDINATOR).id


def test_migrations_build_exactly_the_models_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"api_keys", "instances", "solves", "solve_events", "proposals", "decisions"} <= tables


def test_migrating_again_changes_nothing(database: Database) -> None:
    with database.session() as session:
        repo.create_key(session, repo.COORDINATOR)
    migrate(database.engine)
    with database.session() as session:
        assert len(repo.list_keys(session)) == 1


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.close()


def test_keys_are_stored_only_as_hashes_and_revocable(database: Database) -> None:
    with database.session() as session:
        key, token = repo.create_key(session, repo.MUNICIPALITY, "GM0356", "test")
    with database.session() as session:
        stored = session.scalars(select(ApiKey)).one()
        assert token not in json.dumps([str(getattr(stored, c.key)) for c in ApiKey.__table__.columns])
        assert repo.key_for_token(session, token).municipality == "GM0356"
        assert repo.key_for_token(session, token + "x") is None
        assert repo.revoke_key(session, key.id)
        assert not repo.revoke_key(session, key.id)
    with database.session() as session:
        assert repo.key_for_token(session, token) is None


def test_key_roles_are_checked(database: Database) -> None:
    with database.session() as session:
        with pytest.raises(ValueError, match="municipality code"):
            repo.create_key(session, repo.MUNICIPALITY)
        with pytest.raises(ValueError, match="role"):
            repo.create_key(session, "admin")


def test_instances_record_versions_and_covered_municipalities(database: Database) -> None:
    document = tiny_document()
    with database.session() as session:
        first = repo.add_instance(session, document, COORDINATOR)
        second = repo.add_instance(session, document, COORDINATOR, parent=first, replanned_from_solve="sol_x")
        assert (first.version, second.version, second.parent_id) == (1, 2, first.id)
        assert first.content_hash == repo.content_hash(json.loads(json.dumps(document, indent=3)))
        assert repo.instance_covers(session, first.id, "GM0632")
        assert not repo.instance_covers(session, first.id, "GM9999")
        assert repo.latest_instance_covering(session, "GM0321").id == second.id


LEASE_S = 30.0


def claim(session, holder: str = "worker-a", lease_seconds: float = LEASE_S):  # type: ignore[no-untyped-def]
    claimed = repo.claim_next(session, holder, lease_seconds)
    return (None, None) if claimed is None else claimed


def expire(database: Database, solve_id: str) -> None:
    """What a worker that died leaves behind: its lease runs out."""
    with database.session() as session:
        session.execute(update(SolveRecord).where(SolveRecord.id == solve_id)
                        .values(lease_expires_at=repo.now() - dt.timedelta(seconds=1)))


def test_queue_is_first_in_first_out_and_claims_once(database: Database) -> None:
    first, second = queued_solve(database), queued_solve(database)
    with database.session() as session:
        claimed, lease = claim(session)
        assert claimed.id == first and claimed.status == repo.RUNNING and claimed.attempts == 1
        assert claimed.lease_token == lease.token and claimed.lease_holder == "worker-a"
    with database.session() as session:
        assert claim(session, "worker-b")[0].id == second
        assert claim(session, "worker-c") == (None, None)


def test_a_held_job_is_never_claimed_again_an_expired_one_is(database: Database) -> None:
    solve_id = queued_solve(database)
    with database.session() as session:
        _, first_lease = claim(session)
    with database.session() as session:
        assert claim(session, "worker-b") == (None, None)
        assert repo.renew_lease(session, first_lease) == repo.LeaseState(held=True, cancel_requested=False)
    expire(database, solve_id)
    with database.session() as session:
        solve, second_lease = claim(session, "worker-b")
        assert solve.id == solve_id and solve.attempts == 2
    with database.session() as session:
        assert not repo.renew_lease(session, first_lease).held
        with pytest.raises(repo.LeaseLost):
            repo.save_proposal(session, first_lease, {"status": "feasible"}, True, VERSIONS)
        with pytest.raises(repo.LeaseLost):
            repo.finish_solve(session, first_lease, repo.COMPLETED, "the old worker woke up")
    with database.session() as session:
        repo.finish_solve(session, second_lease, repo.COMPLETED, "done")
        events = [e.event for e in repo.events(session, solve_id)]
        assert events == ["queued", "running", "lease_expired", "running", "completed"]


def test_finishing_only_moves_a_running_job_held_by_its_lease(database: Database) -> None:
    solve_id = queued_solve(database)
    with database.session() as session:
        solve, lease = claim(session)
        repo.save_proposal(session, lease, {"status": "feasible"}, False, VERSIONS)
        repo.finish_solve(session, lease, repo.COMPLETED, "done")
        with pytest.raises(repo.LeaseLost):
            repo.finish_solve(session, lease, repo.FAILED, "too late")
        with pytest.raises(repo.LeaseLost):
            repo.save_proposal(session, lease, {"status": "optimal"}, True, VERSIONS)
    with database.session() as session:
        solve = repo.get_solve(session, solve_id)
        assert solve.status == repo.COMPLETED and solve.error is None and solve.finished_at is not None
        assert solve.lease_token is None
        stored = repo.proposal_of(session, solve_id)
        assert stored.final and stored.status == "feasible"
        assert [e.event for e in repo.events(session, solve_id)] == ["queued", "running", "completed"]
    with pytest.raises(ValueError):
        with database.session() as session:
            repo.finish_solve(session, lease, repo.RUNNING, "not final")


def test_a_cancel_reaches_the_lease_holder_and_outlives_its_worker(database: Database) -> None:
    cancelling = queued_solve(database)
    with database.session() as session:
        _, lease = claim(session)
        repo.request_cancel(session, repo.get_solve(session, cancelling), COORDINATOR)
    with database.session() as session:
        assert repo.renew_lease(session, lease) == repo.LeaseState(held=True, cancel_requested=True)
    expire(database, cancelling)  # the worker died before it could stop the solve
    with database.session() as session:
        assert claim(session, "worker-b") == (None, None)
        assert repo.get_solve(session, cancelling).status == repo.CANCELLED


def test_reading_the_lease_state_writes_nothing_and_sees_a_cancel_and_a_take_over(database: Database) -> None:
    solve_id = queued_solve(database)
    with database.session() as session:
        _, lease = claim(session)
        expires = repo.get_solve(session, solve_id).lease_expires_at
    with database.session() as session:
        assert repo.lease_state(session, lease) == repo.LeaseState(held=True, cancel_requested=False)
        assert repo.get_solve(session, solve_id).lease_expires_at == expires  # read, not renewed
        repo.request_cancel(session, repo.get_solve(session, solve_id), COORDINATOR)
    with database.session() as session:
        assert repo.lease_state(session, lease) == repo.LeaseState(held=True, cancel_requested=True)
        session.execute(update(SolveRecord).where(SolveRecord.id == solve_id).values(lease_token="another"))
    with database.session() as session:
        assert repo.lease_state(session, lease) == repo.LeaseState(held=False, cancel_requested=False)


def test_a_released_lease_lets_another_worker_start_the_job_at_once(database: Database) -> None:
    solve_id = queued_solve(database)
    with database.session() as session:
        _, lease = claim(session)
    with database.session() as session:
        assert repo.release_lease(session, lease, "its worker shut down")
    with database.session() as session:
        solve, _ = claim(session, "worker-b")
        assert solve.id == solve_id
        notes = session.scalars(select(SolveEvent.message).where(SolveEvent.event == "released")).all()
        assert notes == ["its worker shut down"]


def test_cancelling_a_queued_job_is_immediate(database: Database) -> None:
    solve_id = queued_solve(database)
    with database.session() as session:
        repo.request_cancel(session, repo.get_solve(session, solve_id), COORDINATOR)
    with database.session() as session:
        solve = repo.get_solve(session, solve_id)
        assert solve.status == repo.CANCELLED and solve.finished_at is not None
        assert claim(session) == (None, None)


def test_proposals_are_replaced_in_place_and_keep_their_audit(database: Database) -> None:
    solve_id = queued_solve(database, seed=7)
    with database.session() as session:
        solve, lease = claim(session)
        interim = repo.save_proposal(session, lease, {"status": "feasible", "assignments": []}, False, VERSIONS)
        final = repo.save_proposal(session, lease, {"status": "optimal", "assignments": [1]}, True, VERSIONS)
        assert interim.id == final.id
    with database.session() as session:
        stored = repo.proposal_of(session, solve_id)
        assert (stored.status, stored.final, json.loads(stored.document)["assignments"]) == ("optimal", True, [1])
        assert stored.instance_hash == repo.content_hash(tiny_document())
        assert (stored.seed, stored.matcher_version, stored.ortools_version) == (7, "1.2.3", "9.9.9")
        assert (stored.requested_by_key, stored.requested_by_role) == ("key_test", "coordinator")
        assert json.loads(stored.options) == {"seed": 7, "time_limit": 5}
        assert stored.requested_at.tzinfo is not None


def test_the_latest_decision_on_a_pair_stands(database: Database) -> None:
    solve_id = queued_solve(database)
    municipality = repo.Actor("key_m", repo.MUNICIPALITY, "GM0632")
    with database.session() as session:
        solve, lease = claim(session)
        proposal = repo.save_proposal(session, lease, {"status": "optimal"}, True, VERSIONS)
        pair = repo.PairDecision("h00004", "d00005", "GM0632", 2, repo.ACCEPT, None)
        repo.add_decisions(session, solve, proposal, [pair], municipality)
    with database.session() as session:
        solve, proposal = repo.get_solve(session, solve_id), repo.proposal_of(session, solve_id)
        later = repo.PairDecision("h00004", "d00005", "GM0632", 2, repo.DECLINE, "family moved")
        repo.add_decisions(session, solve, proposal, [later], municipality)
    with database.session() as session:
        history = repo.decisions_on(session, solve_id)
        assert [d.decision for d in history] == ["accept", "decline"]
        standing = repo.standing_decisions(history)
        assert standing[("h00004", "d00005")].reason == "family moved"
        assert repo.decisions_on(session, solve_id, "GM0321") == []
        assert history[0].decided_by_municipality == "GM0632" and history[0].proposal_id == proposal.id


def test_times_must_be_aware(database: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        with database.session() as session:
            session.add(ApiKey(id="key_naive", key_hash="0" * 64, role="coordinator", label="",
                               created_at=dt.datetime(2026, 1, 1)))


def test_upgrading_a_database_of_the_first_revision_keeps_and_completes_its_data(backend: str,  # noqa: F811
                                                                                  tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from api_support import fresh_database
    from matcher.storage.engine import MIGRATIONS, create_database_engine

    with fresh_database(backend, tmp_path) as url:
        engine = create_database_engine(url)
        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(text(
                "INSERT INTO instances (id, name, version, content_hash, document, households, dwellings, "
                "municipalities, created_at, created_by_key, created_by_role) VALUES ('ins_old', 'old', 1, 'h', "
                ":document, 6, 6, 2, '2026-01-01 00:00:00', 'key_x', 'coordinator')"),
                {"document": json.dumps({**tiny_document(), "forbidden": [{"household": "h00000",
                                                                             "dwelling": "d00000"}]})})
        engine.dispose()
        database = Database.open(url)
        with database.session() as session:
            old = repo.get_instance(session, "ins_old")
            assert (old.name, old.locks, old.forbidden) == ("old", 0, 1)
        database.close()
