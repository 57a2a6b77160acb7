"""``/v1/instances``: storing, listing and reading instances, and every way a submission can be refused."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api_support import Service, backend, make_service, service, tiny_document  # noqa: F401 - fixtures
from matcher.exceptions import InstanceInvalid
from matcher.format import MAX_ID_LENGTH
from matcher.storage import repository as repo
from matcher.validation import load_instance


def test_a_submitted_instance_is_stored_listed_and_read_back(service: Service) -> None:
    document = tiny_document()
    created = service.post("/v1/instances", content=json.dumps(document, indent=4))
    assert created.status_code == 201
    summary = created.json()
    assert (summary["name"], summary["version"], summary["parent_id"]) == ("tiny-s1", 1, None)
    assert (summary["households"], summary["dwellings"], summary["municipalities"]) == (6, 6, 2)
    assert summary["content_hash"] == repo.content_hash(document)
    assert summary["created_by"]["role"] == "coordinator"

    listed = service.get("/v1/instances").json()["items"]
    assert listed[0] == summary
    detail = service.get(f"/v1/instances/{summary['id']}").json()
    assert detail["document"] == document


def test_the_list_is_newest_first_and_pages(service: Service) -> None:
    ids = [service.add_instance() for _ in range(3)]
    assert [i["id"] for i in service.get("/v1/instances", params={"limit": 3}).json()["items"]] == ids[::-1]
    page = service.get("/v1/instances", params={"limit": 1, "offset": 1}).json()["items"]
    assert [i["id"] for i in page] == [ids[1]]


def broken_document() -> dict:
    document = tiny_document()
    document["households"][0]["members"] = []
    document["dwellings"][2]["municipality"] = "GM9999"
    document["households"][1]["needs_accessible"] = "yes"
    return document


def test_an_invalid_instance_lists_every_problem_with_path_and_record(service: Service) -> None:
    document = broken_document()
    stored_before = service.get("/v1/instances", params={"limit": 500}).json()["items"]
    response = service.post("/v1/instances", content=json.dumps(document))
    assert response.status_code == 422
    with pytest.raises(InstanceInvalid) as expected:
        load_instance(document)
    problems = response.json()["problems"]
    assert [p["message"] for p in problems] == [str(p) for p in expected.value.problems]  # as `matcher validate`
    by_path = {p["path"]: p for p in problems}
    assert by_path["households[0].members"]["record"] == "h00000"
    assert by_path["dwellings[2].municipality"]["record"] == "d00002"
    assert by_path["households[1].needs_accessible"]["record"] == "h00001"
    assert service.get("/v1/instances", params={"limit": 500}).json()["items"] == stored_before


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"format": "matcher.instance/1", ', "is not valid JSON"),
    (b"{\"id\": \"\xc3\x28\"}", "is not UTF-8"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"format": "matcher.instance/2"}', 'must be "matcher.instance/1"'),
    (b"", "is not valid JSON"),
    (b'{"a": ' + b"1" * 5000 + b"}", "is not valid JSON"),
])
def test_malformed_bodies_are_422_with_a_message(service: Service, body: bytes, expected: str) -> None:
    response = service.post("/v1/instances", content=body)
    assert response.status_code == 422
    assert expected in response.json()["problems"][0]["message"]


def hostile_extras() -> Iterator[tuple[str, object, str]]:
    """Unknown fields are ignored by validation, but must still be storable."""
    yield "nul", "a\x00b", "NUL"
    yield "surrogate", "\ud800", "surrogate"
    yield "nan", float("nan"), "finite"
    deep: object = 1
    for _ in range(60):
        deep = [deep]
    yield "deep", deep, "nested"


@pytest.mark.parametrize(("name", "value", "expected"), list(hostile_extras()), ids=lambda v: str(v)[:10])
def test_unstorable_values_in_ignored_fields_are_422(service: Service, name: str, value: object,
                                                      expected: str) -> None:
    document = tiny_document()
    document["households"][0]["note"] = value
    response = service.post("/v1/instances", content=json.dumps(document))
    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert expected in problem["message"] and problem["path"].startswith("households[0].note")


def test_oversized_bodies_are_413(make_service: Callable[..., Service]) -> None:
    service = make_service(max_body_bytes=1000)
    big = json.dumps(tiny_document()).encode()
    assert len(big) > 1000
    assert service.post("/v1/instances", content=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        yield from (big[i:i + 100] for i in range(0, len(big), 100))

    streamed = service.post("/v1/instances", content=chunks())
    assert streamed.status_code == 413
    assert "limit of 1000 bytes" in streamed.json()["detail"]
    solve = service.post("/v1/solves", content=b'{"instance_id": "' + b"x" * 2000 + b'"}')
    assert solve.status_code == 413


def test_unknown_instances_are_404(service: Service) -> None:
    response = service.get("/v1/instances/ins_nope")
    assert response.status_code == 404 and "ins_nope" in response.json()["detail"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 10**30}, {"offset": -1}, {"limit": "many"}])
def test_bad_paging_is_422_naming_the_parameter(service: Service, params: dict) -> None:
    response = service.get("/v1/instances", params=params)
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == f"query:{next(iter(params))}"


def test_keys_are_required_and_checked(service: Service) -> None:
    assert service.client.get("/v1/instances").status_code == 401
    wrong = service.client.get("/v1/instances", headers={"X-API-Key": "mk_wrong"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "unknown or revoked API key"
    with service.database.session() as session:
        key, token = repo.create_key(session, repo.COORDINATOR)
    assert service.client.get("/v1/instances", headers={"X-API-Key": token}).status_code == 200
    with service.database.session() as session:
        repo.revoke_key(session, key.id)
    assert service.client.get("/v1/instances", headers={"X-API-Key": token}).status_code == 401


def test_health_and_docs_need_no_key(service: Service) -> None:
    assert service.client.get("/v1/health").json() == {"status": "ok", "version": service.client.app.version,
                                                       "database": "ok"}
    assert service.client.get("/docs").status_code == 200
    assert service.client.get("/openapi.json").json()["info"]["title"] == "matcher"


# --- issue 18: defects 2, 3 and 4 --------------------------------------------------------------------------


def surrogate_documents() -> Iterator[tuple[str, dict]]:
    """Lone surrogates where a record's id, a reference or a key of an unknown field go (defect 2: a 500)."""
    document = tiny_document()
    document["households"][0]["id"] = "\ud800"
    yield "household id", document
    document = tiny_document()
    document["dwellings"][0]["municipality"] = "\ud800"
    yield "municipality", document
    document = tiny_document()
    document["households"][0]["\ud800"] = 1
    yield "unknown key", document


