"""Evaluation of the answer pipeline on question sets: `treaty eval`.

dataset (load + validate JSON Lines) → runner (ask every question, results.jsonl) →
metrics (pure, per question and per run) → report (report.html), compare, gate, judge.
Importing this package is cheap; the pipeline and the LLM client load inside the run.
"""
from .compare import Comparison, compare_runs, format_comparison, paired_bootstrap
from .compare_report import render_comparison, write_comparison
from .dataset import Dataset, EvalError, EvalQuestion, LineProblem, load_questions
from .gate import Threshold, check_gates, parse_threshold
from .metrics import (
    METRICS,
    Metric,
    failures,
    matches,
    metrics_for,
    must_include_found,
    percentile,
    score_question,
    spec,
    summarize,
    summarize_by_category,
    summarize_by_language,
)
from .report import render_report
from .runner import answer_record, cited_sentences, load_run, read_results, run_questions, score_record, write_outputs

__all__ = [
    "METRICS", "Comparison", "Dataset", "EvalError", "EvalQuestion", "LineProblem", "Metric", "Threshold",
    "answer_record", "check_gates", "cited_sentences", "compare_runs", "failures", "format_comparison",
    "load_questions", "load_run", "matches", "metrics_for", "must_include_found", "paired_bootstrap",
    "parse_threshold", "percentile", "read_results", "render_comparison", "render_report", "run_questions",
    "score_question", "score_record", "spec", "summarize", "summarize_by_category", "summarize_by_language",
    "write_comparison",
    "write_outputs",
]
