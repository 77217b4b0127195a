"""Inline SVG charts: no JavaScript library and no CDN, so the report works offline and prints."""

from __future__ import annotations

from html import escape
from typing import Any

from voc.kinds import KINDS

PALETTE = {k.name: k.colour for k in KINDS}
DEFAULT = "#5c6b73"


def hbar(rows: list[tuple[str, int]], color: str = DEFAULT, width: int = 560, title: str = "") -> str:
    """Horizontal bar chart of (label, value) rows."""
    if not rows:
        return ""
    bar_h, gap, label_w = 22, 6, 230
    height = len(rows) * (bar_h + gap) + 10
    vmax = max(v for _, v in rows) or 1
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = max(2, int((width - label_w - 50) * value / vmax))
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="12">{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3" fill="{color}"><title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_months(monthly: list[dict[str, Any]], kinds: list[str], width: int = 760, height: int = 220) -> str:
    """Stacked columns of insights per period (month or quarter) and kind."""
    if not monthly:
        return ""
    left, bottom, top = 36, 28, 10
    n = len(monthly)
    col_w = (width - left - 10) / n
    totals = [sum(m[k] for k in kinds) for m in monthly]
    vmax = max(totals) or 1
    scale = (height - bottom - top) / vmax
    parts = [f'<svg class="chart" role="img" aria-label="Insights over time" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">']
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#999"/>')
    parts.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="10">{vmax}</text>')
    step = max(1, -(-n // 8))  # at most ~8 labels so they never overlap
    for i, m in enumerate(monthly):
        x = left + i * col_w
        y = height - bottom
        for k in kinds:
            h = m[k] * scale
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1, col_w - 2):.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE.get(k, DEFAULT)}"><title>{m["month"]} {k}: {m[k]}</title></rect>')
        if i % step == 0:
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="10">{m["month"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap(data: dict[str, Any], width: int = 760) -> str:
    """Themes (rows) by period (columns); darker = more mentions, coloured by insight kind."""
    periods, rows = data.get("periods", []), data.get("rows", [])
    if not periods or not rows:
        return ""
    label_w, cell_h, top = 280, 22, 8
    cell_w = (width - label_w - 10) / len(periods)
    height = top + len(rows) * cell_h + 24
    vmax = max((v for r in rows for v in r["values"]), default=0) or 1
    parts = [f'<svg class="chart" role="img" aria-label="Themes over time" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">']
    for i, row in enumerate(rows):
        y = top + i * cell_h
        short = row["label"] if len(row["label"]) <= 36 else row["label"][:35] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="11">{escape(short)}</text>')
        color = PALETTE.get(row["kind"], DEFAULT)
        for j, v in enumerate(row["values"]):
            x = label_w + j * cell_w
            # Square root so one busy month does not wash out every other cell.
            opacity = 0.06 if v == 0 else 0.2 + 0.8 * (v / vmax) ** 0.5
            parts.append(f'<rect x="{x + 1:.1f}" y="{y + 1}" width="{max(1, cell_w - 2):.1f}" height="{cell_h - 2}" '
                         f'fill="{color}" fill-opacity="{opacity:.2f}"><title>{escape(row["label"])}, '
                         f'{escape(periods[j])}: {v}</title></rect>')
    step = max(1, -(-len(periods) // 8))
    for j, p in enumerate(periods):
        if j % step == 0:
            parts.append(f'<text x="{label_w + (j + 0.5) * cell_w:.1f}" y="{height - 6}" text-anchor="middle" '
                         f'font-size="10">{escape(p)}</text>')
    parts.append("</svg>")
    return "".join(parts)
