"""Cross-validated choice of the extractive composer's knobs (`Tuning`: unit_sim_weight,
rank_weight, keep_ratio, about_weight, lead_bonus, max_units): how it weighs a sentence's
meaning, its passage's rank and words when it picks what to quote, and how much it quotes.

Retrieval and the decision do not depend on these knobs, so every answerable question goes
through the pipeline once (its passages and the composer's inputs recorded; the passages are
those of the shipped ranking, so retrieval is in sample here: bench/cv_answers.py measures the
whole path held out), then the composer runs again for each setting. Per question and setting:
must_include recall, expected source cited and citation precision of the composed quotes. A
setting is chosen by coordinate search (each knob over its grid in turn, the others held, until
no change helps; ties go to the shipped value) maximising must_include recall + citation
precision; 5-fold CV (`treaty tune`'s folds): the search on four folds, scored on the fifth. The
pooled held-out figures per category are printed beside the shipped setting's.

    python bench/composer_fit.py eval/train.jsonl eval/dev.jsonl [--knobs unit_sim_weight,...] [--out ...]
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

METRICS = ("must_include_recall", "citation_hit", "citation_precision", "words")
GRIDS = {  # the values each knob may take (the shipped value is added if missing)
    "unit_sim_weight": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0),
    "rank_weight": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5),
    "keep_ratio": (0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    "about_weight": (0.0, 0.1, 0.25, 0.5, 1.0),
    "lead_bonus": (0.0, 0.1, 0.2, 0.4),
    "max_units": (2, 3),  # the "two or three supporting quotes"
}


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
    out = {"citation_hit": float(any(good)), "citation_precision": sum(good) / len(good) if good else 0.0,
           "words": float(len(text.split()))}
    if q.must_include:
        out["must_include_recall"] = sum(must_include_found(text, list(q.must_include))) / len(q.must_include)
    return out


def search(settings_score, knobs: dict, start: dict) -> dict:
    """Coordinate search from `start`: each knob over its grid, the others held, until no change
    raises the objective (`settings_score(setting) -> float`); ties keep the current value."""
    best, best_s = dict(start), settings_score(start)
    changed = True
    while changed:
        changed = False
        for name, grid in knobs.items():
            for v in grid:
                trial = {**best, name: v}
                s = settings_score(trial)
                if s > best_s + 1e-9:
                    best, best_s, changed = trial, s, True
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--knobs", default=",".join(GRIDS), help="the knobs to fit (the rest stay as shipped)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "composer_fit.json"))
    args = ap.parse_args()

    from assistant.answer.chain import AnswerPipeline
    from assistant.answer.generate.extractive import compose, unit_similarity
    from assistant.cli_support import make_container
    from assistant.evaluation.dataset import load_questions
    from assistant.tune.command import folds_of

    container = make_container()
    retriever = container.retriever()
    shipped = {k: getattr(container.tuning, k) for k in args.knobs.split(",")}
    knobs = {k: tuple(sorted(set(GRIDS[k]) | {shipped[k]})) for k in shipped}
    questions = [q for f in args.files for q in load_questions(f).questions if q.answerable and q.expected_sources]
    recorded: list = []  # per question: the composer's inputs, or None (declined)
    titles = {**retriever.titles, **retriever.short_titles}
    for i, q in enumerate(questions, 1):
        rec = Recorder(container.tuning)
        answer = AnswerPipeline(container, rec, container.tuning).ask(q.question, list(q.history))
        if rec.seen is None or answer.refused:
            recorded.append(None)
            continue
        question, passages, ctx = rec.seen
        src = {p.n: next((r["source"] for r in answer.retrieved if r["label"] == p.label
                          and p.doc_title in (retriever.titles.get(r["doc_id"]), titles.get(r["doc_id"]))), "")
               for p in passages}
        sims = unit_similarity(passages, ctx.get("query_vec"), ctx.get("unit_vectors"))
        avoid = frozenset(a.rstrip(".;: ") for a in ctx.get("avoid", ()))
        recorded.append((question, passages, ctx["idf"], ctx.get("carried", ""), avoid, sims, src))
        if i % 25 == 0:
            print(f"{i}/{len(questions)} questions", file=sys.stderr, flush=True)

    cache: dict[tuple, list[dict]] = {}

    def run(setting: dict) -> list[dict]:
        """Per question, the composed answer's scores under `setting`."""
        key = tuple(sorted(setting.items()))
        if key not in cache:
            t = replace(container.tuning, **setting)
            rows = []
            for q, r in zip(questions, recorded, strict=True):
                if r is None:
                    rows.append({"citation_hit": 0.0, "citation_precision": 0.0, "words": 0.0,
                                 **({"must_include_recall": 0.0} if q.must_include else {})})
                    continue
                question, passages, idf, carried, avoid, sims, src = r
                parts = compose(question, passages, idf, t, carried, avoid, sims if t.unit_sim_weight else {})
                rows.append(scores(parts, src, q))
            cache[key] = rows
        return cache[key]

    def mean(idx, setting, m):
        rows = run(setting)
        vals = [rows[i][m] for i in idx if m in rows[i]]
        return sum(vals) / len(vals) if vals else 0.0

    def objective(idx):
        return lambda setting: mean(idx, setting, "must_include_recall") + mean(idx, setting, "citation_precision")

    # treaty tune's folds: stratified by category, a question and its translations in one fold
    fold = folds_of([SimpleNamespace(qid=q.id, group=q.source_id, category=q.category) for q in questions],
                    args.folds, args.seed)
    chosen, held = [], {}
    for f in range(args.folds):
        train = [i for i in range(len(questions)) if fold[i] != f]
        best = search(objective(train), knobs, shipped)
        chosen.append(best)
        for i in range(len(questions)):
            if fold[i] == f:
                held[i] = best
        print(f"fold {f + 1}/{args.folds}: {best}", file=sys.stderr, flush=True)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        by_cat[q.category].append(i)
    groups = {"all answerable": list(range(len(questions))), **{c: ix for c, ix in sorted(by_cat.items())}}
    table = {}
    for name, idx in groups.items():
        table[name] = {"n": len(idx)}
        for m in METRICS:
            base = [run(shipped)[i][m] for i in idx if m in run(shipped)[i]]
            cv = [run(held[i])[i][m] for i in idx if m in run(held[i])[i]]
            table[name][m] = {"shipped": round(sum(base) / len(base), 3) if base else None,
                              "cv": round(sum(cv) / len(cv), 3) if cv else None}
    full = search(objective(range(len(questions))), knobs, shipped)
    in_sample = {m: round(mean(range(len(questions)), full, m), 3) for m in METRICS}
    result = {"files": args.files, "knobs": {k: list(v) for k, v in knobs.items()}, "shipped": shipped,
              "fold_choices": chosen, "chosen_on_all": full, "in_sample_chosen": in_sample, "cv": table}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"shipped {shipped}\nchosen per fold {chosen}\non all questions {full}")
    print("| category | n | " + " | ".join(f"{m} shipped -> CV" for m in METRICS) + " |")
    for name, row in table.items():
        print(f"| {name} | {row['n']} | " + " | ".join(f"{row[m]['shipped']} -> {row[m]['cv']}" for m in METRICS) + " |")


if __name__ == "__main__":
    main()
