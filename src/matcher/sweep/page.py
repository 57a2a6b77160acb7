"""The sweep's HTML page: one self-contained file (no script, no network), the plots drawn as inline SVG.

For the figure the user names, the ranking of the variants per policy; then for every figure one plot:
a row per variant, its difference from the base for each seed as a dot, the range over the seeds as a
line and the mean as a tick, one colour per policy, zero marked. A table under each plot gives the same
numbers. Failed and out-of-memory replays are listed with their error.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from matcher import __version__
from matcher.sweep.results import HIGHER_IS_BETTER, Effect, Row, effects, failures, ranking
from matcher.sweep.sweepfile import BASE_VARIANT, FIGURES

POLICY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
PLOT_WIDTH, LABEL_WIDTH, ROW_HEIGHT, POLICY_GAP, MARGIN = 720, 200, 34, 9, 24

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: right; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
.legend span { display: inline-block; margin-right: 1rem; } .swatch { width: 0.8rem; height: 0.8rem; }
.failed { color: #b00; } pre { white-space: pre-wrap; font-size: 0.8rem; background: #f6f6f6; padding: 0.4rem; }
svg text { font-size: 12px; font-family: system-ui, sans-serif; }
"""


@dataclass(frozen=True)
class PageInput:
    title: str
    figure: str  # the figure the variants are ranked on
    policies: list[str]
    variants: dict[str, str]  # name -> its transforms in words, base first
    table: list[Row]


def render_page(page: PageInput, generated: dt.datetime | None = None) -> str:
    when = (generated or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" ")
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(page.title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{_e(page.title)}</h1>",
             f"<p>{_summary(page.table)} · matcher {__version__} · {_e(when)}</p>", _legend(page.policies),
             _variants(page), _ranking(page)]
    for figure in FIGURES:
        parts.append(_figure_section(page, figure))
    parts.append(_failures(page.table))
    parts.append("</body></html>")
    return "\n".join(parts)


def _e(text: object) -> str:
    return html.escape(str(text))


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return f"{value:+.{digits}f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):+d}"


def _summary(table: list[Row]) -> str:
    statuses: dict[str, int] = {}
    for row in table:
        status = str(row.record.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
    counts = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(statuses.items()))
    return f"{len(table)} replays: {_e(counts)}"


def _colour(page: PageInput, policy: str) -> str:
    return POLICY_COLOURS[page.policies.index(policy) % len(POLICY_COLOURS)]


def _legend(policies: list[str]) -> str:
    items = "".join(f"<span><svg class='swatch' viewBox='0 0 10 10'><rect width='10' height='10' "
                    f"fill='{POLICY_COLOURS[i % len(POLICY_COLOURS)]}'/></svg> {_e(p)}</span>"
                    for i, p in enumerate(policies))
    return f"<p class='legend'>Policies: {items}</p>"


def _variants(page: PageInput) -> str:
    rows = "".join(f"<tr><td>{_e(name)}</td><td class='text'>{_e(words)}</td></tr>"
                   for name, words in page.variants.items())
    return f"<h2>Variants</h2><table><tr><th>variant</th><th class='text'>transforms</th></tr>{rows}</table>"


def _ranking(page: PageInput) -> str:
    better = "higher" if page.figure in HIGHER_IS_BETTER else "lower"
    parts = [f"<h2>Ranking on {_e(page.figure)} ({better} is better, mean over the seeds)</h2>"]
    for policy in page.policies:
        ranked = ranking(page.table, page.figure, policy)
        base = next((mean for name, mean, _ in ranked if name == BASE_VARIANT), None)
        rows = "".join(
            f"<tr><td>{rank}</td><td class='text'>{_e(name)}</td><td>{mean:.2f}</td>"
            f"<td>{_number(None if base is None or name == BASE_VARIANT else mean - base)}</td><td>{seeds}</td></tr>"
            for rank, (name, mean, seeds) in enumerate(ranked, start=1))
        parts.append(f"<h3>{_e(policy)}</h3><table><tr><th>#</th><th>variant</th><th>{_e(page.figure)}</th>"
                     f"<th>against base</th><th>seeds</th></tr>{rows}</table>")
    return "".join(parts)


