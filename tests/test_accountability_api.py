"""The accountability endpoints of the service: recommendations and why-not on a finished solve (the same
answers as the library, scoped for municipality keys), the audit trail with an entry for every act, its CSV
export, and reproducing a stored solve."""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from api_support import FINISHED, Service, make_service, service, tiny_document  # noqa: F401 - fixtures
from builders import LONG_AGO, dwelling, household, instance, municipality
from conftest import EXAMPLES
from matcher.accountability.baseline import read_baseline
from matcher.accountability.recommend import recommend_dwellings
from matcher.accountability.why_not import why_not
from matcher.api.questions import answer
from matcher.cli import audit as audit_cli
from matcher.cli import reproduce as reproduce_cli
from matcher.job_kinds import WHY_NOT
from matcher.solver import SolveOptions


@pytest.fixture(scope="module")
def backend() -> str:
    """SQLite only: a question is answered inside its solve process whatever the database, and how its job
    is stored, leased and cancelled is tested on PostgreSQL as well (test_api_jobs, test_api_solves, the
    servers' and the fault test). Both databases here cost the suite about a minute for no new path."""
    return "sqlite"


OWN = "GM0632"  # in tiny-s1 this municipality has one dwelling, d00005; GM0321 has d00000-d00004
OPTIONS = {"time_limit": 10, "workers": 1, "seed": 5, "deterministic": True}
QUICK = {"options": {"time_limit": 5, "workers": 1}}


@pytest.fixture(scope="module")
def solved(service: Service) -> tuple[str, dict[str, Any]]:
    """A finished deterministic solve of tiny-s1 and its proposal."""
    solve_id = service.start_solve(service.add_instance(), **OPTIONS)
    assert service.wait(solve_id)["status"] == "completed"
    return solve_id, service.get(f"/v1/solves/{solve_id}/proposal").json()


def ids_in(body: Any) -> set[str]:
    """Every household and dwelling id of tiny-s1 that appears anywhere in a response, text included."""
    text = json.dumps(body)
    document = tiny_document()
    return {r["id"] for r in document["households"] + document["dwellings"] if f'{r["id"]}' in text}


