"""Benchmark: build, open, search and grow indexes of 1k to 1M chunks, embedded Chroma and server mode.

Embedding 100k chunks would take hours here, so the scale corpora are synthetic (METHOD below
says how): real texts and metadata repeated, real vectors plus Gaussian noise (sigma 0.01 per
dimension; cosine to the original ~0.98), the first copy exact, built by `ChromaStore.sync`
from these vectors. A fresh process per index opens `HybridIndex` (timed) and runs every dev
question through `HybridIndex.search(k=5)`, reporting its memory after opening and after the
queries. Dense recall@10 is Chroma's top 10 against exact search; then one new document is
synced in (its time, the vectors computed). Server mode runs a real `chroma run` per size
(its memory from /proc); sizes above --embedded-max run in server mode only. Writes
bench/results/scale.json (after every size), and with --update-latest also latest.json.

    .venv/bin/python bench/scale.py [--sizes 1000,10000,100000] [--modes embedded,server] [--append]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import (
    RESULTS,
    ROOT,
    chroma_server,
    cpu_s,
    du,
    ms_summary,
    peak_rss_mb,
    proc_memory_mb,
    rss_parts_mb,
    write_result,
)
from readme_table import scale_table

RECALL = ("recall@10 = share of Chroma's dense top 10 whose exact cosine is at least the exact 10th-best cosine "
          "minus 1e-3 (ann-benchmarks' rule: a hit as near as the 10th counts, so ties among near-copies do not); "
          "strict recall@10 = share of the exact top-10 ids returned")
METHOD = ("record i = real chunk i mod {n} (its texts and metadata; BM25 over the real texts, repeated); vector = "
          "real vector + N(0, {sigma}^2) per dimension, re-normalised (first copy exact), sigma chosen so that a copy "
          "is as near its source (mean cosine {cos}) as a real chunk is to its nearest other real chunk (median "
          "{nn}); built with ChromaStore.sync from precomputed vectors; search = HybridIndex.search(k=5) incl. query "
          "embedding, every dev question x repeat, in a fresh process; " + RECALL + ", dev questions; add a "
          "document = sync of the index plus one new document (the copies of one real document)")


def base_records(settings) -> tuple[list, object]:
    """The live index's records (as `Record`s) and their vectors, in index order."""
    from vectorstore import ChromaStore, Record
    from vectorstore.backend import vectors_by_id

    store = ChromaStore(settings.index_dir, settings.chroma_url or None)
    pointer = store.require_current()
    table = store.open_records(pointer)[0]
    records = [Record(i, k, t, e, m) for i, k, t, e, m in
               zip(table.ids, table.keys, table.texts, table.embed_texts, table.metadatas, strict=True)]
    vectors = vectors_by_id(store.open_collection(pointer), [r.id for r in records])
    return records, np.asarray([vectors[r.id] for r in records], dtype=np.float32)


def configured_embedder():
    """The embedder the index was built with (TREATY_EMBEDDER), as a serving process loads it."""
    from assistant.config import load_settings
    from assistant.wiring import Container

    return Container(load_settings()).embedder


def synthetic(records: list, vectors, size: int, sigma: float, seed: int = 0):
    """`size` records cycling through the real ones, and their perturbed, re-normalised vectors."""
    from vectorstore import Record

    n = len(records)
    rows, copies = np.arange(size) % n, np.arange(size) // n
    rng = np.random.default_rng(seed)
    out = np.empty((size, vectors.shape[1]), dtype=np.float32)
    for s in range(0, size, 50_000):  # in slices: at 1M chunks whole-array temporaries would take ~12 GB
        part = vectors[rows[s:s + 50_000]] + np.where(copies[s:s + 50_000, None] == 0, np.float32(0), np.float32(sigma)
                                                      * rng.standard_normal((len(rows[s:s + 50_000]), vectors.shape[1]),
                                                                            dtype=np.float32))
        out[s:s + 50_000] = part / np.linalg.norm(part, axis=1, keepdims=True)
    made = [
        Record(f"{r.id}~{c}", f"{r.key}~{c}", r.text, r.embed_text, {**r.metadata, "copy": int(c)})
        for r, c in ((records[i], c) for i, c in zip(rows.tolist(), copies.tolist(), strict=True))
    ]
    return made, out


