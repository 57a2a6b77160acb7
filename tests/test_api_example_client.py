"""``api/examples/municipality_client.py``, the integrators' example, run as they would run it against a real
``matcher serve``: it reads the municipality's progress and pairs, and its decisions are stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api_support import REPO, TINY
from matcher.storage import Database
from matcher.storage import repository as repo
from matcher.storage.engine import SQLITE_FILE
from test_api_server import server

CLIENT = REPO / "api" / "examples" / "municipality_client.py"
OWN = "GM0321"  # tiny-s1: dwellings d00000-d00004


def run_client(url: str, key: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CLIENT), "--url", url, "--municipality", OWN, *args],
                          env={**os.environ, "MATCHER_API_KEY": key}, capture_output=True, text=True, timeout=120)


def test_the_example_client_reads_and_decides_as_a_municipality(tmp_path: Path) -> None:
    with server(tmp_path, "sqlite") as running:
        instance_id = running.request("POST", "/v1/instances", content=TINY.read_bytes()).json()["id"]
        options = {"time_limit": 10, "workers": 1}
        solve_id = running.request("POST", "/v1/solves", json={"instance_id": instance_id, "options": options}
                                   ).json()["id"]
        assert running.wait(solve_id)["status"] == "completed"
        database = Database.open(f"sqlite:///{(tmp_path / SQLITE_FILE).resolve()}")
        with database.session() as session:
            key = repo.create_key(session, repo.MUNICIPALITY, OWN)[1]
        database.close()

        reading = run_client(running.url, key)
        assert reading.returncode == 0, reading.stderr
        assert reading.stdout.startswith(f"{OWN}: target ") and f"solve {solve_id}:" in reading.stdout
        assert running.request("GET", f"/v1/solves/{solve_id}/decisions").json()["items"] == []

        deciding = run_client(running.url, key, "--accept-all")
        assert deciding.returncode == 0, deciding.stderr
        stored = running.request("GET", f"/v1/solves/{solve_id}/decisions").json()["items"]
        proposal = running.request("GET", f"/v1/solves/{solve_id}/proposal").json()
        own = {(a["household"], a["dwelling"]) for a in proposal["assignments"] if a["dwelling"] <= "d00004"}
        assert {(d["household"], d["dwelling"]) for d in stored} == own and own
        assert all(d["decision"] == "accept" and d["decided_by"]["municipality"] == OWN for d in stored)
        assert "accepted now" in deciding.stdout

        refused = run_client(running.url, "mk_not-a-key")
        assert refused.returncode != 0 and "401" in refused.stderr
