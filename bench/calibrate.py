"""Calibration data for the two thresholds the pipeline uses (prints tables, writes JSON).

1. Declining: relevance (best cosine + 0.5 x best IDF coverage) and coverage of every
   question of a question set, answerable vs not: the margin around Tuning.min_relevance
   and Tuning.min_coverage.
2. Verification: the lexical support score of real sentences against their own paragraph
   vs a random other paragraph of the same document: the margin around
   c.tuning.support_threshold.

    .venv/bin/python bench/calibrate.py [--questions eval/dev.jsonl]
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def decline_table(container, rows) -> dict:
    from assistant.answer.decide import relevance
    from assistant.answer.retrieve import passages_for
    from assistant.answer.understand import condense

    retriever = container.retriever()
    out = {"answerable": [], "unanswerable": []}
    for r in rows:
        s = condense(r["question"], r.get("history") or [], retriever.parse)
        ret = retriever.retrieve(s.query, refs=s.refs)
        if ret.pinned or not ret.hits:
            continue  # named articles are never declined for support
        rel, _dense, cov = relevance(s.query, passages_for(ret, retriever)[0], retriever.idf, container.tuning)
        out["answerable" if r["answerable"] else "unanswerable"].append(
            {"id": r["id"], "relevance": round(rel, 3), "coverage": round(cov, 3)})
    return out


def support_table(container, samples: int = 300, seed: int = 7) -> dict:
    from assistant.answer.sentences import units
    from assistant.answer.verify import lexical_support

    index = container.index()
    rng = random.Random(seed)
    rows = [i for i, m in enumerate(index.metadatas) if m.get("section") == "article"]
    own, other = [], []
    for _ in range(samples):
        a, b = rng.sample(rows, 2)
        sentence = rng.choice(units(index.texts[a]))
        own.append(lexical_support(sentence, index.texts[a]))
        other.append(lexical_support(sentence, index.texts[b]))
    return {"own_paragraph": sorted(own), "other_paragraph": sorted(other)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev.jsonl"))
    args = ap.parse_args()
    from assistant.config import Settings
    from assistant.wiring import Container

    settings = Settings()
    c = Container(settings)
    rows = [json.loads(line) for line in open(args.questions) if line.strip()]
    dec = decline_table(c, rows)
    sup = support_table(c)
    low_ok = min((x["relevance"] for x in dec["answerable"]), default=None)
    high_no = max((x["relevance"] for x in dec["unanswerable"]), default=None)
    share_other = sum(s >= c.tuning.support_threshold for s in sup["other_paragraph"]) / len(sup["other_paragraph"])
    share_own = sum(s >= c.tuning.support_threshold for s in sup["own_paragraph"]) / len(sup["own_paragraph"])
    summary = {
        "min_relevance": c.tuning.min_relevance, "lowest_answerable_relevance": low_ok,
        "highest_unanswerable_relevance": high_no,
        "lexical_threshold": c.tuning.support_threshold,
        "own_paragraph_passing": round(share_own, 3), "other_paragraph_passing": round(share_other, 3),
    }
    print("| measure | value |\n|---|---|")
    for k, v in summary.items():
        print(f"| {k} | {v} |")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibrate.json").write_text(json.dumps({"summary": summary, "declines": dec}, indent=1))


if __name__ == "__main__":
    main()
