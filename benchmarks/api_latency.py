"""Service latency: p50/p99 of the read endpoints under a short local load, and u16-week submit-to-completed.

    .venv/bin/python -m benchmarks.api_latency [--requests 2000] [--instance instances/u16-week.json] [--json OUT]
    .venv/bin/python -m benchmarks.api_latency --under-load 50     # reads while 50 backlog uploads and solves run

Starts ``matcher serve`` (SQLite in a temporary data directory) on a free loopback port, submits the
instance, solves it, records a few decisions, then sends the read requests from this process (a second
process to the server), one at a time over one keep-alive connection, round-robin over the read endpoints
with a coordinator key and a municipality key. Goal (issue 4): p99 under 50 ms for reads.

``--under-load N`` (issue 18): while the reads are measured, N clients at once each upload the u16 backlog
instance and queue a solve of it (N uploads on the server's worker threads, N solves in its queue, one
running at a time), so the figures show whether heavy requests hold up the light ones.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INSTANCE = REPO / "instances" / "u16-week.json"
BACKLOG_INSTANCE = REPO / "instances" / "u16-backlog.json"
BACKLOG_SOLVE_OPTIONS = {"time_limit": 5, "workers": 1}
MATCHER = str(Path(sys.executable).with_name("matcher"))
GOAL_P99_MS = 50.0
WARMUP_REQUESTS = 50


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def create_key(data_dir: Path, database: str | None, *role: str) -> str:
    done = subprocess.run([MATCHER, "keys", "create", *role, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, check=True, env=_env(database))
    return done.stdout.strip()


def _env(database: str | None) -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("MATCHER_DATABASE_URL", None)
    if database:
        environment["MATCHER_DATABASE_URL"] = database
    return environment


def start_server(data_dir: Path, database: str | None, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([MATCHER, "serve", "--port", str(port), "--data-dir", str(data_dir), "--log-level",
                               "warning"], env=_env(database))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not come up")


def prepare(client: httpx.Client, instance: Path) -> tuple[str, str, float]:
    """Submit and solve; returns the instance id, the solve id and the submit-to-completed seconds."""
    started = time.monotonic()
    instance_id = client.post("/v1/instances", content=instance.read_bytes()).raise_for_status().json()["id"]
    solve_id = client.post("/v1/solves", json={"instance_id": instance_id, "options": {"time_limit": 30}}
                           ).raise_for_status().json()["id"]
    while (job := client.get(f"/v1/solves/{solve_id}").json())["status"] not in ("completed", "failed", "cancelled"):
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    if job["status"] != "completed":
        raise SystemExit(f"the solve did not complete: {job}")
    proposal = client.get(f"/v1/solves/{solve_id}/proposal").json()
    decisions = [{"household": a["household"], "dwelling": a["dwelling"], "decision": "accept"}
                 for a in proposal["assignments"][:3]]
    client.post(f"/v1/solves/{solve_id}/decisions", json=decisions).raise_for_status()
    return instance_id, solve_id, elapsed


def measure(url: str, keys: dict[str, str], paths: list[tuple[str, str]], requests: int) -> dict[str, list[float]]:
    clients = {who: httpx.Client(base_url=url, headers={"X-API-Key": key}) for who, key in keys.items()}
    latencies: dict[str, list[float]] = {f"{who} {path}": [] for who, path in paths}
    for i in range(WARMUP_REQUESTS + requests):
        who, path = paths[i % len(paths)]
        started = time.perf_counter()
        response = clients[who].get(path)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{who} GET {path}: {response.status_code} {response.text[:200]}")
        if i >= WARMUP_REQUESTS:
            latencies[f"{who} {path}"].append(seconds * 1000)
    for client in clients.values():
        client.close()
    return latencies


def backlog_load(url: str, key: str, clients: int) -> tuple[threading.Thread, dict[str, list[float]]]:
    """``clients`` threads, each uploading the backlog instance and queueing its solve, started together."""
    body = BACKLOG_INSTANCE.read_bytes()
    seconds: dict[str, list[float]] = {"upload": [], "queue_solve": []}
    start = threading.Barrier(clients + 1)

    def one() -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=600) as client:
            start.wait()
            began = time.perf_counter()
            instance_id = client.post("/v1/instances", content=body).raise_for_status().json()["id"]
            seconds["upload"].append(time.perf_counter() - began)
            began = time.perf_counter()
            client.post("/v1/solves", json={"instance_id": instance_id, "options": BACKLOG_SOLVE_OPTIONS}
                        ).raise_for_status()
            seconds["queue_solve"].append(time.perf_counter() - began)

    threads = [threading.Thread(target=one, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()

    def release_and_join() -> None:
        start.wait()
        for thread in threads:
            thread.join()

    return threading.Thread(target=release_and_join, daemon=True), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--instance", type=Path, default=DEFAULT_INSTANCE)
    parser.add_argument("--json", type=Path, help="write the figures here as well")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temporary "
                        "directory)")
    parser.add_argument("--under-load", type=int, default=0, metavar="N",
                        help="measure while N clients each upload the u16 backlog and queue its solve")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="matcher-api-bench-") as directory:
        data_dir, port = Path(directory), free_port()
        document = json.loads(args.instance.read_text())
        municipality = document["dwellings"][0]["municipality"]
        keys = {"coordinator": create_key(data_dir, args.database_url, "--role", "coordinator"),
                "municipality": create_key(data_dir, args.database_url, "--role", "municipality", "--municipality",
                                           municipality)}
        server = start_server(data_dir, args.database_url, port)
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=url, headers={"X-API-Key": keys["coordinator"]}, timeout=60) as client:
                instance_id, solve_id, solve_seconds = prepare(client, args.instance)
            paths = [("coordinator", f"/v1/solves/{solve_id}"), ("coordinator", f"/v1/solves/{solve_id}/proposal"),
                     ("coordinator", f"/v1/instances/{instance_id}"), ("coordinator", "/v1/solves"),
                     ("coordinator", f"/v1/solves/{solve_id}/decisions"),
                     ("municipality", f"/v1/solves/{solve_id}/proposal"),
                     ("municipality", f"/v1/municipalities/{municipality}/progress"), ("coordinator", "/v1/health")]
            load, load_seconds = backlog_load(url, keys["coordinator"], args.under_load)
            if args.under_load:
                load.start()
            latencies = measure(url, keys, paths, args.requests)
            load_running_at_end = load.is_alive()
            if args.under_load:
                load.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    every = [ms for values in latencies.values() for ms in values]
    figures: dict[str, Any] = {
        "database": "postgresql" if args.database_url else "sqlite",
        "requests": len(every), "submit_to_completed_s": round(solve_seconds, 3),
        "p50_ms": round(statistics.median(every), 2), "p99_ms": round(percentile(every, 0.99), 2),
        "goal_p99_ms": GOAL_P99_MS,
        "under_load": {"clients": args.under_load, "still_running_when_reads_ended": load_running_at_end,
                       **{f"{what}_p50_s": round(statistics.median(values), 3)
                          for what, values in load_seconds.items() if values},
                       **{f"{what}_max_s": round(max(values), 3) for what, values in load_seconds.items() if values}},
        "endpoints": {name: {"p50_ms": round(statistics.median(values), 2),
                             "p99_ms": round(percentile(values, 0.99), 2)} for name, values in latencies.items()},
    }
    print(f"u16-week submit-to-completed: {figures['submit_to_completed_s']:.2f} s")
    print(f"{figures['requests']} reads ({figures['database']}): p50 {figures['p50_ms']:.1f} ms, "
          f"p99 {figures['p99_ms']:.1f} ms (goal p99 < {GOAL_P99_MS:.0f} ms)")
    if args.under_load:
        print(f"under load: {figures['under_load']}")
    for name, values in figures["endpoints"].items():
        print(f"  {name:<62} p50 {values['p50_ms']:6.1f} ms  p99 {values['p99_ms']:6.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0 if figures["p99_ms"] < GOAL_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
