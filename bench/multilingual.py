"""Multilingual retrieval benchmark on eval/multilingual.jsonl over the bundled corpus.

Per language (en, fr, es, ru, ar, zh), answerable questions only: hit@1, hit@5 and MRR of
dense MiniLM, dense USE multilingual v3 (`PackagedUSEM3`), BM25, MiniLM+BM25 fused by
reciprocal rank (today's hybrid, without boosts), USE+BM25 and MiniLM+BM25+USE fused the same way,
and "routed": MiniLM+BM25+USE for a question detected as English, USE alone for the others.
Exact dot products over the chunks' embed_text: what Chroma ranks, without its approximation,
boosts or article pinning. A follow-up is searched with its last user turn, as in
bench/retrieval.py. Costs: corpus embedding seconds and per-query milliseconds of each
model (wall and CPU: wall time moves with other jobs on the cores, CPU time barely does), and
the language detector's accuracy and time. Writes bench/results/multilingual.json.

    .venv/bin/python bench/multilingual.py [--questions eval/multilingual.jsonl] [--k 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import matches_any  # noqa: E402
from assistant.i18n import LANGS, detect  # noqa: E402
from bench.common import ms_summary, print_table, write_result  # noqa: E402
from bench.retrieval import query_of  # noqa: E402
from ingest import load_corpus  # noqa: E402
from vectorstore.lexical import LexicalIndex  # noqa: E402
from vectorstore.search import RRF_K  # noqa: E402

DEPTH = 50  # ranks each list contributes to a fusion, as HybridIndex.search


def rrf(*rankings: list[int]) -> list[int]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for r, row in enumerate(ranking[:DEPTH]):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + r + 1)
    return sorted(fused, key=lambda row: -fused[row])


def ranked(scores: np.ndarray, positive_only: bool = False) -> list[int]:
    order = [int(i) for i in np.argsort(-scores)[:DEPTH]]
    return [i for i in order if scores[i] > 0] if positive_only else order


def embed_timed(embedder, texts: list[str]) -> tuple[np.ndarray, float, float]:
    """(vectors, wall seconds, CPU seconds of this process)."""
    start, cpu = time.perf_counter(), time.process_time()
    vecs = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    return vecs, time.perf_counter() - start, time.process_time() - cpu


def query_vectors(embedder, queries: list[str]) -> tuple[np.ndarray, list[float]]:
    embedder.embed_query("warm up")
    out, ms = [], []
    for q in queries:
        start = time.perf_counter()
        out.append(embedder.embed_query(q))
        ms.append((time.perf_counter() - start) * 1000)
    return np.asarray(out, dtype=np.float32), ms


def scores_for(first: list[int | None], k: int) -> dict:
    n = len(first)
    return {"n": n, "hit@1": round(sum(r == 1 for r in first) / n, 3),
            f"hit@{k}": round(sum(r is not None and r <= k for r in first) / n, 3),
            "mrr": round(sum(1 / r for r in first if r) / n, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "eval" / "multilingual.jsonl"))
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args(argv)
    from vectorstore.embeddings import PackagedMiniLM
    from vectorstore.multilingual import PackagedUSEM3

    rows = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line.strip()]
    qs = [r for r in rows if r["answerable"]]
    chunks = load_corpus([ROOT / "data" / "corpus"]).chunks
    metas = [c.metadata for c in chunks]
    texts = [c.embed_text for c in chunks]
    queries = [query_of(r["question"], r.get("history") or []) for r in qs]

    minilm, use = PackagedMiniLM(), PackagedUSEM3()
    start = time.perf_counter()
    minilm.model  # noqa: B018 - load time apart from embedding time
    minilm_load = time.perf_counter() - start
    start = time.perf_counter()
    use.model  # noqa: B018
    use_load = time.perf_counter() - start
    doc_m, minilm_corpus_s, minilm_corpus_cpu = embed_timed(minilm, texts)
    doc_u, use_corpus_s, use_corpus_cpu = embed_timed(use, texts)
    q_m, minilm_ms = query_vectors(minilm, queries)
    q_u, use_ms = query_vectors(use, queries)
    lexical = LexicalIndex(texts)

    systems = {name: [] for name in ("minilm", "use", "bm25", "minilm+bm25", "use+bm25", "minilm+bm25+use", "routed")}
    for i, q in enumerate(qs):
        dm, du = ranked(doc_m @ q_m[i]), ranked(doc_u @ q_u[i])
        lx = ranked(lexical.scores(queries[i]), positive_only=True)
        for name, ranking in (("minilm", dm), ("use", du), ("bm25", lx), ("minilm+bm25", rrf(dm, lx)),
                              ("use+bm25", rrf(du, lx)), ("minilm+bm25+use", rrf(dm, lx, du))):
            systems[name].append(ranking)
        systems["routed"].append(systems["minilm+bm25+use"][-1] if detect(q["question"]) == "en" else du)

    def first_hit(ranking: list[int], expected: list[str]) -> int | None:
        return next((r for r, row in enumerate(ranking, 1) if matches_any(expected, metas[row])), None)

    per_lang: dict[str, dict] = {}
    for lang in LANGS:
        idx = [i for i, r in enumerate(qs) if r["lang"] == lang]
        per_lang[lang] = {name: scores_for([first_hit(systems[name][i], qs[i]["expected_sources"]) for i in idx], args.k)
                          for name in systems}

    start = time.perf_counter()
    detected = [detect(r["question"]) for r in rows]
    detect_us = (time.perf_counter() - start) / len(rows) * 1e6
    detection = {lang: round(sum(d == lang for d, r in zip(detected, rows, strict=True) if r["lang"] == lang)
                             / max(1, sum(r["lang"] == lang for r in rows)), 3) for lang in LANGS}
    result = {
        "questions": str(Path(args.questions).relative_to(ROOT)) if Path(args.questions).is_relative_to(ROOT) else args.questions,
        "chunks": len(chunks), "k": args.k, "per_language": per_lang,
        "cost": {"minilm_load_s": round(minilm_load, 2), "use_load_s": round(use_load, 2),
                 "minilm_corpus_embed_s": round(minilm_corpus_s, 2), "use_corpus_embed_s": round(use_corpus_s, 2),
                 "minilm_corpus_embed_cpu_s": round(minilm_corpus_cpu, 2), "use_corpus_embed_cpu_s": round(use_corpus_cpu, 2),
                 **ms_summary(minilm_ms, "minilm_query"), **ms_summary(use_ms, "use_query")},
        "detector": {"accuracy": detection, "us_per_question": round(detect_us, 1)},
    }
    out = write_result("multilingual", result)
    hk = f"hit@{args.k}"
    print(f"| lang | n | {' | '.join(systems)} |\n|---|---|" + "---|" * len(systems))
    for lang, figs in per_lang.items():
        print(f"| {lang} | {figs['minilm']['n']} | " + " | ".join(f"{figs[s][hk]:.2f}" for s in systems) + " |")
    print()
    print_table([(k, v) for k, v in result["cost"].items()] + [("detector accuracy", detection),
                                                              ("detector µs/question", result["detector"]["us_per_question"])])
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
