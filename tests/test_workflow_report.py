"""The HTML report: self-contained, safe against hostile text, and rendering in a real headless Chromium.

The browser tests drive Debian's ``chromium`` with ``--dump-dom`` and ``--screenshot`` in one run and read
console messages from its ``--enable-logging=stderr`` output (every console message counts as a
failure: the page itself logs nothing). The network is closed, so the tests render with no tile layer;
one test renders with the default OpenStreetMap tiles and ignores only messages about tile URLs. Without
Chromium the browser tests FAIL (CI installs it): ``apt-get install -y chromium``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, load_example
from matcher.cli.main import main
from matcher.format import Proposal
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance
from matcher.workflow.report import OPENSTREETMAP, embed_json, render_report
from test_explain import ENGLISH_PHRASES

EXAMPLE = "u16-week-s1"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TILE_HOSTS = ("tile.openstreetmap.org",)
BROWSER_TIMEOUT_S = 120
WINDOW = (1280, 2400)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
Example = tuple[dict[str, Any], dict[str, Any]]  # instance and proposal documents
HOSTILE = '</script><script>document.title="hacked"</script><!-- & \u2028'


def hostile_proposal(proposal: dict[str, Any]) -> dict[str, Any]:
    """The reference proposal with explanations and with reasons that try to break out of the page."""
    changed = json.loads(json.dumps(proposal))
    changed["unassigned"][0]["reasons"].append(HOSTILE)
    for i, assignment in enumerate(changed["assignments"]):
        assignment["explanation"] = {"summary": f"summary {i} <b>not bold</b>", "quality": i}
    return changed


@pytest.fixture(scope="module")
def example() -> Example:
    instance, proposal = load_example(EXAMPLE)
    return instance, hostile_proposal(proposal)


@pytest.fixture(scope="module")
def page(example: Example) -> str:
    instance, proposal = example
    return render_report(load_instance(instance), Proposal.model_validate(proposal), "en", tiles=None)


def embedded_data(page: str) -> Any:
    blob = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page, re.S)
    assert blob is not None
    return json.loads(blob.group(1))


# --- the page as text -------------------------------------------------------------------------------------


def test_the_page_is_self_contained(page: str) -> None:
    assert "Leaflet 1.9.4" in page and "Chart.js v4.6.1" in page
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', page)  # nothing loaded from elsewhere
    assert "url(images/" not in page  # Leaflet's control images are inlined as data: URIs
    assert "/*@" not in page  # every placeholder filled


def test_hostile_text_stays_data(page: str, example: Example) -> None:
    _, proposal = example
    assert page.count("</script>") == 4  # the four script elements, and no fifth from the data
    assert "<!--" not in page
    data = embedded_data(page)
    assert data["unassigned"][0]["reasons"][-1] == HOSTILE
    assert len(data["dwellings"]) == 35 and len(data["assignments"]) == len(proposal["assignments"])


def test_embed_json_escapes_what_could_end_a_script() -> None:
    data = {"text": "</script><!-- a & b \u2028 \u2029", "n": [1, 2.5, None, True]}
    embedded = embed_json(data)
    assert not re.search(r"[<>&\u2028\u2029]", embedded)
    assert json.loads(embedded) == data


def test_the_data_carries_what_the_page_draws(page: str) -> None:
    data = embedded_data(page)
    by_id = {m["id"]: m for m in data["municipalities"]}
    assert by_id["GM0344"]["ceiling"] == 458  # floor(417 * 1.1) = 458, of which 277 housed: 181 may come
    assert max(m["shortfall_permille"] for m in data["municipalities"]) == 555
    assert data["explanation_keys"] == ["summary", "quality"]
    groups = {g["id"]: g for g in data["groups"]}
    assert all(g["remaining"] == g["cap"] - g["used"] for g in groups.values())
    schools = data["schools"]
    assert sum(s["pupils"] for s in schools) > 0 and all(s["free"] == s["seats"] - s["pupils"] for s in schools)
    assert data["tiles"] is None


def test_a_report_from_a_fresh_solve_shows_the_solvers_explanations(tmp_path: Path) -> None:
    instance = load_instance(EXAMPLES / "tiny-s1.json")
    proposal = solve_proposal(instance, SolveOptions(time_limit=20, workers=1, deterministic=True))
    data = embedded_data(render_report(instance, proposal, "nl", tiles=None))
    assert data["status"] == "optimal"
    assert [o["value"] for o in data["objectives"]] == [3, 4, 250, 50]
    assert "summary" in data["explanation_keys"]
    assert all(a["explanations"].get("summary") for a in data["assignments"])
    # Dutch words, from the structured explanation and reasons; the English of the same in an English report
    dutch = [a["explanations"]["summary"] for a in data["assignments"]] + [
        reason for u in data["unassigned"] for reason in u["reasons"]]
    assert data["unassigned"] and not [p for p in ENGLISH_PHRASES for text in dutch if p in f" {text} "]
    assert all("weken wachtend" in a["explanations"]["summary"] for a in data["assignments"])
    english = embedded_data(render_report(instance, proposal, "en", tiles=None))
    assert [u["reasons"] for u in english["unassigned"]] == [u.reasons for u in proposal.unassigned]
    assert "reason_details" not in english["unassigned"][0] and "explanation" not in english["assignments"][0]


def test_matcher_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instance, proposal = EXAMPLES / f"{EXAMPLE}.json", EXAMPLES / f"{EXAMPLE}.proposal.json"
    output = tmp_path / "report.html"
    assert main(["report", str(instance), str(proposal), "-o", str(output), "--no-tiles"]) == 0
    assert embedded_data(output.read_text(encoding="utf-8"))["instance"] == EXAMPLE
    assert main(["report", str(instance), str(proposal), "-o", str(output)]) == 0
    assert embedded_data(output.read_text(encoding="utf-8"))["tiles"]["url"] == OPENSTREETMAP.url
    capsys.readouterr()
    assert main(["report", str(EXAMPLES / "tiny-s1.json"), str(proposal), "-o", str(output)]) == 1
    assert 'is for instance "u16-week-s1", not "tiny-s1"' in capsys.readouterr().err


# --- in a real browser ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    dom: str
    console: list[str]
    screenshot: Path


def chromium() -> str:
    found = os.environ.get("MATCHER_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if found is None:
        pytest.fail("headless Chromium is needed for the report's browser tests and was not found; "
                    "install it with: apt-get update && apt-get install -y chromium (or set MATCHER_CHROMIUM)")
    return found


def render_in_chromium(html: str, workdir: Path) -> Rendered:
    """Load the page from a file in a fresh profile; return the DOM after its scripts ran, console and PNG."""
    workdir.mkdir(parents=True, exist_ok=True)
    page, screenshot = workdir / "report.html", workdir / "screenshot.png"
    page.write_text(html, encoding="utf-8")
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
               f"--user-data-dir={workdir / 'profile'}", "--enable-logging=stderr", "--v=0",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={screenshot}", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(done.stdout, console, screenshot)


def page_console_messages(rendered: Rendered) -> list[str]:
    """Console messages, except failed tile loads (the network is closed here)."""
    return [line for line in rendered.console if not any(host in line for host in TILE_HOSTS)]


def count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


@pytest.fixture(scope="module")
def rendered(page: str, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render_in_chromium(page, tmp_path_factory.mktemp("chromium"))


@pytest.mark.browser
def test_the_page_renders_without_console_errors(rendered: Rendered) -> None:
    assert page_console_messages(rendered) == []
    assert 'data-ready="1"' in rendered.dom  # every drawing step ran
    assert re.search(r'<div id="report-errors" hidden="">\s*</div>', rendered.dom)


@pytest.mark.browser
def test_the_map_shows_one_marker_per_dwelling_and_school(rendered: Rendered,
                                                          example: Example) -> None:
    instance, proposal = example
    assert count(r'<path class="dwelling-marker ', rendered.dom) == len(instance["dwellings"])
    assigned = {a["dwelling"] for a in proposal["assignments"]}
    assert count(r'class="dwelling-marker dwelling-assigned ', rendered.dom) == len(assigned)
    assert count(r'<path class="school-marker ', rendered.dom) == len(instance["schools"])
    assert 'data-dwelling-markers="35"' in rendered.dom
    assert count(r'class="group-near-cap ', rendered.dom) >= 1


@pytest.mark.browser
def test_the_tables_and_chart_are_drawn(rendered: Rendered, example: Example) -> None:
    _, proposal = example
    section = rendered.dom.split('id="assignment-table"', 1)[1].split("</table>", 1)[0]
    assert count(r"<tr", section) == 1 + len(proposal["assignments"])
    assert "summary 0 &lt;b&gt;not bold&lt;/b&gt;" in section  # explanations shown, as text
    unassigned = rendered.dom.split('id="unassigned-table"', 1)[1].split("</table>", 1)[0]
    assert "&lt;/script&gt;&lt;script&gt;document.title" in unassigned  # the hostile reason, harmless
    assert "<title>hacked</title>" not in rendered.dom
    assert re.search(r'<canvas id="progress-chart"[^>]*(width|style)=', rendered.dom)  # Chart.js sized it


@pytest.mark.browser
def test_a_screenshot_is_produced(rendered: Rendered) -> None:
    png = rendered.screenshot.read_bytes()
    assert png.startswith(PNG_MAGIC) and len(png) > 20_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == WINDOW


@pytest.mark.browser
def test_with_the_default_tiles_only_tile_loads_may_fail(example: Example,
                                                         tmp_path: Path) -> None:
    instance, proposal = example
    html = render_report(load_instance(instance), Proposal.model_validate(proposal), "nl")
    result = render_in_chromium(html, tmp_path)
    assert page_console_messages(result) == []
    assert 'data-ready="1"' in result.dom
    assert count(r'<path class="dwelling-marker ', result.dom) == len(instance["dwellings"])
    assert count(r'<img alt="" src="https://tile\.openstreetmap\.org/', result.dom) > 0  # tiles were asked for


@pytest.mark.browser
def test_the_console_check_does_catch_errors(page: str, tmp_path: Path) -> None:
    broken = page.replace("</body>", '<script>console.error("injected"); undefinedFunction();</script></body>')
    messages = page_console_messages(render_in_chromium(broken, tmp_path))
    assert any('"injected"' in line for line in messages)
    assert any("undefinedFunction is not defined" in line for line in messages)
