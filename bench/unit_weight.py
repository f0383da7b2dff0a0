"""Cross-validated choice of `Tuning.unit_sim_weight`: how much a sentence's cosine with the
question counts when the extractive composer picks what to quote.

Retrieval and the decision do not depend on that weight, so every answerable question goes
through the pipeline once (its passages and the composer's inputs recorded), then the composer
runs again for each weight of the grid. Per question and weight: must_include recall, expected
source cited and citation precision of the composed quotes. The weight is then chosen by 5-fold
CV (`treaty tune`'s folds): on four folds the weight with the best
must_include recall + citation precision, scored on the fifth; the pooled held-out figures per
category are reported beside the weight-0 (words only) baseline.

    python bench/unit_weight.py eval/train.jsonl eval/dev.jsonl [--grid 0,0.5,1,2,3,4] [--out ...]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METRICS = ("must_include_recall", "citation_hit", "citation_precision")


class Recorder:
    """The extractive generator, recording what the composer is given."""

    name = "extractive"

    def __init__(self, tuning):
        from assistant.answer.generate.extractive import ExtractiveGenerator

        self.inner = ExtractiveGenerator(tuning=tuning)
        self.seen = None

    def stream(self, question, passages, context=None):
        self.seen = (question, list(passages), dict(context or {}))
        return self.inner.stream(question, passages, context)


def scores(parts, passages_src, q) -> dict:
    from assistant.evaluation.metrics import matches_any, must_include_found

    text = " ".join(t for t, _ in parts)
    cited = list(dict.fromkeys(n for _, n in parts))
    good = [matches_any(list(q.expected_sources), {"source": passages_src[n]}) for n in cited]
    out = {"citation_hit": float(any(good)), "citation_precision": sum(good) / len(good) if good else 0.0}
    if q.must_include:
        out["must_include_recall"] = sum(must_include_found(text, list(q.must_include))) / len(q.must_include)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--grid", default="0,0.5,1,1.5,2,3,4")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "unit_weight.json"))
    args = ap.parse_args()
    grid = [float(x) for x in args.grid.split(",")]

    from assistant.answer.chain import AnswerPipeline
    from assistant.answer.generate.extractive import compose, unit_similarity
    from assistant.cli_support import make_container
    from assistant.evaluation.dataset import load_questions
    from assistant.tune.command import folds_of

    container = make_container()
    retriever = container.retriever()
    questions = [q for f in args.files for q in load_questions(f).questions if q.answerable and q.expected_sources]
    per_q: list[dict] = []  # per question: {weight: scores}
    for i, q in enumerate(questions, 1):
        rec = Recorder(container.tuning)
        answer = AnswerPipeline(container, rec, container.tuning).ask(q.question, list(q.history))
        if rec.seen is None or answer.refused:
            per_q.append({w: {"citation_hit": 0.0, "citation_precision": 0.0,
                              **({"must_include_recall": 0.0} if q.must_include else {})} for w in grid})
            continue
        question, passages, ctx = rec.seen
        titles = {**retriever.titles, **retriever.short_titles}
        src = {p.n: next((r["source"] for r in answer.retrieved if r["label"] == p.label
                          and p.doc_title in (retriever.titles.get(r["doc_id"]), titles.get(r["doc_id"]))), "")
               for p in passages}
        sims = unit_similarity(passages, ctx.get("query_vec"), ctx.get("unit_vectors"))
        avoid = frozenset(a.rstrip(".;: ") for a in ctx.get("avoid", ()))
        row = {}
        for w in grid:
            t = replace(container.tuning, unit_sim_weight=w)
            parts = compose(question, passages, ctx["idf"], t, ctx.get("carried", ""), avoid, sims if w else {})
            row[w] = scores(parts, src, q)
        per_q.append(row)
        if i % 25 == 0:
            print(f"{i}/{len(questions)} questions", file=sys.stderr, flush=True)

    # treaty tune's folds: stratified by category, a question and its translations in one fold
    fold = folds_of([SimpleNamespace(qid=q.id, group=q.source_id, category=q.category) for q in questions],
                    args.folds, args.seed)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        by_cat[q.category].append(i)

    def mean(idx, w, m):
        vals = [per_q[i][w][m] for i in idx if m in per_q[i][w]]
        return sum(vals) / len(vals) if vals else 0.0

    def objective(idx, w):
        return mean(idx, w, "must_include_recall") + mean(idx, w, "citation_precision")

    chosen, held = [], {}
    for f in range(args.folds):
        train = [i for i in range(len(questions)) if fold[i] != f]
        best = max(grid, key=lambda w: (objective(train, w), -w))
        chosen.append(best)
        for i in range(len(questions)):
            if fold[i] == f:
                held[i] = best
    groups = {"all answerable": list(range(len(questions))), **{c: ix for c, ix in sorted(by_cat.items())}}
    table = {}
    for name, idx in groups.items():
        table[name] = {"n": len(idx)}
        for m in METRICS:
            base = [per_q[i][0.0][m] for i in idx if m in per_q[i][0.0]]
            cv = [per_q[i][held[i]][m] for i in idx if m in per_q[i][held[i]]]
            table[name][m] = {"words_only": round(sum(base) / len(base), 3) if base else None,
                              "cv": round(sum(cv) / len(cv), 3) if cv else None}
    in_sample = {str(w): {m: round(mean(range(len(questions)), w, m), 3) for m in METRICS} for w in grid}
    full = max(grid, key=lambda w: (objective(range(len(questions)), w), -w))
    result = {"files": args.files, "grid": grid, "fold_choices": chosen, "chosen_on_all": full,
              "in_sample": in_sample, "cv": table}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"weights chosen per fold {chosen}; on all questions {full}")
    print("| category | n | " + " | ".join(f"{m} words only -> CV" for m in METRICS) + " |")
    for name, row in table.items():
        print(f"| {name} | {row['n']} | " + " | ".join(f"{row[m]['words_only']} -> {row[m]['cv']}" for m in METRICS) + " |")


if __name__ == "__main__":
    main()
