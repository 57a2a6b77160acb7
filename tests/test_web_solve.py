"""The solve page's controls: the options offered when a solve starts (checked, with the field named when
wrong), a cancel button while it runs, and the re-plan button, in the page from the start and shown when the
solve ends (the live script shows it without a reload; the browser test watches that)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import fresh_database, running_service
from web_support import OWN, Week, csrf_of, person

SLOW = "api_fakes:slow"  # reports progress and waits (stoppable) before it hands back a real proposal


@pytest.fixture
def slow_week(tmp_path: Path) -> Iterator[Week]:
    with fresh_database("sqlite", tmp_path) as url, running_service(url, tmp_path / "data",
                                                                    solve_function=SLOW) as service:
        yield Week(service, "", [])


def hidden(page: str, form_id: str) -> bool:
    tag = re.search(rf'<form[^>]*id="{form_id}"[^>]*>', page)
    assert tag, f"the page has no form {form_id}"
    return " hidden" in tag.group(0)


def test_options_are_checked_then_the_solve_runs_with_them_and_can_be_cancelled(slow_week: Week) -> None:
    service = slow_week.service
    client = person(slow_week, "coordinator")
    instance_id = service.add_instance()
    page = client.get(f"/app/instances/{instance_id}")
    assert 'name="time_limit"' in page.text and 'value="greedy"' in page.text and 'value="cpsat"' in page.text

    refused = client.post(f"/app/instances/{instance_id}/solve",
                          data={"csrf_token": csrf_of(page.text), "time_limit": "0", "method": "greedy"})
    assert refused.status_code == 422
    assert 'href="#time_limit"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'value="0"' in refused.text and "/app/static/errors.js" in refused.text
    assert service.get("/v1/solves").json()["items"] == []  # nothing queued

    started = client.post(f"/app/instances/{instance_id}/solve",
                          data={"csrf_token": csrf_of(page.text), "time_limit": "7,5", "method": "greedy"})
    solve_id = started.url.path.removeprefix("/app/solves/")
    options = service.get(f"/v1/solves/{solve_id}").json()["options"]
    assert (options["time_limit"], options["method"]) == (7.5, "greedy")
    assert not hidden(started.text, "cancel-form") and hidden(started.text, "replan-form")

    municipality = person(slow_week, OWN)
    token = csrf_of(municipality.get(f"/app/municipality/{OWN}").text)
    assert municipality.post(f"/app/solves/{solve_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/app/solves/{solve_id}/cancel", data={}).status_code == 403  # no CSRF token

    service.wait(solve_id, until=lambda job: job["progress"] is not None)  # running, with a proposal so far
    cancelled = client.post(f"/app/solves/{solve_id}/cancel", data={"csrf_token": csrf_of(started.text)})
    assert cancelled.url.path == f"/app/solves/{solve_id}"
    job = service.wait(solve_id, timeout=10)
    assert job["status"] == "cancelled" and job["cancel_requested_at"]
    after = client.get(f"/app/solves/{solve_id}").text
    assert hidden(after, "cancel-form") and not hidden(after, "replan-form")