def wait_question(service: Service, question_id: str, who: str = "coordinator", timeout: float = 60.0,
                  until: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    until = until or (lambda question: question["status"] in FINISHED)
    deadline = time.monotonic() + timeout
    while True:
        question = service.get(f"/v1/questions/{question_id}", who).json()
        if until(question):
            return question  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"question {question_id} still {question['status']}: {question}"
        time.sleep(0.05)


def ask(service: Service, solve_id: str, what: str, body: dict[str, Any], who: str = "coordinator") -> Any:
    """Ask a question as the service takes it (202 and a job), wait for it, and return its answer."""
    response = service.post(f"/v1/solves/{solve_id}/{what}", who, json={**body, **QUICK})
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["solve_id"] == solve_id and queued["status"] in ("queued", "running", "completed")
    done = wait_question(service, queued["id"], who)
    assert done["status"] == "completed", done
    assert done["question"]["household"] == body.get("household")
    return done["answer"]


def test_recommendations_for_a_household_match_the_library(service: Service,
                                                           solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    household = proposal["unassigned"][0]["household"]
    body = ask(service, solve_id, "recommendations", {"household": household})
    expected = recommend_dwellings(read_baseline(tiny_document(), proposal), household,
                                   options=SolveOptions(time_limit=5, workers=1))
    assert [(o["dwelling"], [c["after"] for c in o["objectives"]]) for o in body["options"]] == \
           [(o.dwelling, [c.after for c in o.changes]) for o in expected.options]
    assert body["considered"] == expected.considered and [o["rank"] for o in body["options"]] == \
           list(range(1, len(body["options"]) + 1))
    # what is proven about each option's cost, and which pairs went unranked, as the library states them
    assert [(o["cost_proven"], o["proven_worse_by"]) for o in body["options"]] == \
           [(o.cost_proven, o.proven_worse_by) for o in expected.options]
    assert body["unanswered"] == expected.unanswered
    assert sum(rule["pairs"] for rule in body["blocked_by_rule"]) >= len(body["blocked"])


def test_recommendations_for_a_dwelling(service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    dwelling = proposal["assignments"][0]["dwelling"]
    body = ask(service, solve_id, "recommendations", {"dwelling": dwelling, "top": 2})
    assert body["subject"] == "dwelling" and body["current"] == [proposal["assignments"][0]["household"]]
    assert len(body["options"]) <= 2 and body["options"][0]["household"] == proposal["assignments"][0]["household"]


def test_request_errors(service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, _ = solved
    path = f"/v1/solves/{solve_id}/recommendations"
    assert service.post(path, json={}).status_code == 422
    assert service.post(path, json={"household": "h00000", "dwelling": "d00000"}).status_code == 422
    assert service.post(path, json={"household": "nobody"}).status_code == 404
    assert service.post(path, json={"household": "h00000", "options": {"time_limit": 0}}).status_code == 422
    assert service.post(path, json={"household": "h00000", "top": "2"}).status_code == 422
    assert service.post("/v1/solves/sol_missing/why-not", json={"household": "h00000",
                                                                "dwelling": "d00000"}).status_code == 404
    assert service.client.post(path, json={"household": "h00000"}).status_code == 401
    assert service.get("/v1/questions/qst_missing").status_code == 404


def test_a_question_waits_for_a_finished_solve(make_service: Callable[..., Service]) -> None:
    fresh = make_service(solve_function="api_fakes:slow")
    solve_id = fresh.start_solve(fresh.add_instance())
    fresh.wait(solve_id, until=lambda job: job["status"] == "running")
    response = fresh.post(f"/v1/solves/{solve_id}/why-not", json={"household": "h00000", "dwelling": "d00000"})
    assert response.status_code == 409 and "final proposal" in response.json()["detail"]
    fresh.delete(f"/v1/solves/{solve_id}")


def test_why_not_matches_the_library(service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    baseline = read_baseline(tiny_document(), proposal)
    for h in ("h00000", "h00003"):
        for d in ("d00000", "d00005"):
            body = ask(service, solve_id, "why-not", {"household": h, "dwelling": d})
            expected = why_not(baseline, h, d, SolveOptions(time_limit=5, workers=1))
            assert body["verdict"] == expected.verdict
            assert [o["name"] for o in body["obstacles"]] == [o.name for o in expected.obstacles]
            assert body["language"] == "nl" and body["answer"] == expected.words("nl")  # Dutch by default
            assert body["statements"] == json.loads(json.dumps(expected.statements))
            if expected.forced is not None:
                assert body["forced"]["lost"] == expected.forced.lost
                assert body["forced"]["cost_proven"] == expected.forced.cost_proven
                assert body["forced_proposal"]["status"] == expected.forced.proposal.status


def test_a_question_is_seen_by_the_key_that_asked_it_and_the_coordinator_only(
        service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    own = next(a for a in proposal["assignments"] if a["dwelling"] != "d00005")
    response = service.post(f"/v1/solves/{solve_id}/why-not", "GM0321",
                            json={"household": own["household"], "dwelling": own["dwelling"], **QUICK})
    assert response.status_code == 202, response.text
    question_id = response.json()["id"]
    asked = wait_question(service, question_id, "GM0321")
    assert asked["answer"]["verdict"] == "in_proposal" and asked["requested_by"]["role"] == "municipality"
    assert service.get(f"/v1/questions/{question_id}").json() == asked  # the coordinator
    assert service.get(f"/v1/questions/{question_id}", OWN).status_code == 404
    assert service.delete(f"/v1/questions/{question_id}", OWN).status_code == 404
    assert service.delete(f"/v1/questions/{question_id}", "GM0321").status_code == 409  # answered already
    assert all(s["id"] != question_id for s in service.get("/v1/solves").json()["items"])  # not a solve
    assert service.get(f"/v1/solves/{question_id}").status_code == 404


def test_a_municipality_asks_only_about_its_own_dwellings_and_their_households(
        service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    own = [a for a in proposal["assignments"] if a["dwelling"] == "d00005"]
    elsewhere = [a for a in proposal["assignments"] if a["dwelling"] != "d00005"]
    path = f"/v1/solves/{solve_id}"
    assert service.post(f"{path}/recommendations", OWN, json={"dwelling": "d00000"}).status_code == 404
    assert service.post(f"{path}/recommendations", OWN,
                        json={"household": elsewhere[0]["household"]}).status_code == 404
    assert service.post(f"{path}/recommendations", OWN,
                        json={"household": proposal["unassigned"][0]["household"]}).status_code == 404
    assert service.post(f"{path}/why-not", OWN, json={"household": elsewhere[0]["household"],
                                                      "dwelling": "d00005"}).status_code == 404
    visible = {"d00005", *(a["household"] for a in own)}
    body = ask(service, solve_id, "recommendations", {"dwelling": "d00005"}, OWN)
    assert {o["household"] for o in body["options"]} <= visible and ids_in(body) <= visible


def test_a_municipality_answer_hides_households_elsewhere(service: Service,
                                                          solved: tuple[str, dict[str, Any]]) -> None:
    """Every why-not GM0321 may ask, answered as its job answers it (in this process: one job per pair would
    only repeat the job machinery the other tests cover), names nothing GM0321 may not see."""
    solve_id, proposal = solved
    own = [a for a in proposal["assignments"] if a["dwelling"] != "d00005"]
    visible = {f"d0000{i}" for i in range(5)} | {a["household"] for a in own}
    options = {"time_limit": 5, "workers": 1, "seed": 0, "deterministic": False}
    for assignment in own:
        for d in sorted({f"d0000{i}" for i in range(5)} - {assignment["dwelling"]}):
            question = {"household": assignment["household"], "dwelling": d, "municipality": "GM0321"}
            body = answer(WHY_NOT, tiny_document(), proposal, question, options)
            assert body["verdict"] in ("possible", "impossible") and ids_in(body) <= visible, body
    other = next(d for d in sorted(visible) if d.startswith("d") and d != own[0]["dwelling"])
    asked = ask(service, solve_id, "why-not", {"household": own[0]["household"], "dwelling": other}, "GM0321")
    assert asked["verdict"] in ("possible", "impossible") and ids_in(asked) <= visible


def test_a_running_question_stops_at_once_without_an_answer(make_service: Callable[..., Service]) -> None:
    fresh = make_service(warm_at_start=True)
    instance = json.loads((EXAMPLES / "u16-week-s1.json").read_text())
    solve_id = fresh.start_solve(fresh.add_instance(instance), **OPTIONS)
    assert fresh.wait(solve_id)["status"] == "completed"
    proposal = fresh.get(f"/v1/solves/{solve_id}/proposal").json()
    household = proposal["assignments"][0]["household"]  # 35 dwellings to re-solve for, one by one
    response = fresh.post(f"/v1/solves/{solve_id}/recommendations",
                          json={"household": household, "options": {"time_limit": 20, "workers": 1}})
    question_id = response.json()["id"]
    wait_question(fresh, question_id, until=lambda question: question["status"] == "running")
    stopped = fresh.delete(f"/v1/questions/{question_id}")
    assert stopped.status_code in (200, 202), stopped.text
    question = wait_question(fresh, question_id, timeout=10)
    assert question["status"] == "cancelled" and question["answer"] is None
    assert "it has no answer" in question["history"][-1]["message"]
    assert fresh.client.app.state.runner.running() == []  # the slot is free for the next job


# --- the audit trail -----------------------------------------------------------------------------------------


def run(module: Any, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="matcher")
    module.add_parser(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_the_audit_trail_holds_every_solve_and_decision(make_service: Callable[..., Service],
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    fresh = make_service()
    instance_id = fresh.add_instance()
    solve_id = fresh.start_solve(instance_id, **OPTIONS)
    assert fresh.wait(solve_id)["status"] == "completed"
    proposal = fresh.get(f"/v1/solves/{solve_id}/proposal").json()
    mine = [a for a in proposal["assignments"] if a["dwelling"] != "d00005"]
    decided = fresh.post(f"/v1/solves/{solve_id}/decisions", "GM0321", json=[
        {"household": mine[0]["household"], "dwelling": mine[0]["dwelling"], "decision": "decline",
         "reason": "too far from work"}])
    assert decided.status_code == 201, decided.text
    accepted = fresh.post(f"/v1/solves/{solve_id}/decisions", json=[
        {"household": a["household"], "dwelling": a["dwelling"], "decision": "accept"} for a in mine[1:]])
    assert accepted.status_code == 201
    replan = fresh.post(f"/v1/solves/{solve_id}/replan", json={"options": OPTIONS})
    assert replan.status_code == 202, replan.text
    fresh.wait(replan.json()["solve"]["id"])

    page = fresh.get("/v1/audit", params={"limit": 500}).json()
    entries = page["items"]
    kinds = [(e["kind"], e["id"]) for e in entries]
    assert page["total"] == len(entries) == 2 + 2 + len(mine)  # two instance versions, two solves, decisions
    assert ("solve", solve_id) in kinds and ("solve", replan.json()["solve"]["id"]) in kinds
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    solve = next(e for e in entries if e["id"] == solve_id)
    instance = next(e for e in entries if e["id"] == instance_id)
    assert solve["details"]["instance_hash"] == instance["details"]["content_hash"]
    assert solve["details"]["options"]["seed"] == 5 and solve["details"]["seed"] == 5
    assert solve["details"]["matcher_version"] and solve["details"]["ortools_version"]
    assert solve["actor"]["role"] == "coordinator" and solve["actor"]["key_id"].startswith("key_")
    decline = next(e for e in entries if e["kind"] == "decision" and e["details"]["decision"] == "decline")
    assert decline["actor"] == {"key_id": decline["actor"]["key_id"], "role": "municipality", "municipality": "GM0321"}
    assert decline["details"]["reason"] == "too far from work"
    assert all(token not in json.dumps(page) for token in fresh.keys.values())  # never the key itself
    second = fresh.get("/v1/audit", params={"limit": 1, "offset": 1}).json()
    assert [e["id"] for e in second["items"]] == [entries[1]["id"]]
    assert fresh.get("/v1/audit", "GM0321").status_code == 404

    monkeypatch.setenv("MATCHER_DATABASE_URL", fresh.settings.database_url)
    assert run(audit_cli, "audit", "export") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["kind"], r["id"]) for r in rows] == kinds
    assert next(r for r in rows if r["id"] == solve_id)["instance_hash"] == instance["details"]["content_hash"]

    assert run(reproduce_cli, "reproduce", solve_id) == 0
    assert capsys.readouterr().out.startswith("reproduced: the re-run gives the same proposal (seed 5")


def chain_instance() -> dict[str, Any]:
    """Forcing hX into dA2 pushes hV out of its municipality into dB1, where hY loses its place.

    hV and hY cannot afford dA1; hY must live in GM0002; hV is overdue and hY is not, so hY is the one to go.
    """
    towns = [municipality("GM0001"), municipality("GM0002")]
    dwellings = [dwelling("dA1", municipality="GM0001", rent=800), dwelling("dA2", municipality="GM0001", rent=500),
                 dwelling("dB1", municipality="GM0002", rent=500)]
    households = [household("hX", waiting_since=LONG_AGO), household("hV", waiting_since=LONG_AGO, max_rent=600),
                  household("hY", max_rent=600, ties=[{"municipality": "GM0002", "kind": "work", "required": True}])]
    document = instance(households, dwellings, towns)
    document["id"] = "chain"
    return document


def test_a_municipality_learns_how_many_others_a_change_affects_never_who(service: Service) -> None:
    solve_id = service.start_solve(service.add_instance(chain_instance()), **OPTIONS)
    assert service.wait(solve_id)["status"] == "completed"
    pair = {"household": "hX", "dwelling": "dA2"}
    full = ask(service, solve_id, "why-not", {**pair, "language": "en"})
    assert full["forced"]["lost"] == ["hY"]
    assert full["forced"]["moved"] == [{"household": "hV", "from": "dA2", "to": "dB1"}]
    scoped = ask(service, solve_id, "why-not", {**pair, "language": "en"}, "GM0001")
    assert scoped["forced"]["lost"] == ["(another household)"]
    assert scoped["forced"]["moved"] == [{"household": "hV", "from": "dA2", "to": "(a dwelling elsewhere)"}]
    text = json.dumps(scoped)
    assert "hY" not in text and "dB1" not in text
    assert {a["dwelling"] for a in scoped["forced_proposal"]["assignments"]} <= {"dA1", "dA2"}
    assert "Would lose their place: (another household) (1 person" in " ".join(scoped["answer"])
    dutch = ask(service, solve_id, "why-not", pair, "GM0001")  # the placeholders in the answer's language too
    assert "Zouden hun plaats verliezen: (een ander huishouden) (1 persoon" in " ".join(dutch["answer"])
    assert "hY" not in json.dumps(dutch) and "dB1" not in json.dumps(dutch)
    assert service.post(f"/v1/solves/{solve_id}/why-not", "GM0002", json=pair).status_code == 404
