"""Inline SVG plots for report.html: horizontal bars for 0..1 metrics and a histogram.

Plain SVG strings with no scripts, fonts or external references, so the report works offline.
"""
from __future__ import annotations

import math
from html import escape

_BAR = "#3b6ea8"
_TEXT = 'font-family="system-ui, sans-serif" font-size="12" fill="#222"'


def bar_chart(items: list[tuple[str, float | None]], title: str, width: int = 560) -> str:
    """One labelled horizontal bar per (name, value in 0..1); None is drawn as "n/a"."""
    label_w, row_h, value_w = 150, 22, 50
    bar_w = width - label_w - value_w
    height = row_h * len(items) + 28
    parts = [f'<svg class="plot" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<title>{escape(title)}</title>']
    for i, (name, value) in enumerate(items):
        y = 8 + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" {_TEXT}>{escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 6}" fill="#eef1f5"/>')
        if value is not None:
            w = max(0.0, min(1.0, value)) * bar_w
            parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" fill="{_BAR}"/>')
        shown = "n/a" if value is None else f"{value:.3f}"
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" {_TEXT}>{shown}</text>')
    axis_y = 8 + len(items) * row_h + 12
    for tick in (0, 0.5, 1):
        x = label_w + tick * bar_w
        parts.append(f'<text x="{x:.1f}" y="{axis_y}" text-anchor="middle" {_TEXT}>{tick:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: list[float], title: str, unit: str = "ms", width: int = 560, height: int = 200) -> str:
    """Counts of `values` in equal-width bins (about sqrt(n), 5 to 20), with axis labels."""
    if not values:
        return f'<p class="empty">{escape(title)}: no values.</p>'
    lo, hi = min(values), max(values)
    bins = max(5, min(20, math.ceil(math.sqrt(len(values)))))
    step = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / step))] += 1
    left, bottom, top = 40, 30, 20
    plot_w, plot_h = width - left - 10, height - bottom - top
    col_w, peak = plot_w / bins, max(counts)
    parts = [f'<svg class="plot" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>']
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        x = left + i * col_w
        start = lo + i * step
        parts.append(f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{col_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="{_BAR}"><title>{start:.0f}–{start + step:.0f} {unit}: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{top + plot_h - h - 2:.1f}" text-anchor="middle" '
                         f'{_TEXT}>{count}</text>')
    parts.append(f'<text x="{left}" y="{height - 8}" {_TEXT}>{lo:.0f} {unit}</text>')
    parts.append(f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" {_TEXT}>{hi:.0f} {unit}</text>')
    parts.append("</svg>")
    return "".join(parts)
