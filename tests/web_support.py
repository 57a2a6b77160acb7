"""Shared set-up for the web pages' tests: a service with a finished solve of the tiny example, keys for the
coordinator and both municipalities, and a signed-in client per person (each its own cookie jar)."""

from __future__ import annotations

import base64
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from openpyxl import load_workbook

from api_support import Service, fresh_database, running_service
from matcher.web.session import SESSION_COOKIE
from workflow_fill import WEEK_XLSX

OWN, OTHER = "GM0321", "GM0632"  # in the tiny example: GM0321 has d00000-d00004, GM0632 has d00005
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Week:
    """The tiny example solved, as the pages find it."""

    service: Service
    solve_id: str
    pairs: list[tuple[str, str]]  # every proposed pair, sorted

    def pairs_of(self, code: str) -> list[tuple[str, str]]:
        dwellings = {"GM0321": {f"d0000{i}" for i in range(5)}, "GM0632": {"d00005"}}[code]
        return [pair for pair in self.pairs if pair[1] in dwellings]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Week]:
    directory = tmp_path_factory.mktemp("web")
    with fresh_database("sqlite", directory) as url, running_service(url, directory / "data",
                                                                    warm_at_start=True) as service:
        solve_id = service.solved()
        proposal = service.get(f"/v1/solves/{solve_id}/proposal").json()
        pairs = sorted((a["household"], a["dwelling"]) for a in proposal["assignments"])
        yield Week(service, solve_id, pairs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def csrf_of(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def person(week: Week, who: str | None) -> TestClient:
    """A browser of its own (cookies), signed in with ``who``'s key (or not signed in when None)."""
    client = TestClient(week.service.client.app, follow_redirects=True)
    if who is not None:
        token = csrf_of(client.get("/app/sign-in").text)
        response = client.post("/app/sign-in", data={"api_key": week.service.key(who), "csrf_token": token})
        assert response.status_code == 200, response.text
    return client


def expired_cookie(secret: str, session: dict[str, object], age_seconds: int) -> str:
    """A session cookie as Starlette's SessionMiddleware signs it, but signed ``age_seconds`` ago."""

    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    data = base64.b64encode(json.dumps(session).encode())
    return Backdated(secret).sign(data).decode()


def broken_workbook(tmp_path: Path) -> bytes:
    workbook = load_workbook(WEEK_XLSX)
    dwellings = workbook["woningen"]
    column = next(cell.column for cell in dwellings[1] if cell.value == "slaapkamers")
    dwellings.cell(3, column, "drie")
    workbook.save(tmp_path / "broken.xlsx")
    return (tmp_path / "broken.xlsx").read_bytes()


__all__ = ["SESSION_COOKIE", "OTHER", "OWN", "Week", "broken_workbook", "csrf_of", "expired_cookie", "free_port",
           "person", "week"]
