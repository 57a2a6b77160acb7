"""``/v1/solves``: the job lifecycle, the best proposal so far, stopping, and the request errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from api_support import Service, backend, make_service, service, tiny_document  # noqa: F401 - fixtures
from matcher.checker import check_proposal
from matcher.format import Proposal
from matcher.validation import load_instance

SLOW = "api_fakes:slow"


def test_a_solve_goes_from_queued_to_completed_with_a_checked_proposal(service: Service) -> None:
    instance_id = service.add_instance()
    created = service.post("/v1/solves", json={"instance_id": instance_id,
                                                 "options": {"time_limit": 10, "workers": 1, "seed": 3}})
    assert created.status_code == 202
    job = created.json()
    assert (job["status"], job["instance_id"], job["seed"]) == ("queued", instance_id, 3)
    assert job["options"] == {"time_limit": 10.0, "workers": 1, "seed": 3, "deterministic": False,
                              "method": "cpsat"}

    done = service.wait(job["id"])
    assert done["status"] == "completed" and done["error"] is None and done["attempts"] == 1
    assert done["created_at"] <= done["started_at"] <= done["finished_at"]
    assert [event["event"] for event in done["history"]] == ["queued", "running", "completed"]

    response = service.get(f"/v1/solves/{job['id']}/proposal")
    assert response.headers["X-Proposal-Final"] == "true"
    proposal = Proposal.model_validate(response.json())
    assert check_proposal(load_instance(tiny_document()), proposal).ok
    assert done["proposal_status"] == proposal.status == "optimal"
    reported = [(o["name"], o["value"], o["bound"], o["done"]) for o in done["progress"]["objectives"]]
    assert reported == [(o.name, o.value, o.bound, True) for o in proposal.objectives]


def test_solves_are_listed_newest_first(service: Service) -> None:
    instance_id = service.add_instance()
    first, second = service.start_solve(instance_id), service.start_solve(instance_id)
    assert [item["id"] for item in service.get("/v1/solves").json()["items"][:2]] == [second, first]
    service.wait(second)


def test_one_solve_at_a_time_the_rest_wait_and_show_their_best_so_far(make_service: Callable[..., Service]) -> None:
    service = make_service(solve_function=SLOW)
    instance_id = service.add_instance()
    running, waiting = service.start_solve(instance_id), service.start_solve(instance_id)
    # the interim proposal is stored a moment before the first progress: wait for both
    job = service.wait(running, until=lambda j: j["proposal_status"] is not None and (j["progress"] or {}).get("tier"))
    assert service.get(f"/v1/solves/{waiting}").json()["status"] == "queued"
    assert service.get(f"/v1/solves/{waiting}/proposal").status_code == 409

    interim = service.get(f"/v1/solves/{running}/proposal")
    assert interim.status_code == 200 and interim.headers["X-Proposal-Final"] == "false"
    assert job["status"] == "running" and job["progress"]["objectives"][-1]["done"] is False

    for solve_id in (running, waiting):
        assert service.delete(f"/v1/solves/{solve_id}").status_code in (200, 202)


def test_cancelling_a_running_solve_stops_it_within_a_second_and_keeps_its_best(
        make_service: Callable[..., Service]) -> None:
    service = make_service(solve_function=SLOW)
    solve_id = service.start_solve(service.add_instance())
    service.wait(solve_id, until=lambda j: j["progress"] is not None and j["progress"]["tier"] is not None)

    asked = time.monotonic()
    response = service.delete(f"/v1/solves/{solve_id}")
    job = service.wait(solve_id, timeout=5)
    assert time.monotonic() - asked < 1.5
    assert response.status_code == 200 and job["status"] == "cancelled" and job["cancel_requested_at"]
    assert [e["event"] for e in job["history"]][-2:] == ["cancel_requested", "cancelled"]
    kept = service.get(f"/v1/solves/{solve_id}/proposal")
    assert kept.headers["X-Proposal-Final"] == "true"
    assert check_proposal(load_instance(tiny_document()), Proposal.model_validate(kept.json())).ok

    again = service.delete(f"/v1/solves/{solve_id}")
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


def test_cancelling_reaches_a_running_cpsat_search_within_a_second(make_service: Callable[..., Service]) -> None:
    service = make_service(solve_function="api_fakes:cpsat_until_stopped")
    solve_id = service.start_solve(service.add_instance())
    service.wait(solve_id, until=lambda j: j["progress"] is not None and j["progress"]["tier"] == "partition")
    asked = time.monotonic()
    service.delete(f"/v1/solves/{solve_id}")
    job = service.wait(solve_id, timeout=5)
    assert time.monotonic() - asked < 1.5 and job["status"] == "cancelled"
    assert "kept the best proposal found" in job["history"][-1]["message"]


def test_cancelling_a_queued_solve_is_immediate_and_it_never_runs(make_service: Callable[..., Service]) -> None:
    service = make_service(solve_function=SLOW)
    instance_id = service.add_instance()
    running, waiting = service.start_solve(instance_id), service.start_solve(instance_id)
    response = service.delete(f"/v1/solves/{waiting}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["started_at"] is None
    service.delete(f"/v1/solves/{running}")
    assert service.wait(running)["status"] == "cancelled"
    assert service.get(f"/v1/solves/{waiting}").json()["attempts"] == 0


def test_a_finished_solve_cannot_be_cancelled(service: Service) -> None:
    solve_id = service.solved()
    response = service.delete(f"/v1/solves/{solve_id}")
    assert response.status_code == 409 and "already completed" in response.json()["detail"]


@pytest.mark.parametrize(("body", "path"), [
    ({"instance_id": "x", "options": {"time_limit": "5"}}, "options.time_limit"),
    ({"instance_id": "x", "options": {"time_limit": 0}}, "options.time_limit"),
    ({"instance_id": "x", "options": {"workers": 0}}, "options.workers"),
    ({"instance_id": "x", "options": {"seed": 2**40}}, "options.seed"),
    ({"instance_id": "x", "options": {"method": "magic"}}, "options.method"),
    ({"instance_id": "x", "options": {"deterministic": 1}}, "options.deterministic"),
    ({"instance_id": "x", "options": {"time_limt": 5}}, "options.time_limt"),
    ({"instance_id": 5}, "instance_id"),
    ({"instance_id": "a\x00b"}, "instance_id"),
    ({}, "instance_id"),
    ([], ""),
])
def test_bad_solve_requests_are_422_with_the_path(service: Service, body: object, path: str) -> None:
    response = service.post("/v1/solves", json=body)
    assert response.status_code == 422, response.text
    assert path in [problem["path"] for problem in response.json()["problems"]]


def test_malformed_json_is_422(service: Service) -> None:
    response = service.post("/v1/solves", content=b'{"instance_id": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["problems"][0]["message"]


def test_unknown_ids_are_404(service: Service) -> None:
    assert service.post("/v1/solves", json={"instance_id": "ins_nope"}).status_code == 404
    for path in ("/v1/solves/sol_nope", "/v1/solves/sol_nope/proposal", "/v1/solves/sol_nope/decisions"):
        assert service.get(path).status_code == 404
    assert service.delete("/v1/solves/sol_nope").status_code == 404
    assert service.post("/v1/solves/sol_nope/replan").status_code == 404


def test_the_stored_options_are_the_ones_the_solve_process_used(service: Service) -> None:
    solve_id = service.start_solve(service.add_instance(), time_limit=7, workers=1, seed=11, method="greedy")
    service.wait(solve_id)
    stats = service.get(f"/v1/solves/{solve_id}/proposal").json()["stats"]
    assert stats["options"] == {"time_limit": 7.0, "workers": 1, "seed": 11, "deterministic": False,
                                "method": "greedy"}
    assert json.loads(json.dumps(stats["options"])) == service.get(f"/v1/solves/{solve_id}").json()["options"]


def test_a_body_that_is_not_utf8_is_422(service: Service) -> None:
    response = service.post("/v1/solves", content=b'{"instance_id": "\xfc"}',
                            headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "not UTF-8" in response.json()["problems"][0]["message"]


@pytest.mark.parametrize("identifier", ["a%00b", "%ED%A0%80", "x" * 3000])
def test_ids_that_cannot_exist_are_404(service: Service, identifier: str) -> None:
    for path in (f"/v1/solves/{identifier}", f"/v1/solves/{identifier}/proposal",
                 f"/v1/instances/{identifier}", f"/v1/municipalities/{identifier}/progress"):
        assert service.get(path).status_code == 404, path
