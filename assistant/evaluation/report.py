"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with
the metric table, plots and a per-question drill-down, failures first.

Renders finished records and a summary; computes nothing that metrics.py does not.
"""
from __future__ import annotations

import re
from html import escape

from .metrics import format_value, matches_any, must_include_found, spec
from .plots import bar_chart, histogram

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;
text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555}.plots{display:flex;flex-wrap:wrap;gap:2rem}figure{margin:0}figcaption{font-weight:600}
details.question{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
details.question>summary{cursor:pointer}.badge{display:inline-block;min-width:3.2em;text-align:center;
border-radius:4px;font-size:.8em;font-weight:700;color:#fff;padding:0 .3em}.badge.pass{background:#2e7d32}
.badge.fail{background:#c62828}.why{color:#c62828;font-size:.9em}.ok{color:#2e7d32}.bad{color:#c62828}
blockquote{margin:.2rem 0 .5rem 1rem;padding-left:.6rem;border-left:3px solid #ccc;color:#444}
.answer{white-space:pre-wrap;background:#f7f7f9;padding:.5rem;border-radius:4px}sup{color:#3b6ea8}
"""


def _mark(ok: bool) -> str:
    return '<span class="ok">✓</span>' if ok else '<span class="bad">✗</span>'


def metric_table(metrics: dict[str, dict]) -> str:
    rows = []
    for name, m in metrics.items():
        metric = spec(name)
        unit, about = (metric.unit, metric.description) if metric else ("rate", "")
        better = "" if not metric else (" (higher is better)" if metric.higher_is_better else " (lower is better)")
        rows.append(f'<tr data-metric="{escape(name)}"><td>{escape(name)}</td><td class="num">{format_value(m["value"], unit)}'
                    f'</td><td class="num">{m["n"]}</td><td>{escape(about + better)}</td></tr>')
    return ('<table id="metrics"><thead><tr><th>metric</th><th>value</th><th>n</th><th>meaning</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def category_section(by_category: dict[str, dict]) -> str:
    """Per-category table (pass rate and the main rates, each with its n) and pass-rate bars; "" without categories."""
    return group_section(by_category, "category", "categories")


def language_section(by_language: dict[str, dict]) -> str:
    """The same table and bars per question language; "" when the run has one language."""
    return group_section(by_language, "language", "languages")


def group_section(groups: dict[str, dict], what: str, plural: str) -> str:
    if not groups:
        return ""
    first = next(iter(groups.values()))["metrics"]
    names = ["pass_rate", *[n for n in first if n.startswith("hit@") and n != "hit@1"], "citation_hit",
             "must_include_recall", "correct_decline", "false_decline", "latency_p50_ms"]
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    rows = []
    for name, group in groups.items():
        cells = "".join(f'<td class="num" data-metric="{escape(n)}">{format_value(group["metrics"][n]["value"], spec(n).unit)}'
                        f'<small class="meta"> ({group["metrics"][n]["n"]})</small></td>' for n in names)
        rows.append(f'<tr data-{what}="{escape(name)}"><td>{escape(name)}</td>'
                    f'<td class="num">{group["passed"]} / {group["questions"]}</td>{cells}</tr>')
    bars = bar_chart([(c, g["metrics"]["pass_rate"]["value"]) for c, g in groups.items()], f"Pass rate by {what}")
    return (f'<h2>By {what}</h2><table id="{plural}"><thead><tr><th>{what}</th><th>passed</th>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<figure class="{plural}">{bars}<figcaption>Pass rate by {what} (n in the table)</figcaption></figure>')


def answer_html(text: str) -> str:
    return re.sub(r"\[(\d{1,3})\]", r"<sup>[\1]</sup>", escape(text))


def question_entry(r: dict) -> str:
    """One <details> per question: answer, citations, expectations, retrieval, verifier verdicts, metrics."""
    expected = r.get("expected_sources") or []
    state = "pass" if r["passed"] else "fail"
    why = f' <span class="why">— {escape("; ".join(r["failures"]))}</span>' if r["failures"] else ""
    out = [f'<details class="question {state}" id="q-{escape(r["id"])}" data-qid="{escape(r["id"])}" '
           f'data-passed="{str(r["passed"]).lower()}"><summary><span class="badge {state}">{state.upper()}</span> '
           f'<code>{escape(r["id"])}</code> {escape(r["question"])}{why}</summary>']
    if r.get("history"):
        turns = "".join(f"<li><b>{escape(t['role'])}</b>: {escape(t['content'])}</li>" for t in r["history"])
        out.append(f"<h4>History</h4><ol class=\"history\">{turns}</ol>")
    refused = " (declined)" if r.get("refused") else ""
    answerable = "answerable" if r.get("answerable") else "unanswerable"
    out.append(f'<h4>Answer{refused} <small class="meta">— {answerable}</small></h4>'
               f'<div class="answer">{answer_html(r.get("answer") or "")}</div>')
    if r.get("error"):
        out.append(f'<p class="bad">Error: {escape(r["error"])}</p>')
    cites = "".join(
        f'<li class="citation">[{c.get("n")}] {escape(c.get("label", ""))} — {escape(c.get("doc_title", ""))} '
        f'<code>{escape(c.get("doc_id", ""))}</code>{" " + _mark(matches_any(expected, c)) if expected else ""}'
        f'<blockquote>{escape(c.get("quote", ""))}</blockquote></li>'
        for c in r.get("citations") or [])
    out.append(f'<h4>Citations</h4><ol class="citations">{cites}</ol>' if cites else "<h4>Citations</h4><p>none</p>")
    if expected or r.get("must_include"):
        found = must_include_found(r.get("answer") or "", r.get("must_include") or [])
        inc = ", ".join(f"{escape(e)} {_mark(ok)}" for e, ok in zip(r.get("must_include") or [], found, strict=True))
        out.append(f"<h4>Expected</h4><p>sources: {escape(', '.join(expected)) or '—'}<br>must include: {inc or '—'}</p>")
    retrieved = "".join(
        f'<li>{escape(str(h.get("label", "")))} <code>{escape(str(h.get("chunk_id", "")))}</code>'
        f'{" " + _mark(matches_any(expected, h)) if expected else ""}</li>'
        for h in sorted(r.get("retrieved") or [], key=lambda h: h.get("rank", 0)))
    if retrieved:
        out.append(f'<h4>Retrieved</h4><ol class="retrieved">{retrieved}</ol>')
    if r.get("cited_sentences"):
        rows = "".join(f'<li>{_mark(s["supported"])} {escape(s["sentence"])} <small class="meta">cites '
                       f'{s["markers"]}, support {s["score"]:.2f}</small></li>' for s in r["cited_sentences"])
        out.append(f"<h4>Cited sentences (verifier)</h4><ul>{rows}</ul>")
    scores = " · ".join(f"{escape(k)} {format_value(v, 'ms' if k.endswith('_ms') else 'rate')}"
                        for k, v in r.get("metrics", {}).items() if v is not None)
    out.append(f'<p class="meta">{scores}</p></details>')
    return "".join(out)


def render_report(summary: dict, records: list[dict]) -> str:
    """The whole page as one string."""
    metrics = summary["metrics"]
    bars = bar_chart([(n, m["value"]) for n, m in metrics.items() if spec(n).unit == "rate" and m["n"]],
                     "Metrics (0 to 1)")
    latencies = [r["latency_ms"] for r in records if not r.get("error")]
    ordered = sorted(records, key=lambda r: r["passed"])  # failures first, file order otherwise
    settings = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>"
                       for k, v in (summary.get("settings") or {}).items())
    skipped = summary.get("skipped_lines") or []
    skipped_html = ("<h2>Skipped lines</h2><ul>" + "".join(f"<li>{escape(str(s))}</li>" for s in skipped) + "</ul>"
                    if skipped else "")
    title = f"Treaty Assistant eval — {summary.get('dataset', '')}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(str(summary.get("date", "")))} · generator {escape(str(summary.get("generator")))} · '
        f'corpus version {escape(str(summary.get("corpus_version")))} · k {escape(str(summary.get("k")))} · '
        f'passed {summary.get("passed")} of {summary.get("questions")}'
        f'{" · errors " + str(summary["errors"]) if summary.get("errors") else ""}</p>'
        f"<h2>Metrics</h2>{metric_table(metrics)}"
        f'<div class="plots"><figure>{bars}<figcaption>Metric values</figcaption></figure>'
        f'<figure>{histogram(latencies, "Latency per question")}<figcaption>Latency per question</figcaption></figure></div>'
        f'{category_section(summary.get("by_category") or {})}'
        f'{language_section(summary.get("by_language") or {})}'
        f'{skipped_html}<h2>Questions (failures first)</h2><section id="questions">'
        f'{"".join(question_entry(r) for r in ordered)}</section>'
        f'<h2>Settings</h2><table id="settings">{settings}</table></body></html>'
    )
