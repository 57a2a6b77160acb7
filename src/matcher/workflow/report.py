"""One self-contained HTML report of a proposal, for a coordinator to mail around.

The page is ``templates/report.html`` with everything inlined: Leaflet (the map) and Chart.js (the
taakstelling chart), vendored under ``templates/vendor`` (versions and licences in ``templates/NOTICE``),
the page's own CSS and JavaScript, and the data as one JSON blob in a ``<script type="application/json">``
element. Only the map tiles come from the network; without it the map still shows every marker.

The JSON blob is escaped so that no value (a reason, an id) can end the script element or start a
comment: ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026``, which JSON.parse reads
back unchanged.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.format import Instance, Proposal
from matcher.workflow.columns import Language
from matcher.workflow.outcome import SUMMARY_KEY, Outcome, build_outcome

TEMPLATES = Path(__file__).resolve().parent / "templates"
VENDOR = TEMPLATES / "vendor"
TOKEN = re.compile(r"/\*@(\w+)@\*/")  # placeholders in report.html, replaced in one pass


@dataclass(frozen=True)
class Tiles:
    """A slippy-map tile source; ``None`` instead of a Tiles object draws the map without a background."""

    url: str
    attribution: str
    max_zoom: int = 19


OPENSTREETMAP = Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                      '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>')


def render_report(instance: Instance, proposal: Proposal, language: Language = "nl",
                  tiles: Tiles | None = OPENSTREETMAP, generated: dt.datetime | None = None) -> str:
    """The whole HTML page as text; raises ``ProposalInvalid`` when the proposal does not fit the instance."""
    outcome = build_outcome(instance, proposal)
    data = report_data(outcome, language, tiles, generated or dt.datetime.now().replace(microsecond=0))
    parts = {
        "TITLE": html.escape(f"matcher · {outcome.instance}"),
        "LANG": language,
        "LEAFLET_CSS": _style(_leaflet_css()),
        "REPORT_CSS": _style((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        "LEAFLET_JS": _script((VENDOR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")),
        "CHART_JS": _script((VENDOR / "chartjs" / "chart.umd.min.js").read_text(encoding="utf-8")),
        "REPORT_JS": _script((TEMPLATES / "report.js").read_text(encoding="utf-8")),
        "DATA": embed_json(data),
    }
    page = (TEMPLATES / "report.html").read_text(encoding="utf-8")
    return TOKEN.sub(lambda match: parts[match.group(1)], page)


def report_data(outcome: Outcome, language: Language, tiles: Tiles | None, generated: dt.datetime) -> dict[str, Any]:
    """Everything the page shows, as plain JSON values."""
    data = _plain(dataclasses.asdict(outcome))
    for row, a in zip(data["assignments"], outcome.assignments, strict=True):  # the words in the page's language
        del row["explanation"]
        if a.summary_in(language) is not None:
            row["explanations"][SUMMARY_KEY] = a.summary_in(language)
    for row, u in zip(data["unassigned"], outcome.unassigned, strict=True):
        del row["reason_details"]
        row["reasons"] = u.reasons_in(language)
    data["municipalities"] = [{**row, "after": m.after, "shortfall": m.shortfall,
                               "shortfall_permille": m.shortfall_permille}
                              for row, m in zip(data["municipalities"], outcome.municipalities, strict=True)]
    data["schools"] = [{**row, "free": s.free} for row, s in zip(data["schools"], outcome.schools, strict=True)]
    data["groups"] = [{**row, "remaining": g.remaining, "near_cap": g.near_cap}
                      for row, g in zip(data["groups"], outcome.groups, strict=True)]
    data["objectives"] = [{**row, "gap": o.gap} for row, o in zip(data["objectives"], outcome.objectives, strict=True)]
    data["language"] = language
    data["tiles"] = None if tiles is None else dataclasses.asdict(tiles)
    data["generated"] = generated.isoformat(sep=" ")
    data["matcher_version"] = __version__
    return data


def _plain(value: Any) -> Any:
    """Dates as ISO text; everything else is already JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def embed_json(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element (see the module docstring)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _script(code: str) -> str:
    """Inline JavaScript; a literal ``</script`` inside it would end the element early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _style(css: str) -> str:
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its few images inlined, so no control asks the network for a picture."""
    css = (VENDOR / "leaflet" / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = VENDOR / "leaflet" / "images" / match.group(1)
        if not image.is_file():
            return match.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(image.read_bytes()).decode('ascii')})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)

