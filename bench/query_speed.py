"""Benchmark: ingest and query speed on the default corpus (prints a markdown table).

Measures, in one run: cold ingest into a fresh index folder (documents, chunks, seconds,
chunks/s, index size), warm re-ingest of the unchanged corpus, warm retrieval p50/p95 and
extractive `ask` p50/p95 over the dev questions (each asked 3 times after a warm-up).
Writes bench/results/query_speed.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from assistant.config import Settings
    from assistant.indexing import run_ingest
    from assistant.wiring import Container

    tmp = Path(tempfile.mkdtemp(prefix="treaty-bench-"))
    settings = Settings(index_dir=tmp / "index")
    c = Container(settings)
    c.embedder.model  # noqa: B018 - model load is not ingest time
    t = time.perf_counter()
    cold = run_ingest(settings.corpus_dirs, c.store, c.embedder.encode)
    cold_s = time.perf_counter() - t
    t = time.perf_counter()
    warm = run_ingest(settings.corpus_dirs, c.store, c.embedder.encode)
    warm_s = time.perf_counter() - t
    # the CLI path end to end (a fresh process: imports + model-free no-op re-ingest)
    t = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "treaty"), "ingest", "--json"], check=True,
                   capture_output=True, env={"TREATY_INDEX_DIR": str(tmp / "index"), "PATH": "/usr/bin:/bin",
                                             "HF_HUB_OFFLINE": "1"})
    cli_warm_s = time.perf_counter() - t

    rows = [json.loads(line) for line in open(args.questions) if line.strip()]
    pipeline = c.pipeline("extractive")
    retriever = c.retriever()
    pipeline.ask(rows[0]["question"])  # warm-up
    retrieval_ms, ask_ms = [], []
    for _ in range(args.repeat):
        for r in rows:
            t = time.perf_counter()
            retriever.retrieve(r["question"])
            retrieval_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            pipeline.ask(r["question"], r.get("history"))
            ask_ms.append((time.perf_counter() - t) * 1000)
    result = {
        "documents": cold.documents, "chunks": cold.chunks,
        "cold_ingest_s": round(cold_s, 2), "chunks_per_s": round(cold.chunks / cold_s, 1),
        "index_bytes": du(tmp / "index"),
        "warm_reingest_s": round(warm_s, 3), "warm_reingest_embedded": warm.embedded,
        "warm_reingest_cli_s": round(cli_warm_s, 2),
        "retrieval_ms_p50": round(statistics.median(retrieval_ms), 1), "retrieval_ms_p95": round(pct(retrieval_ms, 0.95), 1),
        "ask_ms_p50": round(statistics.median(ask_ms), 1), "ask_ms_p95": round(pct(ask_ms, 0.95), 1),
        "questions": len(rows), "repeat": args.repeat,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "query_speed.json").write_text(json.dumps(result, indent=1))
    print("| measure | value |\n|---|---|")
    for k, v in result.items():
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
