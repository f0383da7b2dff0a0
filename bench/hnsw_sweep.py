"""Benchmark: HNSW parameters (M, construction_ef, search_ef) by build time and recall@10 vs exact search.

Builds the scale corpus of bench/scale.py (same records, same vectors) straight into an embedded
Chroma collection per parameter set, added in the sync's batches with the sync's metadata, and
queries it with the dev and train questions. Only Chroma is timed: the records and BM25 files a
sync also writes are the same for every parameter set. Writes bench/results/hnsw_sweep.json.

    nice -n 10 .venv/bin/python bench/hnsw_sweep.py [--sizes 20000,100000] [--grid 16:100:100,32:128:256]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, cpu_s, write_result
from scale import RECALL, base_records, dense_recall, query_vectors, realistic_sigma, synthetic


def build(folder: Path, records, vectors, m: int, cef: int, sef: int):
    """A collection of `records` with the given HNSW parameters: (collection, wall s, CPU s)."""
    import chromadb

    from vectorstore.backend import HNSW, chroma_settings, public
    from vectorstore.sync import BATCH

    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    params = {**HNSW, "hnsw:M": m, "hnsw:construction_ef": cef, "hnsw:search_ef": sef}
    started, cpu = time.perf_counter(), cpu_s()
    collection = client.create_collection("sweep", embedding_function=None, metadata=params)
    for s in range(0, len(records), BATCH):
        batch = records[s:s + BATCH]
        collection.add(ids=[r.id for r in batch], embeddings=vectors[s:s + BATCH].tolist(),
                       metadatas=[{**public(r.metadata), "_key": r.key} for r in batch])
    return collection, round(time.perf_counter() - started, 1), round(cpu_s() - cpu, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--grid", default="16:100:100,16:100:200,16:64:200,32:128:256,24:100:200",
                    help="M:construction_ef:search_ef,...")
    ap.add_argument("--sigma", type=float, help="noise per dimension (default: measured, as in scale.py)")
    args = ap.parse_args()

    from assistant.config import load_settings

    records, vectors = base_records(load_settings())
    sigma = args.sigma if args.sigma is not None else realistic_sigma(vectors)
    queries = query_vectors([ROOT / "eval" / "dev.jsonl", ROOT / "eval" / "train.jsonl"])
    grid = [tuple(int(x) for x in g.split(":")) for g in args.grid.split(",")]
    result = {"method": f"scale corpus as bench/scale.py (sigma {sigma}); {RECALL}; {len(queries)} dev+train "
                        "questions; build = Chroma adds only, in the sync's batches with its metadata",
              "sigma": sigma, "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "load_average": [round(os.getloadavg()[0], 2)], "rows": []}
    for size in [int(s) for s in args.sizes.split(",")]:
        made, vecs = synthetic(records, vectors, size, sigma)
        for m, cef, sef in grid:
            folder = Path(tempfile.mkdtemp(prefix="treaty-sweep-"))
            try:
                collection, wall, cpu = build(folder, made, vecs, m, cef, sef)
                t0 = time.perf_counter()
                recall = dense_recall(collection, made, vecs, queries)
                query_ms = (time.perf_counter() - t0) * 1000 / len(queries)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            row = {"chunks": size, "M": m, "construction_ef": cef, "search_ef": sef, "build_s": wall, "build_cpu_s": cpu,
                   **recall, "query_ms": round(query_ms, 2), "load_average": round(os.getloadavg()[0], 2)}
            result["rows"].append(row)
            write_result("hnsw_sweep", result)
            print(row, file=sys.stderr, flush=True)
    result["load_average"].append(round(os.getloadavg()[0], 2))
    write_result("hnsw_sweep", result)
    print("| chunks | M | construction_ef | search_ef | build s (CPU s) | recall@10 | strict recall@10 | query ms |\n"
          "|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        print(f"| {r['chunks']:,} | {r['M']} | {r['construction_ef']} | {r['search_ef']} | {r['build_s']} "
              f"({r['build_cpu_s']}) | {r['recall_at_10']} | {r['strict_recall_at_10']} | {r['query_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
