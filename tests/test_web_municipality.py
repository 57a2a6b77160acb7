"""A municipality's page over more than one solve: its history across solves, its progress equal to
``/v1``'s, and the stored proposal parsed once per version however often the page is asked for."""

from __future__ import annotations

import datetime as dt
import html
import re

from api_support import TINY
from matcher.api.access import InstanceIndex
from matcher.storage.models import ProposalRecord
from matcher.web.municipality import moved_here
from matcher.web.proposal_cache import ProposalCache
from test_explain import ENGLISH_PHRASES
from web_support import OTHER, OWN, Week, person, week  # noqa: F401 - fixture


def test_the_history_spans_solves_and_the_progress_equals_the_api(week: Week) -> None:
    service = week.service
    first_household, first_dwelling = week.pairs_of(OWN)[0]
    assert service.post(f"/v1/solves/{week.solve_id}/decisions", OWN, json=[
        {"household": first_household, "dwelling": first_dwelling, "decision": "decline",
         "reason": "te ver van werk"}]).status_code == 201
    newer = service.solved()
    proposal = service.get(f"/v1/solves/{newer}/proposal", OWN).json()
    household, dwelling = next((a["household"], a["dwelling"]) for a in proposal["assignments"])
    assert service.post(f"/v1/solves/{newer}/decisions", OWN, json=[
        {"household": household, "dwelling": dwelling, "decision": "accept"}]).status_code == 201

    page = person(week, OWN).get(f"/app/municipality/{OWN}").text
    history = page[page.index('id="history-title"'):]
    assert week.solve_id in history and f"{newer} (nieuwste)" in history and "te ver van werk" in history
    assert history.index(newer) < history.index(week.solve_id)  # newest first

    phrases = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", page)]
    assert any("weken wachtend" in phrase for phrase in phrases)
    assert not [p for p in ENGLISH_PHRASES for phrase in phrases if p in f" {phrase} "]  # Dutch, from the fields

    progress = service.get(f"/v1/municipalities/{OWN}/progress", OWN).json()
    for name in ("target", "housed", "proposed", "accepted", "shortfall"):
        assert f'id="figure-{name}">{progress[name]}<' in page, name


def test_the_stored_proposal_is_parsed_once_for_many_requests(week: Week) -> None:
    cache = week.service.client.app.state.proposal_cache  # type: ignore[attr-defined]
    municipality, coordinator = person(week, OWN), person(week, "coordinator")
    municipality.get(f"/app/municipality/{OWN}")
    coordinator.get("/app/")
    parsed = cache.parsed
    for _ in range(3):
        assert municipality.get(f"/app/municipality/{OWN}").status_code == 200
        assert coordinator.get("/app/").status_code == 200
    assert cache.parsed == parsed


def test_a_newer_version_is_parsed_again_and_the_oldest_entry_goes() -> None:
    cache = ProposalCache(size=2)
    saved = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    best_so_far = ProposalRecord(id="prop_1", updated_at=saved, document='{"status": "feasible"}')
    final = ProposalRecord(id="prop_1", updated_at=saved + dt.timedelta(seconds=1), document='{"status": "optimal"}')
    assert cache.get(best_so_far) == {"status": "feasible"} and cache.get(best_so_far) is cache.get(best_so_far)
    assert cache.get(final) == {"status": "optimal"} and cache.parsed == 2
    cache.get(ProposalRecord(id="prop_2", updated_at=saved, document="{}"))  # evicts the oldest: best_so_far
    cache.get(final)
    assert cache.parsed == 3
    cache.get(best_so_far)
    assert cache.parsed == 4


def test_moved_pairs_are_shown_only_for_its_own_dwellings_and_name_no_other_dwelling() -> None:
    index = InstanceIndex.parse(TINY.read_text())
    document = {"moved": [
        {"household": "h00001", "dwelling": "d00001", "now": "d00005", "taken_by": ["h00002"],
         "needed_by": "overdue_housed", "reason": "..."},
        {"household": "h00003", "dwelling": "d00005", "now": None, "taken_by": [], "needed_by": "declined",
         "reason": "..."}]}
    own = moved_here(document, index, OWN, "nl")
    assert own == ["h00001 was voorgesteld voor d00001 en is nu elders voorgesteld; d00001 gaat nu naar h00002. "
                   "Waarom: behouden had gekost op het doel 'huishoudens over de termijn geplaatst'."]
    assert moved_here(document, index, OTHER, "en") == [
        "h00003 was proposed for d00005 and is now left waiting; d00005 now stays empty. Why: the pair was "
        "declined."]
