"""The coordinator's week in the pages: upload with every problem located, the fixed upload stored, a solve
started and followed as server-sent events, and the proposal as the report shows it."""

from __future__ import annotations

import html
import json
from pathlib import Path

from web_support import OWN, Week, broken_workbook, csrf_of, person, week  # noqa: F401 - fixture
from workflow_fill import WEEK_JSON, WEEK_XLSX


def test_a_municipality_has_no_week_pages(week: Week) -> None:
    client = person(week, OWN)
    assert client.get("/app/week").status_code == 404
    assert client.get(f"/app/solves/{week.solve_id}").status_code == 404
    assert client.get(f"/app/solves/{week.solve_id}/events").status_code == 404
    assert client.get(f"/app/solves/{week.solve_id}/report").status_code == 404


def test_upload_fix_solve_follow_and_read_the_report(week: Week, tmp_path: Path) -> None:
    client = person(week, "coordinator")
    token = csrf_of(client.get("/app/week").text)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    refused = client.post("/app/week", data={"csrf_token": token},
                          files={"lists": ("week.xlsx", broken_workbook(tmp_path), xlsx)})
    assert refused.status_code == 422
    shown = html.unescape(refused.text)
    assert "blad woningen, rij 3, kolom slaapkamers" in shown and '"drie" is geen geheel getal' in shown
    assert 'href="#lists"' in refused.text

    stored = client.post("/app/week", data={"csrf_token": token},
                         files={"lists": ("week.xlsx", WEEK_XLSX.read_bytes(), xlsx)})
    assert stored.url.path.startswith("/app/instances/")
    households = len(json.loads(WEEK_JSON.read_text(encoding="utf-8"))["households"])
    assert f"{households} huishoudens" in stored.text

    started = client.post(f"{stored.url.path}/solve", data={"csrf_token": csrf_of(stored.text)})
    solve_path = started.url.path
    assert solve_path.startswith("/app/solves/")
    with client.stream("GET", f"{solve_path}/events") as events:
        states = [json.loads(line.removeprefix("data: ")) for line in events.iter_lines() if line.startswith("data:")]
    assert states[-1]["status"] == "completed"
    assert any(state["progress"] and state["progress"]["objectives"] for state in states)
    report = client.get(f"{solve_path}/report")
    assert report.status_code == 200 and '<html lang="nl"' in report.text


def test_an_upload_that_is_no_week_says_what_to_upload(week: Week) -> None:
    client = person(week, "coordinator")
    token = csrf_of(client.get("/app/week").text)
    refused = client.post("/app/week", data={"csrf_token": token},
                          files={"lists": ("notes.txt", b"hello", "text/plain")})
    assert refused.status_code == 422 and "Lees één werkboek (.xlsx) in" in html.unescape(refused.text)
    broken = client.post("/app/week", data={"csrf_token": token},
                         files={"lists": ("week.json", b'{"format": "matcher.instance/1"}', "application/json")})
    assert broken.status_code == 422 and "<td>municipalities</td>" in broken.text
    assert "is verplicht" in broken.text and "is required" not in broken.text  # worded in the page's language


def test_upload_problems_are_in_the_chosen_language(week: Week) -> None:
    client = person(week, "coordinator")
    page = client.get("/app/week")
    client.post("/app/language", data={"language": "en", "back": "/app/week", "csrf_token": csrf_of(page.text)})
    token = csrf_of(client.get("/app/week").text)
    document = json.loads(WEEK_JSON.read_text(encoding="utf-8"))
    document["dwellings"][0]["municipality"] = "GM9999"
    refused = client.post("/app/week", data={"csrf_token": token},
                          files={"lists": ("week.json", json.dumps(document).encode(), "application/json")})
    shown = html.unescape(refused.text)
    assert refused.status_code == 422 and 'unknown municipality "GM9999"' in shown
    client.post("/app/language", data={"language": "nl", "back": "/app/week", "csrf_token": token})
    refused = client.post("/app/week", data={"csrf_token": csrf_of(client.get("/app/week").text)},
                          files={"lists": ("week.json", json.dumps(document).encode(), "application/json")})
    assert 'onbekende gemeente "GM9999"' in html.unescape(refused.text)


def test_replan_from_the_decisions_and_the_audit_trail(week: Week) -> None:
    household, dwelling = week.pairs_of(OWN)[0]
    decided = week.service.post(f"/v1/solves/{week.solve_id}/decisions", OWN,
                                json=[{"household": household, "dwelling": dwelling, "decision": "decline",
                                       "reason": "te klein"}])
    assert decided.status_code == 201
    municipality = person(week, OWN)
    token = csrf_of(municipality.get(f"/app/municipality/{OWN}").text)
    assert municipality.post(f"/app/solves/{week.solve_id}/replan", data={"csrf_token": token}).status_code == 404
    assert municipality.get("/app/audit").status_code == 404

    client = person(week, "coordinator")
    page = client.get(f"/app/solves/{week.solve_id}")
    replanned = client.post(f"/app/solves/{week.solve_id}/replan", data={"csrf_token": csrf_of(page.text)})
    new_solve = replanned.url.path.removeprefix("/app/solves/")
    assert new_solve != week.solve_id
    job = week.service.get(f"/v1/solves/{new_solve}").json()
    assert job["parent_solve_id"] == week.solve_id
    instance = week.service.get(f"/v1/instances/{job['instance_id']}").json()["document"]
    assert (household, dwelling) in {(pair["household"], pair["dwelling"]) for pair in instance["forbidden"]}

    trail = client.get("/app/audit").text
    assert new_solve in trail and week.solve_id in trail
