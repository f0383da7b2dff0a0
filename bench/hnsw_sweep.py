"""Benchmark: HNSW parameters (M, construction_ef, search_ef) by build time and recall@10 vs exact search.

Builds the scale corpus of bench/scale.py (same records, same vectors) straight into an embedded
Chroma collection per (M, construction_ef[, batch_size, sync_threshold]), added in the sync's
batches with the sync's metadata, and queries it with the dev and train questions at each
search_ef of --search-ef (search_ef is changed in the collection's configuration and the
collection reopened: no rebuild, and Chroma applies a changed ef_search only on reopening).
Only Chroma is timed: the records and BM25 files a sync also writes are the same for every
parameter set. Writes bench/results/hnsw_sweep.json (after every row).

    nice -n 10 .venv/bin/python bench/hnsw_sweep.py [--sizes 20000,100000] [--grid 16:64,32:128]
        [--search-ef 100,200,400,800] [--append]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import RESULTS, ROOT, cpu_s, write_result
from scale import RECALL, base_records, dense_recall, query_vectors, realistic_sigma, synthetic


def build(folder: Path, records, vectors, m: int, cef: int, extra: dict):
    """A collection of `records` with the given HNSW parameters (`extra`: batch_size and
    sync_threshold when the grid names them): (wall s, CPU s)."""
    import chromadb

    from vectorstore.backend import HNSW, chroma_settings, public
    from vectorstore.sync import BATCH

    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    params = {**HNSW, "hnsw:M": m, "hnsw:construction_ef": cef, **extra}
    started, cpu = time.perf_counter(), cpu_s()
    collection = client.create_collection("sweep", embedding_function=None, metadata=params)
    for s in range(0, len(records), BATCH):
        batch = records[s:s + BATCH]
        collection.add(ids=[r.id for r in batch], embeddings=vectors[s:s + BATCH].tolist(),
                       metadatas=[{**public(r.metadata), "_key": r.key} for r in batch])
    collection.count()
    return round(time.perf_counter() - started, 1), round(cpu_s() - cpu, 1)


def reopened(folder: Path, search_ef: int):
    """The sweep collection with ef_search set to `search_ef`, opened afresh so that it applies."""
    import chromadb
    from chromadb.api.client import SharedSystemClient

    from vectorstore.backend import chroma_settings

    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    client.get_collection("sweep", embedding_function=None).modify(configuration={"hnsw": {"ef_search": search_ef}})
    SharedSystemClient.clear_system_cache()
    client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
    collection = client.get_collection("sweep", embedding_function=None)
    if collection.configuration["hnsw"]["ef_search"] != search_ef:
        raise RuntimeError(f"ef_search is {collection.configuration['hnsw']['ef_search']}, not {search_ef}")
    return collection


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--grid", default="16:64,16:128,32:64,32:128",
                    help="M:construction_ef[:batch_size:sync_threshold],... (unnamed: Chroma's defaults)")
    ap.add_argument("--search-ef", default="100,200,400,800", help="search_ef values queried on each build")
    ap.add_argument("--sigma", type=float, help="noise per dimension (default: measured, as in scale.py)")
    ap.add_argument("--append", action="store_true", help="keep the rows already in bench/results/hnsw_sweep.json")
    args = ap.parse_args()

    from chromadb.api.client import SharedSystemClient

    from assistant.config import load_settings

    records, vectors = base_records(load_settings())
    sigma = args.sigma if args.sigma is not None else realistic_sigma(vectors)
    queries = query_vectors([ROOT / "eval" / "dev.jsonl", ROOT / "eval" / "train.jsonl"])
    grid = [[int(x) for x in g.split(":")] for g in args.grid.split(",")]
    search_efs = [int(x) for x in args.search_ef.split(",")]
    result = {"method": f"scale corpus as bench/scale.py (sigma {sigma}); {RECALL}; {len(queries)} dev+train "
                        "questions; build = Chroma adds only, in the sync's batches with its metadata; search_ef "
                        "set per row on the same build",
              "sigma": sigma, "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "load_average": [round(os.getloadavg()[0], 2)], "rows": []}
    if args.append:
        result["rows"] = json.loads((RESULTS / "hnsw_sweep.json").read_text())["rows"]
    for size in [int(s) for s in args.sizes.split(",")]:
        made, vecs = synthetic(records, vectors, size, sigma)
        for m, cef, *more in grid:
            extra = dict(zip(("hnsw:batch_size", "hnsw:sync_threshold"), more, strict=False))
            folder = Path(tempfile.mkdtemp(prefix="treaty-sweep-"))
            try:
                load = round(os.getloadavg()[0], 2)
                wall, cpu = build(folder, made, vecs, m, cef, extra)
                for sef in search_efs:
                    collection = reopened(folder, sef)
                    collection.query(query_embeddings=queries[:1].tolist(), n_results=10, include=[])  # loads it
                    t0 = time.perf_counter()
                    recall = dense_recall(collection, made, vecs, queries)
                    query_ms = (time.perf_counter() - t0) * 1000 / len(queries)
                    row = {"chunks": size, "M": m, "construction_ef": cef, "search_ef": sef,
                           **{k.split(":")[1]: v for k, v in extra.items()}, "build_s": wall, "build_cpu_s": cpu,
                           **recall, "query_ms": round(query_ms, 2),
                           "load_average": [load, round(os.getloadavg()[0], 2)]}
                    result["rows"].append(row)
                    write_result("hnsw_sweep", result)
                    print(row, file=sys.stderr, flush=True)
            finally:
                SharedSystemClient.clear_system_cache()
                shutil.rmtree(folder, ignore_errors=True)
    result["load_average"].append(round(os.getloadavg()[0], 2))
    write_result("hnsw_sweep", result)
    print("| chunks | M | construction_ef | search_ef | batch / sync | build s (CPU s) | recall@10 | strict recall@10 "
          "| query ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        batch = f"{r['batch_size']} / {r['sync_threshold']}" if "batch_size" in r else "default"
        print(f"| {r['chunks']:,} | {r['M']} | {r['construction_ef']} | {r['search_ef']} | {batch} | {r['build_s']} "
              f"({r['build_cpu_s']}) | {r['recall_at_10']} | {r['strict_recall_at_10']} | {r['query_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
