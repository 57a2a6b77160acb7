"""Isolation, endpoint by endpoint: a municipality key reads and changes only its own municipality's data,
and everything else answers exactly as a thing that does not exist. No key: only health and the docs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from api_support import Service, backend, service, tiny_document  # noqa: F401 - fixtures

OWN, OTHER, OUTSIDER = "GM0632", "GM0321", "GM9999"  # tiny-s1 covers GM0632 and GM0321, not GM9999
STATUS_VIEW = {"id", "status", "created_at", "started_at", "finished_at"}


@dataclass
class Scenario:
    instance_id: str
    solve_id: str
    assignments: list[dict[str, Any]]
    dwelling_municipality: dict[str, str]

    def pair_in(self, municipality: str) -> dict[str, str]:
        found = next(a for a in self.assignments if self.dwelling_municipality[a["dwelling"]] == municipality)
        return {"household": found["household"], "dwelling": found["dwelling"]}


@pytest.fixture(scope="module")
def scenario(service: Service) -> Scenario:
    instance_id = service.add_instance()
    solve_id = service.solved(instance_id)
    proposal = service.get(f"/v1/solves/{solve_id}/proposal").json()
    dwellings = {d["id"]: d["municipality"] for d in tiny_document()["dwellings"]}
    found = Scenario(instance_id, solve_id, proposal["assignments"], dwellings)
    assert {dwellings[a["dwelling"]] for a in proposal["assignments"]} == {OWN, OTHER}
    response = service.post(f"/v1/solves/{solve_id}/decisions", json=[{**found.pair_in(OTHER), "decision": "accept"}])
    assert response.status_code == 201
    return found


def endpoints(s: Scenario) -> list[tuple[str, str, Any]]:
    """Every route with a body that would be valid for the coordinator."""
    return [
        ("GET", "/v1/instances", None),
        ("POST", "/v1/instances", tiny_document()),
        ("GET", f"/v1/instances/{s.instance_id}", None),
        ("GET", "/v1/solves", None),
        ("POST", "/v1/solves", {"instance_id": s.instance_id}),
        ("GET", f"/v1/solves/{s.solve_id}", None),
        ("GET", f"/v1/solves/{s.solve_id}/proposal", None),
        ("DELETE", f"/v1/solves/{s.solve_id}", None),
        ("POST", f"/v1/solves/{s.solve_id}/decisions", [{**s.pair_in(OWN), "decision": "accept"}]),
        ("GET", f"/v1/solves/{s.solve_id}/decisions", None),
        ("POST", f"/v1/solves/{s.solve_id}/replan", None),
        ("GET", f"/v1/municipalities/{OWN}/progress", None),
    ]


def call(service: Service, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return service.client.request(method, path, json=body, headers=headers)


def test_without_a_key_only_health_and_docs_answer(service: Service, scenario: Scenario) -> None:
    for method, path, body in endpoints(scenario):
        response = call(service, method, path, body, {})
        assert response.status_code == 401, (method, path)
    for path in ("/v1/health", "/docs", "/openapi.json"):
        assert service.client.get(path).status_code == 200


@pytest.mark.parametrize("who", [OWN, OUTSIDER])
def test_coordinator_routes_do_not_exist_for_municipality_keys(service: Service, scenario: Scenario,
                                                               who: str) -> None:
    instances_before = service.get("/v1/instances", params={"limit": 500}).json()
    coordinator_only = [e for e in endpoints(scenario) if "/decisions" not in e[1] and "/progress" not in e[1]
                        and not (e[0] == "GET" and e[1].startswith("/v1/solves"))]
    assert len(coordinator_only) == 6
    for method, path, body in coordinator_only:
        response = call(service, method, path, body, service.headers(who))
        assert response.status_code == 404, (who, method, path, response.text)
    assert service.get("/v1/instances", params={"limit": 500}).json() == instances_before
    assert service.get(f"/v1/solves/{scenario.solve_id}").json()["status"] == "completed"


def not_found_alike(hidden: Any, missing: Any, hidden_id: str, missing_id: str) -> None:
    """A hidden thing answers exactly like a thing that does not exist."""
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(hidden_id, "ID") == missing.json()["detail"].replace(missing_id, "ID")


def test_a_solve_outside_the_municipality_does_not_exist_for_its_key(service: Service, scenario: Scenario) -> None:
    for suffix in ("", "/proposal", "/decisions"):
        hidden = service.get(f"/v1/solves/{scenario.solve_id}{suffix}", OUTSIDER)
        missing = service.get(f"/v1/solves/sol_000000000000000000000000{suffix}", OUTSIDER)
        not_found_alike(hidden, missing, scenario.solve_id, "sol_000000000000000000000000")
    decided = service.post(f"/v1/solves/{scenario.solve_id}/decisions", OUTSIDER,
                           json=[{**scenario.pair_in(OWN), "decision": "accept"}])
    assert decided.status_code == 404
    assert scenario.solve_id not in {s["id"] for s in service.get("/v1/solves", OUTSIDER).json()["items"]}


def test_a_municipality_sees_only_the_status_of_solves_that_cover_it(service: Service, scenario: Scenario) -> None:
    job = service.get(f"/v1/solves/{scenario.solve_id}", OWN).json()
    assert set(job) == STATUS_VIEW and job["status"] == "completed"
    listed = {s["id"]: s for s in service.get("/v1/solves", OWN).json()["items"]}
    assert set(listed[scenario.solve_id]) == STATUS_VIEW


@pytest.mark.parametrize("who", [OWN, OTHER])
def test_a_municipality_sees_only_its_own_dwellings_assignments(service: Service, scenario: Scenario,
                                                                who: str) -> None:
    seen = service.get(f"/v1/solves/{scenario.solve_id}/proposal", who).json()
    expected = [a for a in scenario.assignments if scenario.dwelling_municipality[a["dwelling"]] == who]
    assert seen["assignments"] == expected and expected
    assert [m["id"] for m in seen["municipalities"]] == [who]
    assert seen["unassigned"] == [] and "objectives" not in seen and "stats" not in seen
    assert {h["id"] for h in seen["households"]} == {a["household"] for a in expected}
    assert {d["id"] for d in seen["dwellings"]} == {a["dwelling"] for a in expected}
    assert {d["municipality"] for d in seen["dwellings"]} == {who}


def test_a_municipality_decides_only_on_its_own_pairs(service: Service, scenario: Scenario) -> None:
    foreign = service.post(f"/v1/solves/{scenario.solve_id}/decisions", OWN,
                           json=[{**scenario.pair_in(OTHER), "decision": "decline"}])
    invented = service.post(f"/v1/solves/{scenario.solve_id}/decisions", OWN,
                            json=[{"household": "h-invented", "dwelling": "d-invented", "decision": "decline"}])
    assert foreign.status_code == invented.status_code == 404  # issue 18, defect 5: it answered 422 before
    assert foreign.json()["detail"].replace(scenario.pair_in(OTHER)["dwelling"], "?") == \
        invented.json()["detail"].replace("d-invented", "?")
    mixed = service.post(f"/v1/solves/{scenario.solve_id}/decisions", OWN,
                         json=[{**scenario.pair_in(OWN), "decision": "accept"},
                               {**scenario.pair_in(OTHER), "decision": "accept"}])
    assert mixed.status_code == 404  # and nothing of the request is stored

    own = service.post(f"/v1/solves/{scenario.solve_id}/decisions", OWN,
                       json=[{**scenario.pair_in(OWN), "decision": "accept", "reason": "agreed"}])
    assert own.status_code == 201
    assert own.json()["items"][0]["decided_by"]["municipality"] == OWN


def test_a_municipality_reads_only_its_own_decisions(service: Service, scenario: Scenario) -> None:
    everything = service.get(f"/v1/solves/{scenario.solve_id}/decisions").json()["items"]
    assert {d["municipality"] for d in everything} >= {OTHER}
    mine = service.get(f"/v1/solves/{scenario.solve_id}/decisions", OWN).json()["items"]
    assert mine == [d for d in everything if d["municipality"] == OWN]


def test_progress_only_for_the_own_municipality(service: Service, scenario: Scenario) -> None:
    own = service.get(f"/v1/municipalities/{OWN}/progress", OWN)
    assert own.status_code == 200 and own.json()["code"] == OWN
    hidden = service.get(f"/v1/municipalities/{OTHER}/progress", OWN)
    missing = service.get(f"/v1/municipalities/{OUTSIDER}/progress")
    not_found_alike(hidden, missing, OTHER, OUTSIDER)
    assert service.get(f"/v1/municipalities/{OUTSIDER}/progress", OUTSIDER).status_code == 404
