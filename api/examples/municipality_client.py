"""A municipality's side of matcher's HTTP API, end to end: read the progress on the taakstelling, find the
newest finished proposal, read the pairs for the municipality's own dwellings, and accept or decline them.

    MATCHER_API_KEY=mk_... python municipality_client.py --url http://127.0.0.1:8000 --municipality GM0344
    MATCHER_API_KEY=mk_... python municipality_client.py ... --accept-all
    MATCHER_API_KEY=mk_... python municipality_client.py ... --decline h-0342:d-1107 --reason "school too far"

Needs only httpx (``pip install httpx``). Without ``--accept-all`` or ``--decline`` it only reads. It prints
what it found and what it decided; it exits 1 when the service refuses something, with the service's reason.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import httpx

KEY_ENV = "MATCHER_API_KEY"
TIMEOUT_S = 30.0


def progress(client: httpx.Client, municipality: str) -> dict[str, Any]:
    """Target, housed, proposed, accepted and shortfall, in persons."""
    response = client.get(f"/v1/municipalities/{municipality}/progress")
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def newest_finished_solve(client: httpx.Client) -> str | None:
    """A municipality key lists the solves whose instance covers it, newest first (their status only)."""
    response = client.get("/v1/solves", params={"limit": 50})
    response.raise_for_status()
    finished = [job for job in response.json()["items"] if job["status"] in ("completed", "cancelled")]
    return finished[0]["id"] if finished else None


def own_pairs(client: httpx.Client, solve_id: str) -> list[dict[str, Any]]:
    """The proposal as this key may see it: the assignments to the municipality's own dwellings."""
    response = client.get(f"/v1/solves/{solve_id}/proposal")
    response.raise_for_status()
    return list(response.json()["assignments"])


def decide(client: httpx.Client, solve_id: str, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All or nothing: the service stores every decision of the request, or none and says why (422/404)."""
    response = client.post(f"/v1/solves/{solve_id}/decisions", json=decisions)
    if response.status_code != 201:
        problems = response.json().get("problems") or []
        reasons = "; ".join(f"{p['path']} {p['record'] or ''}: {p['message']}" for p in problems)
        print(f"the service refused the decisions ({response.status_code}): {response.json()['detail']} {reasons}",
              file=sys.stderr)
        raise SystemExit(1)
    return list(response.json()["items"])


def decisions_from(args: argparse.Namespace, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    declined = {tuple(item.split(":", 1)) for item in args.decline}
    chosen = []
    for pair in pairs:
        key = (pair["household"], pair["dwelling"])
        if key in declined:
            chosen.append({"household": key[0], "dwelling": key[1], "decision": "decline", "reason": args.reason})
        elif args.accept_all:
            chosen.append({"household": key[0], "dwelling": key[1], "decision": "accept"})
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the matcher service")
    parser.add_argument("--municipality", required=True, help="CBS code of the key's municipality, e.g. GM0344")
    parser.add_argument("--accept-all", action="store_true", help="accept every proposed pair not declined")
    parser.add_argument("--decline", action="append", default=[], metavar="HOUSEHOLD:DWELLING",
                        help="decline this pair (repeatable)")
    parser.add_argument("--reason", default=None, help="why the declined pairs are declined")
    args = parser.parse_args(argv)
    key = os.environ.get(KEY_ENV)
    if not key:
        print(f"set {KEY_ENV} to the municipality's API key", file=sys.stderr)
        return 2
    try:
        return walk_through(args, key)
    except httpx.HTTPStatusError as error:
        print(f"the service answered {error.response.status_code}: {error.response.json().get('detail')}",
              file=sys.stderr)
        return 1


def walk_through(args: argparse.Namespace, key: str) -> int:
    with httpx.Client(base_url=args.url, headers={"X-API-Key": key}, timeout=TIMEOUT_S) as client:
        figures = progress(client, args.municipality)
        print(f"{args.municipality}: target {figures['target']}, housed {figures['housed']}, proposed "
              f"{figures['proposed']}, accepted {figures['accepted']}, shortfall {figures['shortfall']}")
        solve_id = newest_finished_solve(client)
        if solve_id is None:
            print("no finished proposal yet")
            return 0
        pairs = own_pairs(client, solve_id)
        print(f"solve {solve_id}: {len(pairs)} proposed pair(s) for our dwellings")
        for pair in pairs:
            print(f"  {pair['household']} -> {pair['dwelling']}")
        decisions = decisions_from(args, pairs)
        if decisions:
            for stored in decide(client, solve_id, decisions):
                done = {"accept": "accepted", "decline": "declined"}[stored["decision"]]
                print(f"  {done} {stored['household']} -> {stored['dwelling']} ({stored['id']})")
            after = progress(client, args.municipality)
            print(f"accepted now {after['accepted']}, shortfall {after['shortfall']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
