"""The API's contract as a file: ``api/openapi.json`` at the top of the repository is the reviewed snapshot
of the spec, published for integrators next to ``api/README.md``.

A test compares the live spec with it, so no API change goes out unnoticed. After a deliberate change, in a
checkout of the repository:

    .venv/bin/python -m matcher.api.openapi --write     (or MATCHER_UPDATE_OPENAPI=1 pytest tests/test_api_openapi.py)

and review the diff of ``api/openapi.json`` with the change. Without ``--write`` the spec goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[3]  # src/matcher/api/openapi.py -> the checkout
SNAPSHOT = REPOSITORY / "api" / "openapi.json"


def current_spec() -> dict[str, Any]:
    from matcher.api.app import create_app
    from matcher.api.settings import ServiceSettings

    return create_app(ServiceSettings(database_url="sqlite://")).openapi()


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the API's OpenAPI spec, or refresh the snapshot.")
    parser.add_argument("--write", action="store_true", help=f"overwrite {SNAPSHOT.name} with the current spec")
    args = parser.parse_args(argv)
    text = render(current_spec())
    if args.write:
        SNAPSHOT.write_text(text, encoding="utf-8")
        print(f"wrote {SNAPSHOT}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
