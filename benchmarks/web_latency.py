"""Web page latency: p50/p99 of each page for a backlog-sized proposal (600 households), on loopback.

    .venv/bin/python -m benchmarks.web_latency [--requests 200] [--instance instances/u16-backlog.json] [--json OUT]

Starts ``matcher serve`` (SQLite in a temporary data directory) on a free loopback port, submits the
instance, solves it (greedy: the figures are about the pages, not the solver), accepts a few pairs, signs in
through the pages with a coordinator and a municipality key (the municipality with the most proposed pairs),
then asks for each page one at a time over one keep-alive connection from this process. Goal (issue 16):
p99 at most 200 ms per page.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from benchmarks.api_latency import REPO, create_key, free_port, percentile, start_server

BACKLOG_INSTANCE = REPO / "instances" / "u16-backlog.json"
SOLVE_OPTIONS = {"time_limit": 30, "method": "greedy", "workers": 1}
GOAL_P99_MS = 200.0
WARMUP_REQUESTS = 10
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
MS = 1000.0


def solved(client: httpx.Client, instance: Path) -> tuple[str, dict[str, int]]:
    """Submit and solve; the solve id and the proposed pairs per municipality."""
    document = json.loads(instance.read_text())
    municipality_of = {d["id"]: d["municipality"] for d in document["dwellings"]}
    instance_id = client.post("/v1/instances", content=instance.read_bytes()).raise_for_status().json()["id"]
    solve_id = client.post("/v1/solves", json={"instance_id": instance_id, "options": SOLVE_OPTIONS}
                           ).raise_for_status().json()["id"]
    while (job := client.get(f"/v1/solves/{solve_id}").json())["status"] not in ("completed", "failed", "cancelled"):
        time.sleep(0.1)
    if job["status"] != "completed":
        raise SystemExit(f"the solve did not complete: {job}")
    assignments = client.get(f"/v1/solves/{solve_id}/proposal").json()["assignments"]
    client.post(f"/v1/solves/{solve_id}/decisions", json=[
        {"household": a["household"], "dwelling": a["dwelling"], "decision": "accept"} for a in assignments[:5]
    ]).raise_for_status()
    return solve_id, dict(Counter(municipality_of[a["dwelling"]] for a in assignments))


def signed_in(url: str, key: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30, follow_redirects=True)
    token = CSRF_INPUT.search(client.get("/app/sign-in").text)
    assert token, "the sign-in page has no CSRF token"
    client.post("/app/sign-in", data={"api_key": key, "csrf_token": token.group(1)}).raise_for_status()
    return client


def measure(client: httpx.Client, path: str, requests: int) -> list[float]:
    for _ in range(WARMUP_REQUESTS):
        client.get(path).raise_for_status()
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        seconds.append(time.perf_counter() - started)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--instance", type=Path, default=BACKLOG_INSTANCE)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        data_dir, port = Path(folder), free_port()
        coordinator = create_key(data_dir, None, "--role", "coordinator")
        server = start_server(data_dir, None, port)
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=url, headers={"X-API-Key": coordinator}, timeout=60) as api:
                solve_id, pairs = solved(api, args.instance)
            code = max(pairs, key=lambda c: pairs[c])
            municipality = create_key(data_dir, None, "--role", "municipality", "--municipality", code)
            pages = {f"municipality page ({code}, {pairs[code]} pairs)": (municipality, f"/app/municipality/{code}"),
                     "region at a glance": (coordinator, "/app/"),
                     "solve page": (coordinator, f"/app/solves/{solve_id}"),
                     "audit trail": (coordinator, "/app/audit")}
            figures = {}
            for name, (key, path) in pages.items():
                client = signed_in(url, key)
                try:
                    seconds = measure(client, path, args.requests)
                finally:
                    client.close()
                figures[name] = {"p50_ms": round(percentile(seconds, 0.5) * MS, 1),
                                 "p99_ms": round(percentile(seconds, 0.99) * MS, 1), "requests": len(seconds)}
                print(f"{name:45s} p50 {figures[name]['p50_ms']:7.1f} ms   p99 {figures[name]['p99_ms']:7.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=30)
    worst = max(f["p99_ms"] for f in figures.values())
    print(f"worst p99 {worst:.1f} ms (goal {GOAL_P99_MS:.0f} ms): {'met' if worst <= GOAL_P99_MS else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
