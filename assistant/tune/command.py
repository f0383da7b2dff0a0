"""`treaty tune FILE...`: fit the query adapter, ranking and answerability weights, cross-validate,
write the tuning file (and the adapter beside it).

Folds are stratified by category and fixed by --seed, so a run is reproducible; a question and
its translations (`source_id` in the question file) share one fold, so no translation of a test
question is fitted on. The printed table has, per category, 5-fold cross-validated figures (fit
on four fifths, scored on the fifth) beside in-sample ones, the categories over the English
questions and, when other languages are present, one row per language over the translated
questions; the file holds the weights fitted on all questions. English weights (adapter,
ranking, declines) are fitted on the English questions alone, the others' deltas on theirs.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..answer.adapter import sha256
from ..answer.rank import BASE, FOREIGN
from .adapter_fit import fit_adapter, out_of_fold, with_adapter
from .decline_fit import decline_matrix, fit_decline, probabilities, rule_decided
from .examples import build_examples
from .rank_fit import fit_rank, ranked_positive

VERSION = 1


def folds_of(examples, k: int, seed: int) -> list[int]:
    """Fold number per example, stratified by category; the examples of one group (a question
    and its translations) take the fold of the group's first example."""
    rng = np.random.default_rng(seed)
    first: dict[str, int] = {}
    for i, ex in enumerate(examples):
        first.setdefault(ex.group or ex.qid, i)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i in first.values():
        by_cat[examples[i].category].append(i)
    fold = [0] * len(examples)
    offset = 0
    for cat in sorted(by_cat):
        idx = by_cat[cat]
        for j, i in enumerate(rng.permutation(idx)):
            fold[int(i)] = (j + offset) % k
        offset += len(idx)
    return [fold[first[ex.group or ex.qid]] for ex in examples]


