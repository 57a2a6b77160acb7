"""Decisions on a proposal, their history, the re-plan they lead to, and the municipality progress figures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api_support import Service, backend, make_service, service, tiny_document  # noqa: F401 - fixtures
from matcher.checker import check_proposal
from matcher.format import Proposal
from matcher.validation import load_instance


def pairs(proposal: dict) -> set[tuple[str, str]]:
    return {(a["household"], a["dwelling"]) for a in proposal["assignments"]}


def proposal_of(service: Service, solve_id: str, who: str = "coordinator") -> dict:
    response = service.get(f"/v1/solves/{solve_id}/proposal", who)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def decide(service: Service, solve_id: str, items: list[dict], who: str = "coordinator") -> object:
    return service.post(f"/v1/solves/{solve_id}/decisions", who, json=items)


def test_decisions_are_recorded_with_who_when_and_on_what(service: Service) -> None:
    solve_id = service.solved()
    proposal = proposal_of(service, solve_id)
    (h1, d1), (h2, d2) = sorted(pairs(proposal))[:2]
    response = decide(service, solve_id, [{"household": h1, "dwelling": d1, "decision": "accept"},
                                          {"household": h2, "dwelling": d2, "decision": "decline",
                                           "reason": "too far from work"}])
    assert response.status_code == 201
    history = service.get(f"/v1/solves/{solve_id}/decisions").json()["items"]
    assert history == response.json()["items"]
    job = service.get(f"/v1/solves/{solve_id}").json()
    proposal_id = service.get(f"/v1/solves/{solve_id}/proposal").headers["X-Proposal-Id"]
    for decision in history:
        assert (decision["solve_id"], decision["instance_id"], decision["instance_version"]) == (
            solve_id, job["instance_id"], 1)
        assert decision["proposal_id"] == proposal_id
        assert decision["decided_by"] == {"key_id": decision["decided_by"]["key_id"], "role": "coordinator",
                                          "municipality": None}
        assert decision["decided_at"] >= job["finished_at"]
    assert [(d["decision"], d["reason"]) for d in history] == [("accept", None), ("decline", "too far from work")]


def test_decisions_on_pairs_outside_the_proposal_are_422_naming_them(service: Service) -> None:
    solve_id = service.solved()
    (household, dwelling), *_ = sorted(pairs(proposal_of(service, solve_id)))
    response = decide(service, solve_id, [
        {"household": household, "dwelling": dwelling, "decision": "accept"},
        {"household": household, "dwelling": "d-nowhere", "decision": "accept"},
        {"household": household, "dwelling": dwelling, "decision": "decline"},
    ])
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["path"], p["record"], p["code"]) for p in problems] == [
        ("[1]", f"{household} -> d-nowhere", "not_in_proposal"),
        ("[2]", f"{household} -> {dwelling}", "duplicate")]
    assert service.get(f"/v1/solves/{solve_id}/decisions").json()["items"] == []  # all or nothing


@pytest.mark.parametrize(("body", "path"), [
    ([], ""),
    ({"household": "h", "dwelling": "d", "decision": "accept"}, ""),
    ([{"household": "h", "dwelling": "d", "decision": "maybe"}], "[0].decision"),
    ([{"household": "h", "decision": "accept"}], "[0].dwelling"),
    ([{"household": "h", "dwelling": "d", "decision": "accept", "reason": 5}], "[0].reason"),
    ([{"household": "h", "dwelling": "d", "decision": "accept", "extra": 1}], "[0].extra"),
])
def test_malformed_decisions_are_422_with_paths(service: Service, body: object, path: str) -> None:
    response = service.post("/v1/solves/sol_anything/decisions", json=body)
    assert response.status_code == 422
    assert path in [problem["path"] for problem in response.json()["problems"]]


def test_decisions_and_replans_wait_for_a_finished_solve(make_service: Callable[..., Service]) -> None:
    service = make_service(solve_function="api_fakes:slow")
    solve_id = service.start_solve(service.add_instance())
    service.wait(solve_id, until=lambda job: job["proposal_status"] is not None)
    (household, dwelling), *_ = pairs(proposal_of(service, solve_id))
    response = decide(service, solve_id, [{"household": household, "dwelling": dwelling, "decision": "accept"}])
    assert response.status_code == 409 and "final proposal" in response.json()["detail"]
    assert service.post(f"/v1/solves/{solve_id}/replan").status_code == 409
    service.delete(f"/v1/solves/{solve_id}")


def test_a_replan_locks_accepted_pairs_forbids_declined_ones_and_solves(service: Service) -> None:
    solve_id = service.solved()
    first = proposal_of(service, solve_id)
    assignments = sorted(first["assignments"], key=lambda a: a["household"])
    accepted, declined = assignments[:2], assignments[2]
    items = [{"household": a["household"], "dwelling": a["dwelling"], "decision": "accept"} for a in accepted]
    items.append({"household": declined["household"], "dwelling": declined["dwelling"], "decision": "decline",
                  "reason": "dwelling withdrawn"})
    assert decide(service, solve_id, items).status_code == 201

    response = service.post(f"/v1/solves/{solve_id}/replan", json={"options": {"time_limit": 10, "workers": 1}})
    assert response.status_code == 202
    replan = response.json()
    assert replan["instance"]["version"] == 2 and replan["solve"]["parent_solve_id"] == solve_id
    assert {(lock["household"], lock["dwelling"]) for lock in replan["locks_added"]} == {
        (a["household"], a["dwelling"]) for a in accepted}
    assert [(f["household"], f["dwelling"]) for f in replan["forbidden_added"]] == [
        (declined["household"], declined["dwelling"])]
    assert "dwelling withdrawn" in replan["forbidden_added"][0]["reason"]

    document = service.get(f"/v1/instances/{replan['instance']['id']}").json()["document"]
    assert document["locks"] == replan["locks_added"]
    for lock, assignment in zip(replan["locks_added"], accepted, strict=True):
        assert lock.get("schools", {}) == {k: v for k, v in assignment["schools"].items() if v}

    job = service.wait(replan["solve"]["id"])
    assert job["status"] == "completed", job
    second = proposal_of(service, job["id"])
    assert {(a["household"], a["dwelling"]) for a in accepted} <= pairs(second)
    assert (declined["household"], declined["dwelling"]) not in pairs(second)
    assert check_proposal(load_instance(document), Proposal.model_validate(second)).ok


def test_a_later_decline_lifts_an_earlier_lock(service: Service) -> None:
    solve_id = service.solved()
    (household, dwelling), *_ = sorted(pairs(proposal_of(service, solve_id)))
    decide(service, solve_id, [{"household": household, "dwelling": dwelling, "decision": "accept"}])
    replanned = service.post(f"/v1/solves/{solve_id}/replan").json()
    second = service.wait(replanned["solve"]["id"])
    assert (household, dwelling) in pairs(proposal_of(service, second["id"]))

    decide(service, second["id"], [{"household": household, "dwelling": dwelling, "decision": "decline"}])
    third = service.post(f"/v1/solves/{second['id']}/replan").json()
    assert third["locks_removed"] == replanned["locks_added"]
    assert third["instance"]["version"] == 3 and third["instance"]["locks"] == 0
    assert (household, dwelling) not in pairs(proposal_of(service, service.wait(third["solve"]["id"])["id"]))


def test_progress_counts_target_housed_proposed_accepted_and_shortfall(make_service: Callable[..., Service]) -> None:
    service = make_service()
    document = tiny_document()
    instance_id = service.add_instance(document)
    before = service.get("/v1/municipalities/GM0321/progress").json()
    assert (before["target"], before["housed"], before["proposed"], before["accepted"]) == (22, 14, 0, 0)
    assert before["solve_id"] is None and before["instance_id"] == instance_id

    solve_id = service.solved(instance_id)
    proposal = proposal_of(service, solve_id)
    sizes = {h["id"]: len(h["members"]) for h in document["households"]}
    dwellings = {d["id"]: d["municipality"] for d in document["dwellings"]}
    mine = sorted(a for a in pairs(proposal) if dwellings[a[1]] == "GM0321")
    proposed = sum(sizes[h] for h, _ in mine)
    (household, dwelling), *_ = mine
    decide(service, solve_id, [{"household": household, "dwelling": dwelling, "decision": "accept"}])

    after = service.get("/v1/municipalities/GM0321/progress").json()
    assert after == {"code": "GM0321", "name": after["name"], "target": 22, "housed": 14, "proposed": proposed,
                     "accepted": sizes[household], "shortfall": 22 - 14 - sizes[household],
                     "shortfall_after_proposal": max(0, 22 - 14 - proposed), "instance_id": instance_id,
                     "solve_id": solve_id}
    assert service.get("/v1/municipalities/GM9999/progress").status_code == 404


def test_a_replan_keeps_the_undecided_pairs_and_says_why_any_moved(service: Service) -> None:
    solve_id = service.solved()
    first = proposal_of(service, solve_id)
    declined = sorted(first["assignments"], key=lambda a: a["household"])[0]
    decide(service, solve_id, [{"household": declined["household"], "dwelling": declined["dwelling"],
                                "decision": "decline", "reason": "stairs"}])
    response = service.post(f"/v1/solves/{solve_id}/replan", json={"options": {"time_limit": 10, "workers": 1}})
    assert response.status_code == 202, response.text
    replan = response.json()
    undecided = pairs(first) - {(declined["household"], declined["dwelling"])}
    assert {(p["household"], p["dwelling"]) for p in replan["previous"]} == undecided
    assert replan["objectives"] == ["overdue_housed", "persons_housed", "kept_previous", "max_shortfall_permille",
                                    "quality"]
    document = service.get(f"/v1/instances/{replan['instance']['id']}").json()["document"]
    assert document["previous"] == replan["previous"]

    second = proposal_of(service, service.wait(replan["solve"]["id"])["id"])
    assert check_proposal(load_instance(document), Proposal.model_validate(second)).ok
    kept = next(o for o in second["objectives"] if o["name"] == "kept_previous")
    moved = {(m["household"], m["dwelling"]) for m in second["moved"]}
    assert moved == undecided - pairs(second) and kept["value"] == len(undecided) - len(moved)
    assert all(m["reason"] for m in second["moved"])


def test_a_replan_may_name_its_own_objective_order(service: Service) -> None:
    solve_id = service.solved()
    response = service.post(f"/v1/solves/{solve_id}/replan", json={"objectives": ["kept_previous", "quality"]})
    assert response.status_code == 202, response.text
    assert response.json()["objectives"] == ["kept_previous", "quality"]
    bad = service.post(f"/v1/solves/{solve_id}/replan", json={"objectives": ["kept_everything"]})
    assert bad.status_code == 422
