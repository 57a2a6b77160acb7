"""Several servers on one database (issue 18, defect 1): a server's start or stop never touches a job another
server runs, a finished proposal never changes, and a cancel sent to any server reaches the job."""

from __future__ import annotations

from pathlib import Path

from api_support import backend, fresh_database, running_service  # noqa: F401 - fixtures

LEASE = {"lease_seconds": 3.0, "lease_renew_seconds": 0.2}


def test_a_second_server_neither_reruns_nor_disturbs_a_job_the_first_runs(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        with running_service(url, tmp_path / "a", solve_function="api_fakes:slow", **LEASE) as a:
            a.keys = {"coordinator": a.key(), "GM0321": a.key("GM0321")}
            solve_id = a.start_solve(a.add_instance())
            a.wait(solve_id, until=lambda job: job["proposal_status"] is not None)  # running, with a best so far
            with running_service(url, tmp_path / "b", **LEASE) as b:  # B starts while A's job runs
                b.keys = a.keys
                assert b.get(f"/v1/solves/{solve_id}").json()["status"] == "running"
            # B stopped gracefully: A's job is still A's, and runs on
            job = a.get(f"/v1/solves/{solve_id}").json()
            assert job["status"] == "running" and job["attempts"] == 1
            with running_service(url, tmp_path / "c", **LEASE) as c:
                c.keys = a.keys
                stopped = c.delete(f"/v1/solves/{solve_id}")  # sent to a server that does not run the job
                assert stopped.status_code in (200, 202), stopped.text
                job = c.wait(solve_id, timeout=30)
            assert job["status"] == "cancelled" and job["attempts"] == 1
            kept = a.get(f"/v1/solves/{solve_id}/proposal")
            assert kept.status_code == 200 and kept.headers["X-Proposal-Final"] == "true"
            events = [event["event"] for event in job["history"]]
            assert events == ["queued", "running", "cancel_requested", "cancelled"]


def test_a_finished_proposal_and_its_decisions_survive_other_servers(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        with running_service(url, tmp_path / "a", **LEASE) as a:
            solve_id = a.solved()
            before = a.get(f"/v1/solves/{solve_id}/proposal").text
            pair = a.get(f"/v1/solves/{solve_id}/proposal").json()["assignments"][0]
            decided = a.post(f"/v1/solves/{solve_id}/decisions", json=[
                {"household": pair["household"], "dwelling": pair["dwelling"], "decision": "accept"}])
            assert decided.status_code == 201, decided.text
            keys = a.keys
        for name in ("b", "c"):  # servers come and go on the same database
            with running_service(url, tmp_path / name, **LEASE) as other:
                other.keys = keys
                assert other.get(f"/v1/solves/{solve_id}/proposal").text == before
        with running_service(url, tmp_path / "d", **LEASE) as last:
            last.keys = keys
            job = last.get(f"/v1/solves/{solve_id}").json()
            assert job["status"] == "completed" and job["attempts"] == 1
            assert last.get(f"/v1/solves/{solve_id}/proposal").text == before
            assert len(last.get(f"/v1/solves/{solve_id}/decisions").json()["items"]) == 1
