"""Cross-validated *answer* figures: what `treaty eval` would report on questions the tuning never saw.

`treaty tune` prints cross-validated retrieval and decline figures; the answers' figures
(expected source cited, must_include recall, citation precision) need the whole pipeline. So:
the same folds as `treaty tune` (same seed), for each fold a tuning file (weights and query
adapter) fitted on the other folds, then `treaty eval` on the held-out fold with it; the
per-question records are pooled into one table per category (English questions) and, when
other languages are present, one row per language (translated questions). Slow (one tune fit and one
eval per fold: ~10 min here), so it is a bench script, not a test.

    python bench/cv_answers.py eval/train.jsonl eval/dev.jsonl [--folds 5] [--out bench/results/cv_answers.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METRICS = ("hit@5", "citation_hit", "must_include_recall", "citation_precision", "false_decline", "correct_decline")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "cv_answers.json"))
    args = ap.parse_args()

    from assistant.cli_support import make_container
    from assistant.evaluation.dataset import load_questions
    from assistant.tune.command import distinct, fit_all, folds_of, write
    from assistant.tune.examples import build_examples

    raw = {}
    for f in args.files:
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw[json.loads(line)["id"]] = line
    questions = distinct([q for f in args.files for q in load_questions(f).questions])
    container = make_container()
    retriever = container.retriever()
    examples = build_examples(questions, container)
    fold = folds_of(examples, args.folds, args.seed)
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in range(args.folds):
            train = [ex for ex, g in zip(examples, fold, strict=True) if g != f]
            values, adapter = fit_all(train, retriever, 0.03, container.tuning, container.embedder.name, args.seed)
            tuning = Path(tmp) / f"fold{f}" / "tuning.json"
            write({"values": values, "adapter": adapter}, args.files, tuning)
            held = Path(tmp) / f"fold{f}.jsonl"
            held.write_text("\n".join(raw[ex.qid] for ex, g in zip(examples, fold, strict=True) if g == f) + "\n",
                            encoding="utf-8")
            out = Path(tmp) / f"run{f}"
            env = {**os.environ, "TREATY_TUNING_FILE": str(tuning)}
            subprocess.run([sys.executable, "-m", "assistant", "eval", str(held), "--out", str(out), "--json"],
                           env=env, cwd=ROOT, check=True, capture_output=True, text=True)
            records += [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()]
            print(f"fold {f + 1}/{args.folds} evaluated", file=sys.stderr)
    groups: dict[str, list[dict]] = defaultdict(list)
    group_of = {ex.qid: ex.group for ex in examples}
    translated = {ex.group for ex in examples if ex.lang != "en"}
    for r in records:
        if r["lang"] == "en":
            groups[r["category"]].append(r)
            groups["all answerable" if r["answerable"] else "all unanswerable"].append(r)
        if group_of[r["id"]] in translated:
            groups[f"lang {r['lang']}"].append(r)
    table = {}
    for cat, rs in sorted(groups.items()):
        row = {"n": len(rs)}
        for m in METRICS:
            vals = [r["metrics"][m] for r in rs if r["metrics"].get(m) is not None]
            if vals:
                row[m] = round(sum(vals) / len(vals), 3)
        table[cat] = row
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"files": args.files, "folds": args.folds, "seed": args.seed,
                                          "by_category": table}, indent=1) + "\n", encoding="utf-8")
    print("| category | n | " + " | ".join(METRICS) + " |")
    print("|---|---|" + "---|" * len(METRICS))
    for cat, row in table.items():
        print(f"| {cat} | {row['n']} | " + " | ".join(f"{row[m]:.3f}" if m in row else "" for m in METRICS) + " |")


if __name__ == "__main__":
    main()
