"""Web page render time in-process: each page of a backlog-sized proposal (600 households) rendered through
the app itself (Starlette's TestClient, no network), wall and CPU time per request, and how many times the
stored proposal was parsed.

    .venv/bin/python -m benchmarks.web_render [--requests 50] [--instance instances/u16-backlog.json]

Less noisy than ``benchmarks.web_latency`` on a busy machine: CPU time per render hardly depends on what
else runs, and the parse count and the full garbage collections (the pauses behind the p99) are counted.
The heap left after start-up is frozen as ``matcher serve`` does it (``--no-freeze``: not). It shows what a
page costs the server; ``web_latency`` shows what a browser waits, loopback included, and is the figure of
the goal (p99 <= 200 ms).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from benchmarks.api_latency import BACKLOG_INSTANCE, percentile
from matcher.api.app import create_app
from matcher.api.settings import ServiceSettings
from matcher.cli.serve import freeze_start_up_heap
from matcher.storage import repository as repo

SOLVE_OPTIONS = {"time_limit": 30, "method": "greedy", "workers": 1}
WARMUP_REQUESTS = 3
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
MS = 1000.0
OLDEST_GENERATION = 2


def solved(client: TestClient, key: str, instance: Path) -> tuple[str, dict[str, int]]:
    """Submit and solve (greedy: the figures are about the pages); the solve id and pairs per municipality."""
    headers = {"X-API-Key": key}
    municipality_of = {d["id"]: d["municipality"] for d in json.loads(instance.read_text())["dwellings"]}
    instance_id = client.post("/v1/instances", content=instance.read_bytes(), headers=headers).json()["id"]
    solve_id = client.post("/v1/solves", json={"instance_id": instance_id, "options": SOLVE_OPTIONS},
                           headers=headers).json()["id"]
    while client.get(f"/v1/solves/{solve_id}", headers=headers).json()["status"] not in repo.FINISHED:
        time.sleep(0.1)
    assignments = client.get(f"/v1/solves/{solve_id}/proposal", headers=headers).json()["assignments"]
    client.post(f"/v1/solves/{solve_id}/decisions", headers=headers, json=[
        {"household": a["household"], "dwelling": a["dwelling"], "decision": "accept"} for a in assignments[:5]])
    return solve_id, dict(Counter(municipality_of[a["dwelling"]] for a in assignments))


def signed_in(app: Any, key: str) -> TestClient:
    client = TestClient(app, follow_redirects=True)
    token = CSRF_INPUT.search(client.get("/app/sign-in").text)
    assert token, "the sign-in page has no CSRF token"
    client.post("/app/sign-in", data={"api_key": key, "csrf_token": token.group(1)}).raise_for_status()
    return client


class FullCollections:
    """Counts the full (oldest-generation) garbage collections while it is installed, and the longest one."""

    def __init__(self) -> None:
        self.count, self.longest_s, self._started = 0, 0.0, 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != OLDEST_GENERATION:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.longest_s = max(self.longest_s, time.perf_counter() - self._started)


def measure(client: TestClient, path: str, requests: int) -> tuple[list[float], list[float], FullCollections]:
    for _ in range(WARMUP_REQUESTS):
        client.get(path).raise_for_status()
    wall, cpu = [], []
    collections = FullCollections()
    gc.callbacks.append(collections)
    try:
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path).raise_for_status()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    finally:
        gc.callbacks.remove(collections)
    return wall, cpu, collections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--instance", type=Path, default=BACKLOG_INSTANCE)
    parser.add_argument("--no-freeze", action="store_true", help="leave the start-up heap to the collector")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = ServiceSettings(data_dir=Path(folder), warm_at_start=False, concurrent_solves=1)
        app = create_app(settings)
        if not args.no_freeze:
            freeze_start_up_heap()  # as matcher serve does
        with TestClient(app) as service:
            database = app.state.database
            with database.session() as db:
                _, coordinator = repo.create_key(db, repo.COORDINATOR)
            solve_id, pairs = solved(service, coordinator, args.instance)
            code = max(pairs, key=lambda c: pairs[c])
            with database.session() as db:
                _, municipality = repo.create_key(db, repo.MUNICIPALITY, code)
            pages = {f"municipality page ({code}, {pairs[code]} pairs)": (municipality, f"/app/municipality/{code}"),
                     "region at a glance": (coordinator, "/app/"),
                     "solve page": (coordinator, f"/app/solves/{solve_id}")}
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            for name, (key, path) in pages.items():
                cache = getattr(app.state, "proposal_cache", None)
                parsed_before = cache.parsed if cache is not None else None
                wall, cpu, collections = measure(signed_in(app, key), path, args.requests)
                parsed = "n/a" if cache is None else str(cache.parsed - parsed_before)
                print(f"{name:40s} wall p50 {percentile(wall, 0.5) * MS:6.1f} ms  "
                      f"p99 {percentile(wall, 0.99) * MS:6.1f} ms   cpu p50 {percentile(cpu, 0.5) * MS:6.1f} ms   "
                      f"parsed {parsed}   full collections {collections.count} "
                      f"(longest {collections.longest_s * MS:.0f} ms)")
            print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
