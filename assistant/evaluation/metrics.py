"""Evaluation metrics: pure functions over one result record (a plain dict) and a run of them.

A record holds the question's expectations (answerable, expected_sources, must_include,
category) and what the pipeline produced (answer, citations, refused, retrieved, latency_ms,
cited_sentences with verifier verdicts, optional judge score). A metric that does not
apply to a question is None there, and the run's n counts only the questions it applies to.
The retrieval hit metric is named after the run's k (`hit@5` by default, `hit@3` with --k 3).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from ..i18n import LANGS
from ..models import source_id


@dataclass(frozen=True)
class Metric:
    name: str
    description: str
    higher_is_better: bool = True
    unit: str = "rate"  # "rate" (0..1) or "ms"


METRICS: tuple[Metric, ...] = (
    Metric("hit@1", "the top retrieved passage is an expected source"),
    Metric("hit@5", "an expected source is among the top 5 retrieved passages"),
    Metric("mrr", "mean reciprocal rank of the first retrieved expected source"),
    Metric("citation_hit", "the answer cites an expected source"),
    Metric("citation_precision", "share of citations pointing at an expected source"),
    Metric("citation_support", "share of cited sentences supported by their cited passages (verifier)"),
    Metric("must_include_recall", "share of must_include entries found in the answer"),
    Metric("correct_decline", "unanswerable questions that were declined"),
    Metric("false_decline", "answerable questions that were declined", higher_is_better=False),
    Metric("judge_correctness", "LLM-graded agreement with reference_answer (--judge)"),
    Metric("pass_rate", "questions that pass (see `failures`)"),
    Metric("latency_p50_ms", "median time per question", higher_is_better=False, unit="ms"),
    Metric("latency_p95_ms", "95th percentile time per question", higher_is_better=False, unit="ms"),
)
BY_NAME = {m.name: m for m in METRICS}  # with the default k = 5
_PER_QUESTION = ("hit@1", "hit@5", "mrr", "citation_hit", "citation_precision", "citation_support",
                 "must_include_recall", "correct_decline", "false_decline", "judge_correctness")
_HIT = re.compile(r"hit@([1-9]\d*)")
UNCATEGORIZED = "(no category)"


def hit_name(k: int) -> str:
    return f"hit@{k}"


def spec(name: str) -> Metric | None:
    """The Metric called `name`, including hit@K for any K; None for an unknown name."""
    if name in BY_NAME:
        return BY_NAME[name]
    if m := _HIT.fullmatch(name):
        return replace(BY_NAME["hit@5"], name=name,
                       description=f"an expected source is among the top {m.group(1)} retrieved passages")
    return None


def metrics_for(k: int = 5) -> tuple[Metric, ...]:
    """METRICS with hit@5 named (and measured) after the run's k."""
    return tuple(spec(hit_name(k)) if m.name == "hit@5" else m for m in METRICS)


def _per_question(k: int) -> tuple[str, ...]:
    return tuple(hit_name(k) if n == "hit@5" else n for n in _PER_QUESTION)


def format_value(value: float | None, unit: str = "rate", signed: bool = False) -> str:
    """How a metric value is shown: "0.850", "358 ms", "+0.025", "n/a"."""
    if value is None:
        return "n/a"
    sign = "+" if signed else ""
    return f"{value:{sign}.0f} ms" if unit == "ms" else f"{value:{sign}.3f}"


def source_of(item: dict) -> str:
    """Eval-style source of a retrieved chunk (its "source") or a citation (from doc_id, article, section)."""
    return item.get("source") or source_id(item.get("doc_id", ""), item.get("article"), item.get("section", ""))


def matches(expected: str, item: dict) -> bool:
    """Does a citation / retrieved chunk fall under one expected source (whole doc, article or section)?"""
    exp_doc, _, exp_part = expected.partition("#")
    doc, _, part = source_of(item).partition("#")
    return doc == exp_doc and (not exp_part or part == exp_part)


def matches_any(expected: list[str], item: dict) -> bool:
    return any(matches(e, item) for e in expected)


def must_include_found(answer: str, entries: list[str]) -> list[bool]:
    """Per entry: does the answer contain it (case-insensitive; "a|b" means a or b)?"""
    text = answer.casefold()
    return [any(alt.strip().casefold() in text for alt in entry.split("|") if alt.strip()) for entry in entries]


