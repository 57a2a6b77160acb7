"""The web pages through the app in-process: sign-in and its session, CSRF, roles and visibility, and a
municipality's decisions taken through the same checks and records as ``/v1``."""

from __future__ import annotations

from matcher.storage.models import ApiKey
from web_support import OTHER, OWN, SESSION_COOKIE, Week, csrf_of, expired_cookie, person, week  # noqa: F401


def test_pages_are_not_in_the_openapi_schema(week: Week) -> None:
    paths = week.service.client.get("/openapi.json").json()["paths"]
    assert paths and not [path for path in paths if not path.startswith("/v1")]


def test_the_session_cookie_is_signed_httponly_strict_and_expires(week: Week) -> None:
    client = person(week, None)
    response = client.get("/app/sign-in")
    cookie = response.headers["set-cookie"].lower()
    assert SESSION_COOKIE in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert f"max-age={week.service.settings.session_seconds}" in cookie


def test_sign_in_with_an_unknown_key_names_the_field(week: Week) -> None:
    client = person(week, None)
    token = csrf_of(client.get("/app/sign-in").text)
    response = client.post("/app/sign-in", data={"api_key": "not-a-key", "csrf_token": token})
    assert response.status_code == 401
    assert 'href="#api_key"' in response.text and 'aria-invalid="true"' in response.text


def test_a_form_without_its_csrf_token_is_refused(week: Week) -> None:
    client = person(week, None)
    client.get("/app/sign-in")
    response = client.post("/app/sign-in", data={"api_key": week.service.key(OWN)})
    assert response.status_code == 403 and "CSRF" in response.text
    municipality = person(week, OWN)
    household, dwelling = week.pairs_of(OWN)[0]
    response = municipality.post(f"/app/municipality/{OWN}/decisions",
                                 data={"solve_id": week.solve_id, "household": household, "dwelling": dwelling,
                                       "decision": "accept", "csrf_token": "forged"})
    assert response.status_code == 403
    assert not week.service.get(f"/v1/solves/{week.solve_id}/decisions", OWN).json()["items"]


def test_a_municipality_lands_on_its_own_page_in_dutch(week: Week) -> None:
    client = person(week, OWN)
    page = client.get("/app/")
    assert page.url.path == f"/app/municipality/{OWN}"
    assert '<html lang="nl">' in page.text and "Voorgestelde koppelingen" in page.text
    for household, dwelling in week.pairs_of(OWN):
        assert f"{household} → Woning {dwelling}" in page.text
    for _household, dwelling in week.pairs_of(OTHER):
        assert dwelling not in page.text


def test_the_language_switch_is_kept_in_the_session(week: Week) -> None:
    client = person(week, OWN)
    page = client.get(f"/app/municipality/{OWN}")
    switched = client.post("/app/language", data={"language": "en", "back": f"/app/municipality/{OWN}",
                                                  "csrf_token": csrf_of(page.text)})
    assert '<html lang="en">' in switched.text and "Proposed pairs" in switched.text
    assert '<html lang="en">' in client.get("/app/").text
    elsewhere = client.post("/app/language", data={"language": "nl", "back": "https://example.org/",
                                                   "csrf_token": csrf_of(switched.text)})
    assert elsewhere.url.path.startswith("/app/")


def test_another_municipalitys_pages_and_forms_answer_404(week: Week) -> None:
    client = person(week, OWN)
    assert client.get(f"/app/municipality/{OTHER}").status_code == 404
    token = csrf_of(client.get(f"/app/municipality/{OWN}").text)
    household, dwelling = week.pairs_of(OTHER)[0]
    form = {"solve_id": week.solve_id, "household": household, "dwelling": dwelling, "decision": "decline",
            "reason": "not ours", "csrf_token": token}
    assert client.post(f"/app/municipality/{OTHER}/decisions", data=form).status_code == 404
    assert client.post(f"/app/municipality/{OWN}/decisions", data=form).status_code == 404
    assert client.get("/app/municipality/GM9999").status_code == 404
    assert not [d for d in week.service.get(f"/v1/solves/{week.solve_id}/decisions").json()["items"]
                if d["dwelling"] == dwelling]


def test_declining_needs_a_reason_and_decisions_are_the_apis(week: Week) -> None:
    client = person(week, OWN)
    page = client.get(f"/app/municipality/{OWN}")
    (h1, d1), (h2, d2) = week.pairs_of(OWN)[:2]
    form = {"solve_id": week.solve_id, "csrf_token": csrf_of(page.text), "field_id": "reason-0"}
    refused = client.post(f"/app/municipality/{OWN}/decisions",
                          data={**form, "household": h1, "dwelling": d1, "decision": "decline", "reason": " "})
    assert refused.status_code == 422 and 'href="#reason-0"' in refused.text
    client.post(f"/app/municipality/{OWN}/decisions",
                data={**form, "household": h1, "dwelling": d1, "decision": "decline", "reason": "te ver van werk"})
    saved = client.post(f"/app/municipality/{OWN}/decisions",
                        data={**form, "household": h2, "dwelling": d2, "decision": "accept"})
    assert "is opgeslagen" in saved.text and "te ver van werk" in saved.text
    history = week.service.get(f"/v1/solves/{week.solve_id}/decisions", OWN).json()["items"]
    assert [(d["household"], d["decision"], d["reason"]) for d in history][-2:] == [
        (h1, "decline", "te ver van werk"), (h2, "accept", None)]
    progress = week.service.get(f"/v1/municipalities/{OWN}/progress", OWN).json()
    assert f'id="figure-accepted">{progress["accepted"]}<' in saved.text and progress["accepted"] > 0


def test_an_expired_session_asks_to_sign_in_again(week: Week) -> None:
    client = person(week, OWN)
    assert client.get(f"/app/municipality/{OWN}").status_code == 200
    stale = person(week, None)
    with week.service.database.session() as db:
        key_id = next(k.id for k in db.query(ApiKey) if k.municipality == OWN)
    old = expired_cookie(week.service.settings.session_secret, {"key_id": key_id},
                         week.service.settings.session_seconds + 60)
    stale.cookies.set(SESSION_COOKIE, old)
    page = stale.get(f"/app/municipality/{OWN}")
    assert page.url.path == "/app/sign-in" and "verlopen" in page.text
    assert client.get(f"/app/municipality/{OWN}").status_code == 200


def test_signing_out_ends_the_session(week: Week) -> None:
    client = person(week, OWN)
    page = client.get(f"/app/municipality/{OWN}")
    out = client.post("/app/sign-out", data={"csrf_token": csrf_of(page.text)})
    assert out.url.path == "/app/sign-in" and "afgemeld" in out.text
    assert client.get(f"/app/municipality/{OWN}").url.path == "/app/sign-in"


def test_the_coordinator_sees_every_municipalitys_decisions_at_a_glance(week: Week) -> None:
    client = person(week, "coordinator")
    page = client.get("/app/")
    assert page.status_code == 200
    for code in (OWN, OTHER):
        assert f'href="/app/municipality/{code}"' in page.text
    assert client.get(f"/app/municipality/{OTHER}").status_code == 200