def _figure_section(page: PageInput, figure: str) -> str:
    found = effects(page.table, figure)
    rows = "".join(
        f"<tr><td>{_e(e.variant)}</td><td class='text'>{_e(e.policy)}</td><td>{_number(e.mean)}</td>"
        f"<td>{'–' if e.spread is None else f'{e.spread:.2f}'}</td><td>{_number(e.low)}</td>"
        f"<td>{_number(e.high)}</td><td>{len(e.differences)}</td></tr>" for e in found)
    return (f"<h2>{_e(figure)}: difference from the base</h2>{effect_plot(page, found)}"
            f"<table><tr><th>variant</th><th>policy</th><th>mean</th><th>spread (sd)</th><th>lowest</th>"
            f"<th>highest</th><th>seeds</th></tr>{rows}</table>")


def effect_plot(page: PageInput, found: list[Effect]) -> str:
    """Rows of variants; per policy a range line, a dot per seed and a mean tick; zero as a dashed line."""
    variants = [name for name in page.variants if name != BASE_VARIANT]
    values = [d for effect in found for d in effect.differences] + [0.0]
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    height = MARGIN * 2 + ROW_HEIGHT * max(1, len(variants))

    def x(value: float) -> float:
        return LABEL_WIDTH + (value - low) / (high - low) * (PLOT_WIDTH - LABEL_WIDTH - MARGIN)

    shapes = [f"<line x1='{x(0):.1f}' y1='{MARGIN / 2}' x2='{x(0):.1f}' y2='{height - MARGIN}' stroke='#888' "
              f"stroke-dasharray='4 3'/>",
              f"<text x='{x(low):.1f}' y='{height - 6}'>{_number(low, 1)}</text>",
              f"<text x='{x(high):.1f}' y='{height - 6}' text-anchor='end'>{_number(high, 1)}</text>",
              f"<text x='{x(0):.1f}' y='{MARGIN / 2 - 2}' text-anchor='middle'>0</text>"]
    for index, variant in enumerate(variants):
        middle = MARGIN + ROW_HEIGHT * index + ROW_HEIGHT / 2
        shapes.append(f"<text x='4' y='{middle + 4:.1f}'>{_e(variant[:28])}</text>")
        for effect in (e for e in found if e.variant == variant and e.differences):
            offset = (page.policies.index(effect.policy) - (len(page.policies) - 1) / 2) * POLICY_GAP
            y, colour = middle + offset, _colour(page, effect.policy)
            shapes.append(f"<line x1='{x(effect.low or 0):.1f}' y1='{y:.1f}' x2='{x(effect.high or 0):.1f}' "
                          f"y2='{y:.1f}' stroke='{colour}' stroke-width='2'/>")
            shapes += [f"<circle cx='{x(d):.1f}' cy='{y:.1f}' r='3' fill='{colour}' fill-opacity='0.6'>"
                       f"<title>{_e(effect.policy)}: {_number(d)}</title></circle>" for d in effect.differences]
            shapes.append(f"<line x1='{x(effect.mean or 0):.1f}' y1='{y - 5:.1f}' x2='{x(effect.mean or 0):.1f}' "
                          f"y2='{y + 5:.1f}' stroke='{colour}' stroke-width='3'/>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{PLOT_WIDTH}' height='{height}' "
            f"viewBox='0 0 {PLOT_WIDTH} {height}' role='img'>{''.join(shapes)}</svg>")


def _failures(table: list[Row]) -> str:
    failed = failures(table)
    if not failed:
        return "<h2>Failures</h2><p>Every replay finished.</p>"
    items = "".join(
        f"<li class='failed'>{_e(row.variant)}, seed {row.seed}, {_e(row.policy)}: "
        f"{_e(row.record.get('status'))}: {_e(row.record.get('error', ''))}"
        + (f"<pre>{_e(row.record['traceback'])}</pre>" if row.record.get("traceback") else "") + "</li>"
        for row in failed)
    return f"<h2>Failures</h2><ul>{items}</ul>"