def precomputed(records: list, vectors):
    """An `embed` for ChromaStore.sync that hands out the precomputed vectors in record order."""
    position = 0

    def embed(texts: list[str], on_batch=None) -> list[list[float]]:
        nonlocal position
        got = records[position:position + len(texts)]
        if [r.embed_text for r in got] != list(texts):
            raise RuntimeError("sync asked for texts out of record order")
        rows = vectors[position:position + len(texts)]  # numpy rows: Chroma takes them as they are
        position += len(texts)
        if on_batch:
            on_batch(len(texts))
        return rows

    return embed


def query_child(args) -> None:
    """In a fresh process: load the index, run the questions, print one JSON object."""
    from assistant.evaluation.dataset import load_questions
    from vectorstore import ChromaStore, HybridIndex

    embedder = configured_embedder()
    embedder.embed_query("warm-up")  # the model is not the index's memory or load time
    import bm25s  # noqa: F401 - nor are the libraries a serving process imports at start
    import chromadb  # noqa: F401

    before, parts, cpu = proc_memory_mb()["rss_mb"], rss_parts_mb(), cpu_s()
    started = time.perf_counter()
    index = HybridIndex(ChromaStore(args.query, args.chroma_url), embedder)
    load_s, load_cpu_s = time.perf_counter() - started, cpu_s() - cpu
    after = proc_memory_mb()["rss_mb"]
    index.search("warm-up", k=5)  # the first query maps the files and, embedded, loads the HNSW graph
    first_s = time.perf_counter() - started
    questions = [q.question for q in load_questions(args.questions).questions]
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
    now = rss_parts_mb()
    print(json.dumps({
        "records": len(index), "load_s": round(load_s, 2), "load_cpu_s": round(load_cpu_s, 2), "first_query_s": round(first_s, 2), "queries": len(total),
        **ms_summary(total, "search"), **ms_summary(index_only, "index_search"),
        "index_memory_mb": round(after - before, 1),
        "index_memory_after_queries_mb": round(proc_memory_mb()["rss_mb"] - before, 1),
        "process_rss_mb": proc_memory_mb()["rss_mb"], "process_peak_rss_mb": peak_rss_mb(),
        # after the queries: what the index added privately (embedded: Chroma's HNSW graph) and in
        # mapped files (records, BM25: shared between processes); the model and libraries: `model_and_libs_mb`
        "index_anon_mb": round(now["anon_mb"] - parts["anon_mb"], 1),
        "index_file_mb": round(now["file_mb"] - parts["file_mb"], 1), "model_and_libs_mb": round(before, 1),
    }))