def score_question(record: dict, k: int = 5) -> dict[str, float | None]:
    """Every per-question metric (None where it does not apply), plus latency_ms; hit@k for the run's k."""
    expected = list(record.get("expected_sources") or [])
    answerable = bool(record.get("answerable"))
    refused = bool(record.get("refused"))
    citations = record.get("citations") or []
    scores: dict[str, float | None] = dict.fromkeys(_per_question(k))
    if answerable and expected:
        ranks = [int(r.get("rank") or i) for i, r in enumerate(record.get("retrieved") or [], start=1)
                 if matches_any(expected, r)]
        first = min(ranks, default=0)
        scores["hit@1"] = float(first == 1)
        scores[hit_name(k)] = float(0 < first <= k)
        scores["mrr"] = 1.0 / first if first else 0.0
        good = [matches_any(expected, c) for c in citations]
        scores["citation_hit"] = float(any(good))
        scores["citation_precision"] = sum(good) / len(good) if good else None
    sentences = record.get("cited_sentences") or []
    if answerable and sentences:
        scores["citation_support"] = sum(bool(s.get("supported")) for s in sentences) / len(sentences)
    entries = list(record.get("must_include") or [])
    if answerable and entries:
        scores["must_include_recall"] = sum(must_include_found(record.get("answer") or "", entries)) / len(entries)
    scores["correct_decline" if not answerable else "false_decline"] = float(refused)
    judged = (record.get("judge") or {}).get("score")
    scores["judge_correctness"] = float(judged) if judged is not None else None
    scores["latency_ms"] = float(record.get("latency_ms") or 0.0)
    return scores


def failures(record: dict) -> list[str]:
    """Why a question fails (empty = pass). Answerable: cites an expected source, contains
    every must_include entry, not declined. Unanswerable: declined."""
    if record.get("error"):
        return [f"error: {record['error']}"]
    if not record.get("answerable"):
        return [] if record.get("refused") else ["answered an unanswerable question"]
    reasons = ["declined"] if record.get("refused") else []
    if record.get("expected_sources") and not score_question(record)["citation_hit"]:
        reasons.append("no citation of an expected source")
    entries = list(record.get("must_include") or [])
    found = must_include_found(record.get("answer") or "", entries)
    reasons += [f"missing {entry!r}" for entry, ok in zip(entries, found, strict=True) if not ok]
    return reasons


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), p in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(records: list[dict], k: int = 5) -> dict[str, dict]:
    """Run-level metrics: {name: {"value": float | None, "n": int}} in METRICS order (hit@k for k)."""
    per_q = [score_question(r, k) for r in records]
    out: dict[str, dict] = {}
    for name in _per_question(k):
        values = [s[name] for s in per_q if s[name] is not None]
        out[name] = {"value": _mean(values), "n": len(values)}
    out["pass_rate"] = {"value": _mean([float(not failures(r)) for r in records]), "n": len(records)}
    latencies = [s["latency_ms"] for r, s in zip(records, per_q, strict=True) if not r.get("error")]
    out["latency_p50_ms"] = {"value": percentile(latencies, 50), "n": len(latencies)}
    out["latency_p95_ms"] = {"value": percentile(latencies, 95), "n": len(latencies)}
    for m in metrics_for(k):
        value = out[m.name]["value"]
        out[m.name]["value"] = None if value is None else round(value, 1 if m.unit == "ms" else 4)
    return {m.name: out[m.name] for m in metrics_for(k)}


def _summarize_groups(groups: dict[str, list[dict]], k: int) -> dict[str, dict]:
    return {name: {"questions": len(group), "passed": sum(not failures(r) for r in group),
                   "metrics": summarize(group, k)} for name, group in groups.items()}


def summarize_by_category(records: list[dict], k: int = 5) -> dict[str, dict]:
    """{category: {"questions", "passed", "metrics"}} when any record has a category, else {}."""
    if not any(r.get("category") for r in records):
        return {}
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r.get("category") or UNCATEGORIZED, []).append(r)
    return _summarize_groups(dict(sorted(groups.items())), k)


def summarize_by_language(records: list[dict], k: int = 5) -> dict[str, dict]:
    """{lang: {"questions", "passed", "metrics"}} in the order en fr es ru ar zh, when the records
    are in two languages or more (their `lang`, from the question file or detected), else {}."""
    groups: dict[str, list[dict]] = {lang: [] for lang in LANGS}
    for r in records:
        groups.setdefault(r.get("lang") or "en", []).append(r)
    groups = {lang: group for lang, group in groups.items() if group}
    return _summarize_groups(groups, k) if len(groups) > 1 else {}
