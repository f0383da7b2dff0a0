"""Benchmark: ingest and query speed on the default corpus (prints a markdown table).

Measures, in one run: cold ingest into a fresh index folder (documents, chunks, seconds,
chunks/s, index size, peak RSS of the process with the model loaded), warm re-ingest of
the unchanged corpus (in-process, and as a fresh `treaty ingest` process), embedding
throughput against a bare `SentenceTransformer.encode` of the same embed texts right after
(ratios for the whole ingest, for the embedding inside it, and for our encoder alone),
warm retrieval and extractive `ask` p50/p95 over the dev questions (each asked `--repeat`
times after a warm-up), and, when a GGUF for the `local` generator is at hand, its time
to first token and total time. Writes bench/results/query_speed.json.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from common import BIN, OFFLINE_ENV, ROOT, cpu_s, du, ms_summary, peak_rss_mb, print_table, run_measured, write_result

TEST_GGUF = ROOT / ".cache" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"  # tests/support/fetch_test_model.py


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def timed_cpu(fn, *args):
    """(result, wall seconds, CPU seconds of this process): CPU time is what other jobs on the cores disturb least."""
    cpu = cpu_s()
    out, wall = timed(fn, *args)
    return out, wall, cpu_s() - cpu


def ingest(settings, c) -> dict:
    """Cold ingest, warm re-ingest in-process and as a CLI process."""
    from assistant.indexing import run_ingest

    embed_s = embed_cpu = 0.0

    def embed(texts, on_batch=None):  # our embedder, timed: the embedding share of the ingest
        nonlocal embed_s, embed_cpu
        vecs, wall, cpu = timed_cpu(c.embedder.encode, texts, on_batch)
        embed_s, embed_cpu = embed_s + wall, embed_cpu + cpu
        return vecs

    c.embedder.embed_query("warm-up")  # model load is not ingest time
    cold, cold_s, cold_cpu = timed_cpu(run_ingest, settings.corpus_dirs, c.store, embed, None, c.embedder.name)
    cold_rss = peak_rss_mb()
    warm, warm_s = timed(run_ingest, settings.corpus_dirs, c.store, embed, None, c.embedder.name)
    # the CLI path end to end: a fresh process, imports, no model load, nothing to embed
    env = {**OFFLINE_ENV, "TREATY_INDEX_DIR": str(settings.index_dir), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    cli = run_measured([str(BIN / "treaty"), "ingest", "--json"], env)
    return {
        "documents": cold.documents, "chunks": cold.chunks,
        "cold_ingest_s": round(cold_s, 2), "chunks_per_s": round(cold.chunks / cold_s, 2),
        "cold_ingest_cpu_s": round(cold_cpu, 2), "cold_embed_s": round(embed_s, 2), "cold_embed_cpu_s": round(embed_cpu, 2),
        "index_bytes": du(settings.index_dir),
        "cold_ingest_peak_rss_mb": cold_rss,
        "warm_reingest_s": round(warm_s, 3), "warm_reingest_embedded": warm.embedded,
        "warm_reingest_cli_s": cli["wall_s"], "warm_reingest_cli_cpu_s": cli["cpu_s"],
        "warm_reingest_cli_peak_rss_mb": cli["peak_rss_mb"],
    }


def throughput(c, result: dict) -> dict:
    """Bare `SentenceTransformer.encode` (its defaults: batch 32, one call) of the same embed texts,
    then our encoder alone, both right after the ingest in the same process. Ratios are
    throughputs, ours / bare (1.0 = as fast as a bare encode), by wall time and by CPU time."""
    from assistant.indexing import chunk_records

    texts = [r.embed_text for r in chunk_records(c.settings.corpus_dirs)[1]]
    _, bare_s, bare_cpu = timed_cpu(lambda: c.embedder.model.encode(texts, show_progress_bar=False))
    _, ours_s, ours_cpu = timed_cpu(c.embedder.encode, texts)
    return {
        "bare_encode_s": round(bare_s, 2), "bare_encode_cpu_s": round(bare_cpu, 2),
        "bare_chunks_per_s": round(len(texts) / bare_s, 2), "encoder_s": round(ours_s, 2), "encoder_cpu_s": round(ours_cpu, 2),
        "ingest_vs_bare": round(bare_s / result["cold_ingest_s"], 3),
        "ingest_vs_bare_cpu": round(bare_cpu / result["cold_ingest_cpu_s"], 3),
        "ingest_embed_vs_bare": round(bare_s / result["cold_embed_s"], 3),
        "ingest_embed_vs_bare_cpu": round(bare_cpu / result["cold_embed_cpu_s"], 3),
        "encoder_vs_bare": round(bare_s / ours_s, 3), "encoder_vs_bare_cpu": round(bare_cpu / ours_cpu, 3),
    }


def queries(c, rows: list[dict], repeat: int) -> dict:
    pipeline = c.pipeline("extractive")
    retriever = c.retriever()
    pipeline.ask(rows[0]["question"])  # warm-up: index load, IDF table
    retrieval_ms, ask_ms = [], []
    for _ in range(repeat):
        for r in rows:
            _, s = timed(retriever.retrieve, r["question"])
            retrieval_ms.append(s * 1000)
            _, s = timed(pipeline.ask, r["question"], r.get("history"))
            ask_ms.append(s * 1000)
    return {**ms_summary(retrieval_ms, "retrieval"), **ms_summary(ask_ms, "ask"), "questions": len(rows), "repeat": repeat}


def local_model(arg: str | None, settings) -> tuple[Path | None, str]:
    """The GGUF to time the `local` generator with, and why that one (or why none)."""
    from assistant.answer.generate.local import assemble_qwen
    from assistant.errors import GeneratorUnavailable

    if arg:
        return Path(arg), "--local-model"
    if settings.local_model_path:
        return settings.local_model_path, "TREATY_LOCAL_MODEL_PATH"
    try:
        return assemble_qwen(settings.local_model_dir), "packaged Qwen2.5-Coder-1.5B Q4_K_M"
    except GeneratorUnavailable as exc:
        if TEST_GGUF.exists():
            return TEST_GGUF, "SmolLM2-135M test model: the packaged Qwen parts are not installed"
        return None, str(exc)


class FirstToken:
    """A generator wrapper noting when the model's first piece arrives."""

    def __init__(self, inner):
        self.inner, self.name, self.at = inner, inner.name, None

    def stream(self, question, passages, context=None):
        for piece in self.inner.stream(question, passages, context):
            self.at = self.at or time.perf_counter()
            yield piece