def distinct(questions) -> list:
    """The questions without repeats (the same question, history and answer key given twice,
    e.g. an original in the training file and again beside its translations): first kept."""
    seen, out = set(), []
    for q in questions:
        key = json.dumps([q.question, list(q.history), q.answerable, sorted(q.expected_sources)], sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


def fit_all(examples, retriever, target_fd: float, tuning, embedder: str, seed: int = 0):
    """(values, adapter) fitted on `examples`. The ranker and the decline model see out-of-fold
    adapter features (inner folds); the adapter returned is fitted on all of `examples`."""
    inner = folds_of(examples, max(2, int(tuning.adapter_inner_folds)), seed + 1)
    stacked = out_of_fold(examples, embedder, tuning, inner)
    rank_w = fit_rank([ex for ex in stacked if not ex.foreign], free=BASE)
    others = [ex for ex in stacked if ex.foreign and ex.positive.any() and not ex.pinned]
    if others:  # the other languages: their deltas on top of the English weights
        rank_w = fit_rank(others, free=FOREIGN, fixed=rank_w)
    free = [ex for ex in stacked if not rule_decided(ex)]
    X, y = decline_matrix(free, rank_w, retriever)
    dec_w, threshold = fit_decline(X, y, target_fd, foreign=np.array([ex.foreign for ex in free], dtype=bool))
    adapter = fit_adapter([ex for ex in examples if not ex.foreign], embedder, tuning, seed)
    return {"rank_weights": rank_w, "decline_weights": dec_w, "decline_threshold": threshold}, adapter


def decisions(examples, values: dict, retriever) -> list[bool]:
    """Declined or not, per example, as the chat decides (rules first, then the model)."""
    free = [ex for ex in examples if not rule_decided(ex)]
    declined = {}
    if free:
        X, _ = decline_matrix(free, values["rank_weights"], retriever)
        for ex, p in zip(free, probabilities(X, values["decline_weights"]), strict=True):
            declined[ex.qid] = bool(p >= values["decline_threshold"])
    return [declined.get(ex.qid, bool(ex.rule_decline or (not ex.pinned and rule_decided(ex)))) for ex in examples]


def table(examples, ranked: list[list[bool]], declined: list[bool]) -> dict[str, dict]:
    """Figures per category (English questions), and per language (translated questions, "lang xx")."""
    groups: dict[str, list[int]] = defaultdict(list)
    translated = {ex.group for ex in examples if ex.lang != "en"}
    for i, ex in enumerate(examples):
        if ex.lang == "en":
            groups[ex.category].append(i)
            groups["all answerable" if ex.answerable else "all unanswerable"].append(i)
        if ex.group in translated:
            groups[f"lang {ex.lang}"].append(i)
    out = {}
    for cat, idx in sorted(groups.items()):
        ans = [i for i in idx if examples[i].answerable]
        row = {"n": len(idx)}
        if ans:
            row["hit@1"] = sum(any(ranked[i][:1]) for i in ans) / len(ans)
            row["hit@5"] = sum(any(ranked[i][:5]) for i in ans) / len(ans)
            row["false_decline"] = sum(declined[i] for i in ans) / len(ans)
        un = [i for i in idx if not examples[i].answerable]
        if un:
            row["correct_decline"] = sum(declined[i] for i in un) / len(un)
        out[cat] = {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}
    return out


def tune(questions, container, folds: int = 5, seed: int = 0, target_fd: float = 0.03, progress=None) -> dict:
    retriever = container.retriever()
    tuning, embedder = container.tuning, container.embedder.name
    examples = build_examples(distinct(questions), container)
    fold = folds_of(examples, folds, seed)
    cv_ranked: list = [None] * len(examples)
    cv_declined: list = [None] * len(examples)
    for f in range(folds):
        train = [ex for ex, g in zip(examples, fold, strict=True) if g != f]
        test_idx = [i for i, g in enumerate(fold) if g == f]
        values, adapter = fit_all(train, retriever, target_fd, tuning, embedder, seed)
        test = [with_adapter(examples[i], adapter) for i in test_idx]
        for i, ex, d in zip(test_idx, test, decisions(test, values, retriever), strict=True):
            cv_ranked[i] = ranked_positive(ex, values["rank_weights"])
            cv_declined[i] = d
        if progress:
            progress(f + 1, folds)
    values, adapter = fit_all(examples, retriever, target_fd, tuning, embedder, seed)
    adapted = [with_adapter(ex, adapter) for ex in examples]
    in_ranked = [ranked_positive(ex, values["rank_weights"]) for ex in adapted]
    in_declined = decisions(adapted, values, retriever)
    return {"values": values, "cv": table(examples, cv_ranked, cv_declined),
            "in_sample": table(examples, in_ranked, in_declined), "folds": folds, "seed": seed,
            "questions": len(examples), "corpus_version": retriever.index.version, "adapter": adapter}


def adapter_path(out: Path) -> Path:
    """Where the adapter of the tuning file `out` is saved: beside it (tuning.json -> tuning.adapter.npz)."""
    return out.with_name(f"{out.stem}.adapter.npz")


def write(result: dict, files: list[str], out: Path) -> None:
    """The tuning file, and its adapter beside it (written first, so the file never names a missing one)."""
    result = dict(result)
    adapter = result.pop("adapter", None)
    values = dict(result["values"], adapter_file="", adapter_sha256="")
    out.parent.mkdir(parents=True, exist_ok=True)
    if adapter is not None:
        blob = adapter.to_bytes()
        target = adapter_path(out)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(blob)
        tmp.replace(target)
        values.update(adapter_file=target.name, adapter_sha256=sha256(blob))
    data = {"version": VERSION, "fitted_on": f"{' '.join(files)} ({dt.date.today().isoformat()})",
            **result, "values": values}
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)


def render(result: dict) -> str:
    cols = ("hit@1", "hit@5", "false_decline", "correct_decline")
    lines = ["| category | n | " + " | ".join(f"{c} CV / in" for c in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for cat, cv in result["cv"].items():
        ins = result["in_sample"][cat]
        cells = [f"{cv[c]:.3f} / {ins[c]:.3f}" if c in cv else "" for c in cols]
        lines.append(f"| {cat} | {cv['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
