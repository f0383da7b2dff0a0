"""Benchmark: hybrid search at 1k, 10k and 100k chunks, embedded Chroma and server mode.

Embedding 100k chunks would take hours here, so the scale corpora are synthetic, built
from the real index: record i copies real chunk i mod n (its embed text, display text and
metadata, so BM25 sees real text, each repeated ~N/n times) and gets the real chunk's
vector plus Gaussian noise (sigma per dimension, default 0.01; cosine to the original
~0.98), re-normalised; the first copy of each chunk keeps its exact vector. Records go
through `ChromaStore.sync` with these precomputed vectors (no model call), and a fresh
process per index opens `HybridIndex` (timed load), then runs every dev question through
`HybridIndex.search(k=5)` (query embedding included; the index-only part is reported too)
and reports its peak memory. Server mode runs a real `chroma run` per size; its memory is
read from /proc. Writes bench/results/scale.json.

    .venv/bin/python bench/scale.py [--sizes 1000,10000,100000] [--modes embedded,server]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, chroma_server, du, ms_summary, peak_rss_mb, proc_memory_mb, write_result

DIMS = 384


def base_records(settings) -> tuple[list, object]:
    """The live index's records (as `Record`s) and their vectors, in index order."""
    import numpy as np

    from vectorstore import ChromaStore, Record

    store = ChromaStore(settings.index_dir, settings.chroma_url or None)
    got = store.open_collection(store.require_current()).get(include=["embeddings", "documents", "metadatas"])
    records = []
    for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
        public = {k: v for k, v in meta.items() if not k.startswith("_")}
        records.append(Record(rid, meta["_key"], meta["_text"], doc, public))
    return records, np.asarray(got["embeddings"], dtype=np.float32)


def synthetic(records: list, vectors, size: int, sigma: float, seed: int = 0):
    """`size` records cycling through the real ones, and their perturbed, re-normalised vectors."""
    import numpy as np

    from vectorstore import Record

    n = len(records)
    rows, copies = np.arange(size) % n, np.arange(size) // n
    rng = np.random.default_rng(seed)
    out = vectors[rows] + np.where(copies[:, None] == 0, 0.0, sigma * rng.standard_normal((size, DIMS), dtype=np.float32))
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    made = [
        Record(f"{r.id}~{c}", f"{r.key}~{c}", r.text, r.embed_text, {**r.metadata, "copy": int(c)})
        for r, c in ((records[i], c) for i, c in zip(rows.tolist(), copies.tolist(), strict=True))
    ]
    return made, out.astype(np.float32)


def precomputed(records: list, vectors):
    """An `embed` for ChromaStore.sync that hands out the precomputed vectors in record order."""
    position = 0

    def embed(texts: list[str], on_batch=None) -> list[list[float]]:
        nonlocal position
        got = records[position:position + len(texts)]
        if [r.embed_text for r in got] != list(texts):
            raise RuntimeError("sync asked for texts out of record order")
        rows = vectors[position:position + len(texts)].tolist()
        position += len(texts)
        if on_batch:
            on_batch(len(texts))
        return rows

    return embed


def query_child(args) -> None:
    """In a fresh process: load the index, run the questions, print one JSON object."""
    from assistant.evaluation.dataset import load_questions
    from vectorstore import ChromaStore, HybridIndex, PackagedMiniLM

    embedder = PackagedMiniLM()
    embedder.embed_query("warm-up")  # the model is not the index's memory or load time
    before = proc_memory_mb()["rss_mb"]
    started = time.perf_counter()
    index = HybridIndex(ChromaStore(args.query, args.chroma_url), embedder)
    load_s = time.perf_counter() - started
    after = proc_memory_mb()["rss_mb"]
    questions = [q.question for q in load_questions(args.questions).questions]
    index.search(questions[0], k=5)
    total, index_only = [], []
    for _ in range(args.repeat):
        for q in questions:
            t0 = time.perf_counter()
            vec = embedder.embed_query(q)
            t1 = time.perf_counter()
            index.search(q, k=5, query_vec=vec)
            t2 = time.perf_counter()
            total.append((t2 - t0) * 1000)
            index_only.append((t2 - t1) * 1000)
    print(json.dumps({
        "records": len(index), "load_s": round(load_s, 2), "queries": len(total),
        **ms_summary(total, "search"), **ms_summary(index_only, "index_search"),
        "index_memory_mb": round(after - before, 1), "process_peak_rss_mb": peak_rss_mb(),
    }))


