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
    assert "blad woningen, rij 3, kolom slaapkamers" in shown and '"drie" is not a whole number' in shown
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
    assert refused.status_code == 422 and "upload one .xlsx workbook" in refused.text
    broken = client.post("/app/week", data={"csrf_token": token},
                         files={"lists": ("week.json", b'{"format": "matcher.instance/1"}', "application/json")})
    assert broken.status_code == 422 and "<td>municipalities</td>" in broken.text