def local(c, rows: list[dict], model: Path | None, why: str, n: int) -> dict:
    """From the question: time to the model's first token, to the first verified sentence shown, and to the end."""
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        return {"skipped": "the local extra is not installed: pip install -e '.[local]'"}
    if model is None:
        return {"skipped": why}
    from assistant.answer.chain import AnswerPipeline
    from assistant.answer.generate.local import LocalGenerator

    generator = FirstToken(LocalGenerator(c.settings.local_model_dir, c.settings.llm_max_tokens, model))
    pipeline = AnswerPipeline(c, generator)
    questions = [r["question"] for r in rows if r.get("answerable") and not r.get("history")][:n]
    _, load_s = timed(pipeline.ask, questions[0])  # warm-up: loads the model
    first_token, first_shown, total, refused = [], [], [], 0
    for q in questions:
        generator.at, shown, started = None, None, time.perf_counter()
        for event in pipeline.stream(q):
            if event["type"] == "delta" and shown is None:
                shown = time.perf_counter()
            refused += event["type"] == "done" and event["answer"]["refused"]
        end = time.perf_counter()
        total.append((end - started) * 1000)
        first_token.append(((generator.at or end) - started) * 1000)
        first_shown.append(((shown or end) - started) * 1000)
    return {"model": model.name, "why": why, "questions": len(questions), "max_tokens": c.settings.llm_max_tokens,
            "threads": generator.inner.threads, "first_answer_incl_load_s": round(load_s, 1), "refused": refused,
            **ms_summary(first_token, "first_token"), **ms_summary(first_shown, "first_shown"),
            **ms_summary(total, "total")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--local-model", help="GGUF for the local generator (default: the configured or packaged one)")
    ap.add_argument("--local-questions", type=int, default=5, help="questions answered by the local generator")
    args = ap.parse_args()

    from assistant.config import load_settings
    from assistant.wiring import Container

    rows = [json.loads(line) for line in open(args.questions) if line.strip()]
    with tempfile.TemporaryDirectory(prefix="treaty-bench-") as tmp:
        settings = load_settings(index_dir=Path(tmp) / "index")
        c = Container(settings)
        result = ingest(settings, c)
        result.update(throughput(c, result))
        result.update(queries(c, rows, args.repeat))
        result["local"] = local(c, rows, *local_model(args.local_model, settings), args.local_questions)
        result["peak_rss_mb"] = peak_rss_mb()
    out = write_result("query_speed", result)
    print_table([(k, v) for k, v in result.items() if k != "local"] + [(f"local {k}", v) for k, v in result["local"].items()])
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