def measure(index_dir: Path, chroma_url: str | None, args) -> dict:
    cmd = [sys.executable, __file__, "--query", str(index_dir), "--questions", str(args.questions),
           "--repeat", str(args.repeat)] + (["--chroma-url", chroma_url] if chroma_url else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"query process failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def build(store, records, vectors, expect_embedded: int | None = None, server=None) -> dict:
    """Sync `records` (vectors precomputed): wall and CPU seconds (ours + the server's)."""
    started, cpu = time.perf_counter(), cpu_s() + (cpu_s(server.pid) if server else 0.0)
    todo = slice(0, None) if expect_embedded is None else slice(len(records) - expect_embedded, None)
    marks = {0}

    def progress(done: int, total: int) -> None:
        """A line per tenth of the build on stderr: a run too long to finish still shows its rate."""
        if done * 10 // max(total, 1) not in marks:
            marks.add(done * 10 // max(total, 1))
            print(f"  built {done}/{total} in {time.perf_counter() - started:.0f}s (load {os.getloadavg()[0]:.1f})",
                  file=sys.stderr, flush=True)

    report = store.sync(records, precomputed(records[todo], vectors[todo]), progress)
    want = len(records) if expect_embedded is None else expect_embedded
    if report.total != len(records) or report.embedded != want:
        raise RuntimeError(f"built {report.total} records, {report.embedded} vectors; expected {len(records)}, {want}")
    cpu = cpu_s() + (cpu_s(server.pid) if server else 0.0) - cpu
    return {"s": round(time.perf_counter() - started, 1), "cpu_s": round(cpu, 1), "embedded": report.embedded}


def nearest_cosine(vectors) -> float:
    """Median over the real chunks of the cosine to their nearest other chunk."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1.0)
    return float(np.median(sims.max(axis=1)))


def realistic_sigma(vectors) -> float:
    """The noise per dimension that puts a copy as near its source as a real chunk is to its nearest
    neighbour: a renormalised v + N(0, s^2 I) has cosine ~ 1 / sqrt(1 + d s^2) to v (d dimensions)."""
    c = nearest_cosine(vectors)
    return round(float(np.sqrt((1 / c ** 2 - 1) / vectors.shape[1])), 4)


def query_vectors(paths: list[Path]):
    """The packaged embedder's (normalised) vectors of the questions in `paths`."""
    from assistant.evaluation.dataset import load_questions
    embedder = configured_embedder()
    vecs = np.asarray([embedder.embed_query(q.question) for p in paths for q in load_questions(p).questions],
                      dtype=np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def dense_recall(collection, records, vectors, query_vecs, eps: float = 1e-3) -> dict:
    """recall@10 (ties within `eps` count) and strict recall@10 of a collection against exact search
    over `vectors` (row i = records[i]); see RECALL."""
    row = {r.id: i for i, r in enumerate(records)}
    got = collection.query(query_embeddings=query_vecs.tolist(), n_results=10, include=[])["ids"]
    sims = query_vecs @ vectors.T
    exact = np.argpartition(-sims, 9, axis=1)[:, :10]
    tied, strict = [], []
    for q, (ids, top) in enumerate(zip(got, exact, strict=True)):
        rows = [row[i] for i in ids]
        tenth = sims[q, top].min()
        tied.append(sum(sims[q, r] >= tenth - eps for r in rows) / 10)
        strict.append(len(set(rows) & set(top.tolist())) / 10)
    return {"recall_at_10": round(float(np.mean(tied)), 4), "strict_recall_at_10": round(float(np.mean(strict)), 4)}


def recall_at_10(store, records, vectors, query_vecs) -> dict:
    """dense_recall of the live version of `store`."""
    return dense_recall(store.open_collection(store.require_current()), records, vectors, query_vecs)


def grown(records, vectors, base_n: int):
    """The records plus one new document: the copies of the first real document, under new ids."""
    from vectorstore import Record

    doc = records[0].metadata["doc_id"]
    rows = [i for i in range(base_n) if records[i].metadata.get("doc_id") == doc]
    extra = [Record(f"new-{r.id}", f"new-{r.key}", r.text, f"{r.embed_text} (new)",
                    {**r.metadata, "doc_id": f"new-{doc}"}) for r in (records[i] for i in rows)]
    return records + extra, np.concatenate([vectors, vectors[rows]]), len(extra)


def run_size(mode: str, size: int, records, vectors, query_vecs, base_n: int, work: Path, args) -> dict:
    from vectorstore import ChromaStore

    folder = work / f"{mode}-{size}"
    more, more_vecs, new = grown(records, vectors, base_n)
    if mode == "embedded":
        store = ChromaStore(folder)
        made = build(store, records, vectors)
        row = {"index_bytes": du(folder), **recall_at_10(store, records, vectors, query_vecs)}
        row.update(measure(folder, None, args))
        added = build(store, more, more_vecs, expect_embedded=new)
    else:
        data = work / f"server-data-{size}"
        with chroma_server(data) as (url, server):
            store = ChromaStore(folder, url)
            made = build(store, records, vectors, server=server)
            row = {**recall_at_10(store, records, vectors, query_vecs), **measure(folder, url, args)}
            memory = proc_memory_mb(server.pid)
            row.update(index_bytes=du(data) + du(folder), server_rss_mb=memory["rss_mb"],
                       server_peak_rss_mb=memory["peak_rss_mb"])
            added = build(store, more, more_vecs, expect_embedded=new, server=server)
        shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    return {"mode": mode, "chunks": size, "build_s": made["s"], "build_cpu_s": made["cpu_s"], **row,
            "add_document_chunks": new, "add_document_s": added["s"], "add_document_embedded": added["embedded"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    ap.add_argument("--modes", default="embedded,server", help="embedded, server or both")
    ap.add_argument("--embedded-max", type=int, default=100000, help="larger sizes run in server mode only")
    ap.add_argument("--sigma", type=float, help="noise per dimension added to the real vectors (default: measured, "
                    "see realistic_sigma)")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "dev.jsonl")
    ap.add_argument("--repeat", type=int, default=2, help="times each question is searched")
    ap.add_argument("--query", type=Path, help=argparse.SUPPRESS)  # internal: the per-index query process
    ap.add_argument("--chroma-url", help=argparse.SUPPRESS)
    ap.add_argument("--append", action="store_true", help="keep the other rows of bench/results/scale.json")
    ap.add_argument("--update-latest", action="store_true", help="also store the result in latest.json")
    args = ap.parse_args()
    if args.query:
        query_child(args)
        return 0

    from assistant.config import load_settings

    sizes, modes = [int(s) for s in args.sizes.split(",") if s.strip()], [m.strip() for m in args.modes.split(",")]
    records, vectors = base_records(load_settings())
    sigma = args.sigma if args.sigma is not None else realistic_sigma(vectors)
    query_vecs = query_vectors([args.questions])
    print(f"base: {len(records)} real chunks; sizes {sizes}; modes {modes}", file=sys.stderr)

    def merged(mine: list[dict]) -> list[dict]:
        """This run's rows, plus (--append) the other rows of scale.json as it is now: another scale.py
        run may have written rows since this one started."""
        done = {(r["mode"], r["chunks"]) for r in mine}
        old = json.loads((RESULTS / "scale.json").read_text())["rows"] if args.append else []
        return sorted([r for r in old if (r["mode"], r["chunks"]) not in done] + mine, key=lambda r: (r["chunks"], r["mode"]))

    expected_cos = round(1 / float(np.sqrt(1 + vectors.shape[1] * sigma ** 2)), 3)
    result = {"method": METHOD.format(n=len(records), sigma=sigma, cos=expected_cos, nn=round(nearest_cosine(vectors), 3)),
              "sigma": sigma,
              "date": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average": [round(os.getloadavg()[0], 2)],
              "base_chunks": len(records), "repeat": args.repeat, "rows": merged([])}
    mine: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="treaty-scale-") as tmp:
        for size in sizes:
            made, vecs = synthetic(records, vectors, size, sigma)
            n = len(records)
            cos = float(sum(np.einsum("ij,ij->", vecs[s:s + 50_000], vectors[np.arange(s, min(s + 50_000, size)) % n])
                            for s in range(n, size, 50_000)) / (size - n)) if size > n else 1.0
            for mode in [m for m in modes if m == "server" or size <= args.embedded_max]:
                started, load = time.perf_counter(), os.getloadavg()[0]
                row = run_size(mode, size, made, vecs, query_vecs, len(records), Path(tmp), args)
                row.update(mean_cosine_to_original=round(cos, 4), load_average=[round(load, 2),
                           round(os.getloadavg()[0], 2)], date=time.strftime("%Y-%m-%d %H:%M:%S"))
                mine = [r for r in mine if (r["mode"], r["chunks"]) != (mode, size)] + [row]
                result["rows"] = merged(mine)
                out = write_result("scale", result)  # after every size: a long run keeps what it measured
                print(f"{mode} {size}: {row} ({time.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)
    result["rows"] = merged(mine)
    result["load_average"].append(round(os.getloadavg()[0], 2))
    out = write_result("scale", result)
    if args.update_latest:  # put this run into latest.json (which bench/run.py writes) for readme_table.py
        latest = json.loads((RESULTS / "latest.json").read_text())
        (RESULTS / "latest.json").write_text(json.dumps({**latest, "scale": result}, indent=1) + "\n")
    print(scale_table(result["rows"]))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
