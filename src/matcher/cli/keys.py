"""``matcher keys create|list|revoke``: API keys for the service. A key is printed once; only its hash is kept."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from matcher.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE

ROLES = ("coordinator", "municipality")  # as matcher.storage.repository.ROLES; the database loads on use

MUNICIPALITY_CODE = re.compile(r"GM\d{4}")  # CBS code, as instances name municipalities


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keys", help="create, list and revoke API keys",
                                   description="Manage the service's API keys (in the database `matcher serve` "
                                               "uses: MATCHER_DATABASE_URL or the SQLite file in --data-dir).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--role", required=True, choices=list(ROLES))
    create.add_argument("--municipality", help="CBS code such as GM0356 (municipality keys only)")
    create.add_argument("--label", default="", help="who or what the key is for")
    listing = actions.add_parser("list", help="list keys (ids, roles, never the keys)")
    revoke = actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    for sub in (create, listing, revoke):
        sub.add_argument("--data-dir", type=Path, help="the server's data directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from matcher.storage import Database, database_url

    if args.action == "create":
        problem = _create_problem(args)
        if problem:
            print(f"matcher keys create: {problem}", file=sys.stderr)
            return EXIT_USAGE
    database = Database.open(database_url(args.data_dir))
    try:
        with database.session() as session:
            return ACTIONS[args.action](session, args)
    finally:
        database.close()


def _create_problem(args: argparse.Namespace) -> str | None:
    if args.role == "municipality" and not args.municipality:
        return "--role municipality needs --municipality CODE (e.g. GM0356)"
    if args.role == "coordinator" and args.municipality:
        return "a coordinator key covers the whole region; drop --municipality"
    if args.municipality and not MUNICIPALITY_CODE.fullmatch(args.municipality):
        return f"--municipality must be a CBS code such as GM0356, got {args.municipality!r}"
    return None


def _create(session: object, args: argparse.Namespace) -> int:
    from matcher.storage import repository as repo

    key, token = repo.create_key(session, args.role, args.municipality, args.label)  # type: ignore[arg-type]
    scope = f" for {key.municipality}" if key.municipality else ""
    print(f"created {key.role} key {key.id}{scope}; it is shown only this once:", file=sys.stderr)
    print(token)
    return EXIT_OK


def _list(session: object, _args: argparse.Namespace) -> int:
    from matcher.storage import repository as repo

    for key in repo.list_keys(session):  # type: ignore[arg-type]
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        print(f"{key.id}  {key.role:<12} {key.municipality or '-':<7} {state:<24} {key.label}")
    return EXIT_OK


def _revoke(session: object, args: argparse.Namespace) -> int:
    from matcher.storage import repository as repo

    if repo.revoke_key(session, args.key_id):  # type: ignore[arg-type]
        print(f"revoked {args.key_id}", file=sys.stderr)
        return EXIT_OK
    print(f"matcher keys revoke: no active key {args.key_id!r}", file=sys.stderr)
    return EXIT_FAILED


ACTIONS = {"create": _create, "list": _list, "revoke": _revoke}
