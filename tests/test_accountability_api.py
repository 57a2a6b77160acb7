"""The accountability endpoints of the service: recommendations and why-not on a finished solve (the same
answers as the library, scoped for municipality keys), the audit trail with an entry for every act, its CSV
export, and reproducing a stored solve."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from api_support import Service, backend, make_service, service, tiny_document  # noqa: F401 - fixtures
from builders import LONG_AGO, dwelling, household, instance, municipality
from matcher.accountability.baseline import read_baseline
from matcher.accountability.recommend import recommend_dwellings
from matcher.accountability.why_not import why_not
from matcher.cli import audit as audit_cli
from matcher.cli import reproduce as reproduce_cli
from matcher.solver import SolveOptions

OWN = "GM0632"  # in tiny-s1 this municipality has one dwelling, d00005; GM0321 has d00000-d00004
OPTIONS = {"time_limit": 10, "workers": 1, "seed": 5, "deterministic": True}
QUICK = {"time_limit": "5"}


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


def test_recommendations_for_a_household_match_the_library(service: Service,
                                                           solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    household = proposal["unassigned"][0]["household"]
    response = service.get(f"/v1/solves/{solve_id}/recommendations", params={"household": household, **QUICK})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = recommend_dwellings(read_baseline(tiny_document(), proposal), household,
                                   options=SolveOptions(time_limit=5, workers=1))
    assert [(o["dwelling"], [c["after"] for c in o["objectives"]]) for o in body["options"]] == \
           [(o.dwelling, [c.after for c in o.changes]) for o in expected.options]
    assert body["considered"] == expected.considered and [o["rank"] for o in body["options"]] == \
           list(range(1, len(body["options"]) + 1))
    assert sum(rule["pairs"] for rule in body["blocked_by_rule"]) >= len(body["blocked"])


def test_recommendations_for_a_dwelling(service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    dwelling = proposal["assignments"][0]["dwelling"]
    body = service.get(f"/v1/solves/{solve_id}/recommendations",
                       params={"dwelling": dwelling, "top": 2, **QUICK}).json()
    assert body["subject"] == "dwelling" and body["current"] == [proposal["assignments"][0]["household"]]
    assert len(body["options"]) <= 2 and body["options"][0]["household"] == proposal["assignments"][0]["household"]


def test_request_errors(service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, _ = solved
    path = f"/v1/solves/{solve_id}/recommendations"
    assert service.get(path).status_code == 422
    assert service.get(path, params={"household": "h00000", "dwelling": "d00000"}).status_code == 422
    assert service.get(path, params={"household": "nobody"}).status_code == 404
    assert service.get(path, params={"household": "h00000", "time_limit": "0"}).status_code == 422
    assert service.get("/v1/solves/sol_missing/why-not", params={"household": "h00000",
                                                                  "dwelling": "d00000"}).status_code == 404
    assert service.client.get(path, params={"household": "h00000"}).status_code == 401


def test_why_not_matches_the_library(service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    baseline = read_baseline(tiny_document(), proposal)
    for h in ("h00000", "h00001", "h00003"):
        for d in ("d00000", "d00005"):
            body = service.get(f"/v1/solves/{solve_id}/why-not", params={"household": h, "dwelling": d, **QUICK}).json()
            expected = why_not(baseline, h, d, SolveOptions(time_limit=5, workers=1))
            assert body["verdict"] == expected.verdict
            assert [o["name"] for o in body["obstacles"]] == [o.name for o in expected.obstacles]
            assert body["answer"][0] == expected.lines[0]
            if expected.forced is not None:
                assert body["forced"]["lost"] == expected.forced.lost
                assert body["forced_proposal"]["status"] == expected.forced.proposal.status


def test_a_municipality_sees_only_its_own_dwellings_and_their_households(
        service: Service, solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    own = [a for a in proposal["assignments"] if a["dwelling"] == "d00005"]
    elsewhere = [a for a in proposal["assignments"] if a["dwelling"] != "d00005"]
    path = f"/v1/solves/{solve_id}"
    assert service.get(f"{path}/recommendations", OWN, params={"dwelling": "d00000"}).status_code == 404
    assert service.get(f"{path}/recommendations", OWN,
                       params={"household": elsewhere[0]["household"]}).status_code == 404
    assert service.get(f"{path}/recommendations", OWN,
                       params={"household": proposal["unassigned"][0]["household"]}).status_code == 404
    assert service.get(f"{path}/why-not", OWN, params={"household": elsewhere[0]["household"],
                                                        "dwelling": "d00005"}).status_code == 404
    visible = {"d00005", *(a["household"] for a in own)}
    body = service.get(f"{path}/recommendations", OWN, params={"dwelling": "d00005", **QUICK}).json()
    assert {o["household"] for o in body["options"]} <= visible and ids_in(body) <= visible
    if own:
        body = service.get(f"{path}/why-not", OWN, params={"household": own[0]["household"], "dwelling": "d00005",
                                                            **QUICK}).json()
        assert body["verdict"] == "in_proposal" and ids_in(body) <= visible


def test_a_municipality_answer_hides_households_elsewhere(service: Service,
                                                          solved: tuple[str, dict[str, Any]]) -> None:
    solve_id, proposal = solved
    own = [a for a in proposal["assignments"] if a["dwelling"] != "d00005"]
    visible = {f"d0000{i}" for i in range(5)} | {a["household"] for a in own}
    for assignment in own:
        for d in sorted({f"d0000{i}" for i in range(5)} - {assignment["dwelling"]}):
            body = service.get(f"/v1/solves/{solve_id}/why-not", "GM0321",
                               params={"household": assignment["household"], "dwelling": d, **QUICK}).json()
            assert body["verdict"] in ("possible", "impossible") and ids_in(body) <= visible, body


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
    params = {"household": "hX", "dwelling": "dA2", **QUICK}
    full = service.get(f"/v1/solves/{solve_id}/why-not", params=params).json()
    assert full["forced"]["lost"] == ["hY"]
    assert full["forced"]["moved"] == [{"household": "hV", "from": "dA2", "to": "dB1"}]
    scoped = service.get(f"/v1/solves/{solve_id}/why-not", "GM0001", params=params).json()
    assert scoped["forced"]["lost"] == ["(another household)"]
    assert scoped["forced"]["moved"] == [{"household": "hV", "from": "dA2", "to": "(a dwelling elsewhere)"}]
    text = json.dumps(scoped)
    assert "hY" not in text and "dB1" not in text
    assert {a["dwelling"] for a in scoped["forced_proposal"]["assignments"]} <= {"dA1", "dA2"}
    assert "Would lose their place: (another household) (1 person" in " ".join(scoped["answer"])
    assert service.get(f"/v1/solves/{solve_id}/why-not", "GM0002", params=params).status_code == 404
