"""compare.html (`treaty eval --compare A B --out DIR`): one self-contained page (inline CSS and SVG,
no scripts, no network) to decide between two runs: the settings that differ, each metric
A / B / Δ with its 95 % paired-bootstrap interval drawn, and the questions that moved, both
answers side by side. Renders a Comparison; computes nothing compare.py does not.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from .compare import Comparison, MetricDelta
from .metrics import format_value, spec
from .report import CSS, answer_html

_EXTRA_CSS = """
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.pair>div{min-width:0}.better{color:#2e7d32}
.worse{color:#c62828}.faint{color:#777}svg.ci{vertical-align:middle}code.v{white-space:pre-wrap}
"""


def ci_plot(m: MetricDelta, width: int = 180, height: int = 18) -> str:
    """The interval as a bar on an axis symmetric around 0, the observed Δ as a tick."""
    if m.ci is None or m.diff is None:
        return ""
    reach = max(abs(m.ci[0]), abs(m.ci[1]), abs(m.diff)) or 1.0

    def x(v: float) -> float:
        return width / 2 + v / reach * (width / 2 - 4)

    color = {"better": "#2e7d32", "worse": "#c62828"}.get(m.verdict, "#3b6ea8") if m.clear else "#999"
    return (f'<svg class="ci" role="img" aria-label="95% interval of B - A" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<line x1="{width / 2}" y1="0" x2="{width / 2}" y2="{height}" stroke="#bbb"/>'
            f'<rect x="{x(m.ci[0]):.1f}" y="6" width="{max(1.0, x(m.ci[1]) - x(m.ci[0])):.1f}" height="6" fill="{color}"/>'
            f'<line x1="{x(m.diff):.1f}" y1="2" x2="{x(m.diff):.1f}" y2="{height - 2}" stroke="#222" stroke-width="2"/>'
            "</svg>")


def metric_rows(c: Comparison) -> str:
    rows = []
    for m in c.metrics:
        metric = spec(m.name)
        unit = metric.unit if metric else "rate"
        ci = (f"[{format_value(m.ci[0], unit, signed=True)}, {format_value(m.ci[1], unit, signed=True)}]"
              if m.ci else "n/a")
        verdict = m.verdict + ("" if m.clear or not m.verdict else " (within noise)")
        rows.append(
            f'<tr data-metric="{escape(m.name)}"><td>{escape(m.name)}</td>'
            f'<td class="num">{format_value(m.a, unit)}</td><td class="num">{format_value(m.b, unit)}</td>'
            f'<td class="num">{format_value(m.diff, unit, signed=True)}</td><td class="num">{ci}</td>'
            f"<td>{ci_plot(m)}</td><td class=\"num\">{m.pairs}</td>"
            f'<td class="{escape(m.verdict)}">{escape(verdict)}</td></tr>')
    return ('<table id="metrics"><thead><tr><th>metric</th><th>A</th><th>B</th><th>B − A</th><th>95% CI</th>'
            f'<th></th><th>pairs</th><th>verdict</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def settings_table(c: Comparison) -> str:
    if not c.settings:
        return '<p id="settings-same">The two runs used the same settings.</p>'
    rows = "".join(f'<tr data-setting="{escape(k)}"><td>{escape(k)}</td><td><code class="v">{escape(str(a))}</code></td>'
                   f'<td><code class="v">{escape(str(b))}</code></td></tr>' for k, a, b in c.settings)
    return f'<table id="settings"><thead><tr><th>setting</th><th>A</th><th>B</th></tr></thead><tbody>{rows}</tbody></table>'


def _side(record: dict, label: str) -> str:
    state = "pass" if record["passed"] else "fail"
    why = "; ".join(record.get("failures") or []) or "all checks passed"
    declined = " (declined)" if record.get("refused") else ""
    cites = "".join(f"<li>[{c.get('n')}] {escape(str(c.get('label', '')))} — {escape(str(c.get('doc_title', '')))}</li>"
                    for c in record.get("citations") or [])
    return (f'<div class="side {label.lower()}"><h4>{label}: <span class="badge {state}">{state.upper()}</span>'
            f'{declined}</h4><p class="why">{escape(why)}</p><div class="answer">{answer_html(record.get("answer") or "")}'
            f'</div><ol class="citations">{cites}</ol></div>')


def moved_section(c: Comparison, entries: list[dict], kind: str, title: str) -> str:
    items = []
    for e in entries:
        a, b = c.records[e["id"]]
        items.append(f'<details class="question moved {kind}" data-qid="{escape(e["id"])}" open><summary>'
                     f'<code>{escape(e["id"])}</code> {escape(e["question"])}</summary>'
                     f'<div class="pair">{_side(a, "A")}{_side(b, "B")}</div></details>')
    return f'<h2>{escape(title)} ({len(entries)})</h2><section id="{kind}">{"".join(items) or "<p>none</p>"}</section>'


def render_comparison(c: Comparison) -> str:
    only = ""
    if c.only_a or c.only_b:
        only = (f'<p class="meta">Only in A: {escape(", ".join(c.only_a) or "none")}; only in B: '
                f'{escape(", ".join(c.only_b) or "none")} (left out of the intervals).</p>')
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Treaty Assistant eval comparison</title>'
        f"<style>{CSS}{_EXTRA_CSS}</style></head><body><h1>Eval comparison</h1>"
        f'<p class="meta">A: <code>{escape(c.a)}</code> · B: <code>{escape(c.b)}</code></p>'
        f"<h2>Settings that differ</h2>{settings_table(c)}"
        "<h2>Metrics</h2><p class=\"meta\">95% intervals of B − A from a paired bootstrap over the questions both "
        "runs answered; a verdict is clear when its interval excludes 0.</p>"
        f"{metric_rows(c)}{only}"
        f'{moved_section(c, c.regressed, "regressed", "Pass → fail")}'
        f'{moved_section(c, c.fixed, "fixed", "Fail → pass")}</body></html>'
    )


def write_comparison(out_dir: Path, c: Comparison) -> Path:
    """DIR/compare.html; returns its path."""
    from ..errors import EvalError

    path = Path(out_dir) / "compare.html"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_comparison(c), encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"Cannot write {path}: {exc.strerror}: pass another --out folder.") from None
    return path