def measure(index_dir: Path, chroma_url: str | None, args) -> dict:
    cmd = [sys.executable, __file__, "--query", str(index_dir), "--questions", str(args.questions),
           "--repeat", str(args.repeat)] + (["--chroma-url", chroma_url] if chroma_url else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"query process failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def build(store, records, vectors) -> float:
    started = time.perf_counter()
    report = store.sync(records, precomputed(records, vectors))
    if report.total != len(records) or report.embedded != len(records):
        raise RuntimeError(f"built {report.total} records, {report.embedded} vectors; expected {len(records)}")
    return time.perf_counter() - started


def run_size(mode: str, size: int, records, vectors, work: Path, args) -> dict:
    from vectorstore import ChromaStore

    folder = work / f"{mode}-{size}"
    if mode == "embedded":
        build_s = build(ChromaStore(folder), records, vectors)
        row = {"build_s": round(build_s, 1), "index_bytes": du(folder), **measure(folder, None, args)}
    else:
        data = work / f"server-data-{size}"
        with chroma_server(data) as (url, server):
            build_s = build(ChromaStore(folder, url), records, vectors)
            row = {"build_s": round(build_s, 1), **measure(folder, url, args)}
            memory = proc_memory_mb(server.pid)
            row.update(index_bytes=du(data), server_rss_mb=memory["rss_mb"], server_peak_rss_mb=memory["peak_rss_mb"])
        shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    return {"mode": mode, "chunks": size, **row}


def table(rows: list[dict]) -> str:
    lines = ["| mode | chunks | build s | load s | search p50 ms | p95 ms | index-only p50 ms | index MB on disk | "
             "index memory MB | peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        peak = r["process_peak_rss_mb"] if r["mode"] == "embedded" else \
            f"{r['process_peak_rss_mb']} + server {r['server_peak_rss_mb']}"
        lines.append(f"| {r['mode']} | {r['chunks']:,} | {r['build_s']} | {r['load_s']} | {r['search_p50_ms']} | "
                     f"{r['search_p95_ms']} | {r['index_search_p50_ms']} | {r['index_bytes'] / 1e6:.1f} | "
                     f"{r['index_memory_mb']} | {peak} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    ap.add_argument("--modes", default="embedded,server", help="embedded, server or both")
    ap.add_argument("--sigma", type=float, default=0.01, help="noise per dimension added to the real vectors")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "dev.jsonl")
    ap.add_argument("--repeat", type=int, default=2, help="times each question is searched")
    ap.add_argument("--query", type=Path, help=argparse.SUPPRESS)  # internal: the per-index query process
    ap.add_argument("--chroma-url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query:
        query_child(args)
        return 0

    import numpy as np

    from assistant.config import load_settings

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    records, vectors = base_records(load_settings())
    print(f"base: {len(records)} real chunks; sizes {sizes}; modes {modes}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="treaty-scale-") as tmp:
        for size in sizes:
            made, vecs = synthetic(records, vectors, size, args.sigma)
            cos = float(np.mean(np.sum(vecs[len(records):] * vectors[np.arange(len(records), size) % len(records)], axis=1))) \
                if size > len(records) else 1.0
            for mode in modes:
                started = time.perf_counter()
                row = run_size(mode, size, made, vecs, Path(tmp), args)
                row["mean_cosine_to_original"] = round(cos, 4)
                rows.append(row)
                print(f"{mode} {size}: {row} ({time.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)
    result = {
        "method": (f"record i = real chunk i mod {len(records)} (its texts and metadata; BM25 over the real texts, "
                   f"repeated); vector = real vector + N(0, {args.sigma}^2) per dimension, re-normalised "
                   "(first copy exact); built with ChromaStore.sync from precomputed vectors; search = "
                   "HybridIndex.search(k=5) incl. query embedding, every dev question x repeat, in a fresh process"),
        "sigma": args.sigma, "base_chunks": len(records), "repeat": args.repeat, "rows": rows,
    }
    out = write_result("scale", result)
    print(table(rows))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
