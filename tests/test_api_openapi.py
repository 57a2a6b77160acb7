"""The API may change only on purpose: the live OpenAPI spec must equal the reviewed snapshot."""

from __future__ import annotations

import difflib
import os

from matcher.api.openapi import SNAPSHOT, current_spec, render

UPDATE_ENV = "MATCHER_UPDATE_OPENAPI"


def test_the_api_matches_its_reviewed_snapshot() -> None:
    live = render(current_spec())
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.write_text(live, encoding="utf-8")
    stored = SNAPSHOT.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(stored.splitlines(True), live.splitlines(True), "snapshot", "live", n=2))
    assert live == stored, (f"the API changed. If on purpose, refresh the snapshot with `{UPDATE_ENV}=1 pytest "
                            f"tests/test_api_openapi.py` (or `python -m matcher.api.openapi --write`) and "
                            f"review it:\n{diff[:6000]}")


def test_every_route_is_versioned_and_keyed() -> None:
    spec = current_spec()
    paths = spec["paths"]
    assert all(path.startswith("/v1/") for path in paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            keyed = operation.get("security") == [{"APIKeyHeader": []}]
            assert keyed == (path != "/v1/health"), (method, path)
