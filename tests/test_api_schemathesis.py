"""Generated requests against the OpenAPI spec (schemathesis): whatever a client sends, never a 5xx.

Cases are drawn for every operation, in both schemathesis modes (bodies that follow the schema and bodies
that break it), sent with a coordinator key, a municipality key or none, and often aimed at ids that
exist (a stored instance and a completed solve) so that the deeper code paths run on generated input.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.openapi import from_dict

from api_support import Service, backend, fresh_database, running_service  # noqa: F401 - fixtures

EXAMPLES_PER_MODE = 8  # per operation and mode: 13 operations x 2 modes x 8, about 200 requests per database


@pytest.fixture(scope="module")
def fuzzed_service(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("fuzz")
    with fresh_database(backend, directory) as url, running_service(url, directory / "data", max_body_bytes=200_000,
                                                                    solve_function="api_fakes:slow") as service:
        yield service


def operations(service: Service) -> list[Any]:
    schema = from_dict(service.client.get("/openapi.json").json())
    return [result.ok() for result in schema.get_all_operations()]


def test_no_generated_request_gets_a_server_error(fuzzed_service: Service, tmp_path: Path) -> None:
    service = fuzzed_service
    instance_id = service.add_instance()
    solve_id = service.start_solve(instance_id)
    service.delete(f"/v1/solves/{solve_id}")  # cancelled with its best proposal: decisions and re-plans apply
    assert service.wait(solve_id)["status"] == "cancelled"
    real_ids = {"instance_id": instance_id, "solve_id": solve_id, "code": "GM0632"}
    keys = [service.headers(), service.headers("GM0632"), service.headers("GM9999"), {}]
    found: list[str] = []
    sent = 0
    for operation in operations(service):
        for mode in GenerationMode:
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy, aim=st.booleans(), key=st.sampled_from(keys))
            def send(case: Any, aim: bool, key: dict[str, str]) -> None:
                nonlocal sent
                if aim and case.path_parameters:
                    case.path_parameters = {name: real_ids.get(name, value)
                                            for name, value in case.path_parameters.items()}
                request = case.as_transport_kwargs(base_url="http://testserver")
                request.pop("cookies", None)
                request["headers"] = {**{k: v for k, v in (request.get("headers") or {}).items()
                                         if k.lower() != "x-api-key"}, **key}
                response = service.client.request(**request)
                sent += 1
                if response.status_code >= 500:
                    found.append(f"{response.status_code} {case.method} {case.formatted_path}: {response.text[:300]}")

            try:
                send()
            except Unsatisfiable:  # nothing in this operation can be made invalid (e.g. no parameters)
                assert mode == GenerationMode.NEGATIVE, operation.label
    assert not found, "\n".join(found[:10])
    assert sent >= 250