@pytest.mark.parametrize(("where", "document"), list(surrogate_documents()), ids=lambda v: str(v)[:12])
def test_lone_surrogates_anywhere_are_422_not_500(service: Service, where: str, document: dict) -> None:
    response = service.post("/v1/instances", content=json.dumps(document))  # ensure_ascii: "\ud800" escaped
    assert response.status_code == 422, response.text
    assert response.json()["problems"], where


def test_ids_have_one_length_limit_for_instances_and_decisions(service: Service) -> None:
    document = tiny_document()
    document["households"][0]["id"] = "h" * (MAX_ID_LENGTH + 1)
    response = service.post("/v1/instances", content=json.dumps(document))
    assert response.status_code == 422  # defect 3: it was stored, and its pairs could never be decided
    assert response.json()["problems"][0]["path"] == "households[0].id"
    longest_prefix = "h" * (MAX_ID_LENGTH - len("h00000"))  # every household id exactly at the limit
    longest = json.loads(json.dumps(tiny_document()).replace('"h0000', f'"{longest_prefix}h0000'))
    solve_id = service.solved(service.add_instance(longest))
    proposal = service.get(f"/v1/solves/{solve_id}/proposal").json()
    pair = proposal["assignments"][0]
    assert len(pair["household"]) == MAX_ID_LENGTH
    decided = service.post(f"/v1/solves/{solve_id}/decisions",
                           json=[{"household": pair["household"], "dwelling": pair["dwelling"], "decision": "accept"}])
    assert decided.status_code == 201, decided.text


def test_two_ids_that_look_the_same_cannot_both_exist(service: Service) -> None:
    document = tiny_document()
    document["households"][0]["id"] = "h-\u00e9"  # é, composed
    document["households"][1]["id"] = "h-e\u0301"  # e and a combining accent: looks the same
    response = service.post("/v1/instances", content=json.dumps(document))
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert (problem["path"], problem["code"]) == ("households[1].id", "id_normal_form")
    decision = service.post("/v1/solves/sol_anything/decisions",
                            json=[{"household": "h-e\u0301", "dwelling": "d00000", "decision": "accept"}])
    assert decision.status_code == 422 and decision.json()["problems"][0]["path"] == "[0].household"


def test_an_upload_is_checked_in_a_process_of_its_own(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 4: validation and storage ran on the event loop; then, in a thread, they still held the
    server's interpreter lock for seconds. Now the upload process checks the body."""
    checkers: list[int] = []
    uploads = service.client.app.state.uploads
    real = uploads.check

    async def spy(body: bytes) -> Any:
        checked = await real(body)
        checkers.append(checked.checked_by)
        return checked

    monkeypatch.setattr(uploads, "check", spy)
    assert service.post("/v1/instances", content=json.dumps(tiny_document())).status_code == 201
    assert len(checkers) == 1 and checkers[0] not in (0, os.getpid())
