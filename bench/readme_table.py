"""Print the README's "## Performance" section from bench/results/latest.json (`--write`
replaces the section in README.md), so every figure there comes from one `make bench` run.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path

from retrieval import answer_table

ROOT = Path(__file__).resolve().parents[1]
LATEST = ROOT / "bench" / "results" / "latest.json"
README = ROOT / "README.md"


def num(x, digits: int = 0) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def scale_table(rows: list[dict]) -> str:
    """The scale rows as a markdown table (also printed by scale.py)."""
    lines = ["| mode | chunks | build s (CPU s) | recall@10 | open s | search p50 ms | p95 ms | index only p50 ms | "
             "on disk MB | index memory MB | peak RSS MB | add a document s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        peak = num(r["process_peak_rss_mb"]) + (f" + server {num(r['server_peak_rss_mb'])}" if r["mode"] == "server" else "")
        lines.append(
            f"| {r['mode']} | {r['chunks']:,} | {r['build_s']} ({r.get('build_cpu_s', 'n/a')}) | "
            f"{r.get('recall_at_10', 'n/a')} | {r['load_s']} | {r['search_p50_ms']} | {r['search_p95_ms']} | "
            f"{r['index_search_p50_ms']} | {r['index_bytes'] / 1e6:.0f} | {num(r['index_memory_mb'])} "
            f"({num(r.get('index_memory_after_queries_mb'))}) | {peak} | {r.get('add_document_s', 'n/a')} |")
    return "\n".join(lines)


def embedded_limit(rows: list[dict]) -> str:
    """The embedded mode's limit, from the largest size measured in both modes."""
    both = [r["chunks"] for r in rows if r["mode"] == "embedded" and any(
        o["mode"] == "server" and o["chunks"] == r["chunks"] for o in rows)]
    if not both:
        return ""
    e, s = (next(r for r in rows if r["chunks"] == max(both) and r["mode"] == m) for m in ("embedded", "server"))
    return (f"**Embedded or server.** Embedded, every serving process loads its own copy of Chroma's HNSW graph: at "
            f"{max(both):,} chunks a process holds {num(e['index_memory_after_queries_mb'])} MB of index after the "
            f"queries against {num(s['index_memory_after_queries_mb'])} MB in server mode, where the graph lives once "
            f"in `chroma run` ({num(s['server_peak_rss_mb'])} MB). Sizes above {max(both):,} are measured in server "
            "mode only: beyond that size, or with several workers, set `TREATY_CHROMA_URL` to a Chroma server.")


def scale_targets(rows: list[dict]) -> list[tuple[str, str, str, bool]]:
    """The targets of the scale issue, for the sizes measured."""
    out = []
    for r in rows:
        size, mode = f"{r['chunks'] // 1000:,}k", r["mode"]
        if r["chunks"] >= 100_000:
            out.append((f"retrieval p50 at {size} chunks, {mode}", "< 150 ms", f"{r['search_p50_ms']} ms",
                        r["search_p50_ms"] < 150))
        if r["chunks"] == 100_000:
            out += [(f"open a 100k index, {mode} (time; memory it adds)", "< 5 s; < 400 MB",
                     f"{r['load_s']} s; {num(r['index_memory_mb'])} MB",
                     r["load_s"] < 5 and r["index_memory_mb"] < 400),
                    (f"build 100k chunks from vectors, {mode} (wall; CPU incl. server)", "< 120 s",
                     f"{r['build_s']} s; {r.get('build_cpu_s')} s", r["build_s"] < 120),
                    (f"dense recall@10 vs exact at 100k, {mode}", ">= 0.99", f"{r.get('recall_at_10')}",
                     (r.get("recall_at_10") or 0) >= 0.99),
                    (f"add one document ({r.get('add_document_chunks')} chunks) to 100k, {mode}", "< 30 s",
                     f"{r.get('add_document_s')} s", (r.get("add_document_s") or 1e9) < 30)]
        if r["chunks"] >= 1_000_000 and mode == "server":
            out.append((f"serving process memory at {size}, server (peak RSS incl. model)", "< 1 GB",
                        f"{num(r['process_peak_rss_mb'])} MB", r["process_peak_rss_mb"] < 1024))
    return out


def targets(r: dict) -> list[tuple[str, str, str, bool]]:
    """(what, target, measured, met) for each target of the Performance issue."""
    q, s, rows = r["query_speed"], r["startup"], r["scale"]["rows"]
    out = [
        ("warm retrieval p50, default corpus", "< 50 ms", f"{q['retrieval_p50_ms']} ms", q["retrieval_p50_ms"] < 50),
        ("extractive `ask` p50, default corpus", "< 300 ms", f"{q['ask_p50_ms']} ms", q["ask_p50_ms"] < 300),
        ("unchanged re-ingest (in-process; `treaty ingest` process)", "< 2 s",
         f"{q['warm_reingest_s']} s; {q['warm_reingest_cli_s']} s", q["warm_reingest_s"] < 2),
    ]
    out += scale_targets(rows)
    out += [
        ("embedding throughput of a cold ingest vs bare `encode` (wall; CPU time)", ">= 80 %",
         f"{q['ingest_vs_bare']:.0%}; {q['ingest_vs_bare_cpu']:.0%}", q["ingest_vs_bare"] >= 0.8),
        ("`treaty --help` (median of 5; CPU time)", "< 1 s", f"{s['help_median_s']} s; {s['help_median_cpu_s']} s",
         s["help_median_s"] < 1),
        ("`treaty serve` ready, built index (max; median CPU time)", "< 30 s",
         f"{s['serve_ready_max_s']} s; {s['serve_ready_median_cpu_s']} s", s["serve_ready_max_s"] < 30),
    ]
    return out


def scale_note(r: dict) -> str:
    """When the scale rows were measured apart from the rest of the run (`scale.py --update-latest`)."""
    sc = r["scale"]
    if "date" not in sc:
        return ""
    # rows of several `--append` runs: each row holds its own date and load (at its start and end)
    dates = sorted(row.get("date", sc["date"]) for row in sc["rows"])
    loads = [x for row in sc["rows"] for x in row.get("load_average", [])] or sc["load_average"]
    when = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    return (f"; the scale rows were measured separately, {when} (`bench/scale.py --update-latest`, load "
            f"average {min(loads)}-{max(loads)})")


def section(r: dict) -> str:
    m, q, st, sc, ret = r["machine"], r["query_speed"], r["startup"], r["scale"], r["retrieval"]
    local = q["local"]
    lines = [
        "## Performance", "",
        "`make bench` runs `bench/run.py`: `retrieval.py` (our answers against the textbook LangChain RAG and "
        "BM25 alone), `query_speed.py` (ingest, embedding throughput, query latency, the local generator), "
        "`startup.py`, `scale.py` and `llm_sample.py` (the packaged Qwen on 40 questions, see LLM generators); each prints a table and all results land in `bench/results/latest.json`. "
        "This section is printed from that file by `python bench/readme_table.py` (`--write` puts it here). "
        "Scale sizes: `make bench BENCH_SCALE_SIZES=1000,10000` (default 1k, 10k, 100k; sizes above 100k run in "
        "server mode only). The run below took "
        f"{r['seconds']['total'] // 60} min{scale_note(r)}. API load tests (`bench/load_api.py`, `bench/load_soak.py`) run "
        "separately.", "",
        f"Measured {r['date']} on {m['cpu_count']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, no GPU, Python "
        f"{m['python']}, while other jobs shared the CPU (load average {m['load_average_at_start'][0]} at the start, "
        f"{m['load_average_at_end'][0]} at the end): wall times are noisy upper bounds; CPU times are given where "
        "they tell more.", "",
        "| target | goal | measured | |", "|---|---|---|---|",
    ]
    lines += [f"| {what} | {goal} | {got} | {'met' if ok else '**not met**'} |" for what, goal, got, ok in targets(r)]
    lines += [
        "", "**Ingest and queries** (default corpus, `query_speed.py`; dev questions × "
        f"{q['repeat']}, after a warm-up):", "",
        "| measure | value |", "|---|---|",
        f"| cold ingest | {q['documents']} documents, {q['chunks']} chunks in {q['cold_ingest_s']} s "
        f"({q['chunks_per_s']} chunks/s; {q['cold_ingest_cpu_s']} CPU s), peak RSS {num(q['cold_ingest_peak_rss_mb'])} MB "
        f"(model included), index {q['index_bytes'] / 1e6:.1f} MB |",
        f"| unchanged re-ingest | {q['warm_reingest_s']} s in-process ({q['warm_reingest_embedded']} chunks embedded); "
        f"`treaty ingest` process {q['warm_reingest_cli_s']} s ({q['warm_reingest_cli_cpu_s']} CPU s, "
        f"peak RSS {num(q['warm_reingest_cli_peak_rss_mb'])} MB) |",
        f"| bare `SentenceTransformer.encode`, same {q['chunks']} texts | {q['bare_encode_s']} s "
        f"({q['bare_chunks_per_s']} chunks/s; {q['bare_encode_cpu_s']} CPU s) |",
        f"| throughput vs bare, wall (CPU) | whole ingest {q['ingest_vs_bare']:.0%} ({q['ingest_vs_bare_cpu']:.0%}); "
        f"embedding inside it {q['ingest_embed_vs_bare']:.0%} ({q['ingest_embed_vs_bare_cpu']:.0%}); our encoder alone "
        f"{q['encoder_vs_bare']:.0%} ({q['encoder_vs_bare_cpu']:.0%}). Our encoder sorts texts by length before "
        "batching, as a bare encode does; anything above 100 % is the shared machine, not a speed-up |",
        f"| warm retrieval | p50 {q['retrieval_p50_ms']} ms, p95 {q['retrieval_p95_ms']} ms |",
        f"| extractive `ask` | p50 {q['ask_p50_ms']} ms, p95 {q['ask_p95_ms']} ms |",
    ]
    if "skipped" in local:
        lines.append(f"| `local` generator | not measured: {local['skipped']} |")
    else:
        lines.append(
            f"| `local` generator, {local['why']} ({local['model']}, {local['threads']} threads, {local['questions']} "
            f"questions, {local['refused']} declined after verification) | from the question: first token p50 "
            f"{num(local['first_token_p50_ms'])} ms (p95 {num(local['first_token_p95_ms'])}), first verified text shown p50 "
            f"{num(local['first_shown_p50_ms'])} ms, total p50 {num(local['total_p50_ms'])} ms (p95 "
            f"{num(local['total_p95_ms'])}); first answer incl. model load {local['first_answer_incl_load_s']} s |")
    lines += [
        f"| `treaty --help` | median {st['help_median_s']} s, max {st['help_max_s']} s ({st['help_median_cpu_s']} CPU s) |",
        "| `treaty serve` until `/api/health` is 200 | " + ", ".join(f"{s['ready_s']} s" for s in st["serve"])
        + f" ({st['serve_ready_median_cpu_s']} CPU s); then first `/api/ask` (loads the model) "
        + ", ".join(f"{s['first_ask_s']} s" for s in st["serve"]) + " |",
        "", f"**Scale** (`scale.py`): {sc['method']}. Search p50/p95 include the query embedding; index memory is "
        "the RSS the opened index adds to the process (after the queries in brackets: the pages they touched and, "
        "embedded, Chroma's HNSW graph); server peak RSS is the `chroma run` process; each row's load average is "
        "given in `latest.json`.", "",
        scale_table(sc["rows"]), "", embedded_limit(sc["rows"]),
    ]
    ans = ret["answers"]
    lines += [
        "", f"**Baselines** (`retrieval.py`, same run, {ans['questions']} dev questions, {ans['unanswerable']} of them "
        "unanswerable). Ours is the whole extractive pipeline; the textbook LangChain RAG "
        "(RecursiveCharacterTextSplitter 1000/200, Chroma similarity top-4, no structure, no BM25, no verification) "
        "and BM25 alone (top 5) have no generator, so their citations are their top-k chunks, they never decline, "
        "and their latency is retrieval only. The textbook's hit@5 is a hit@4.", "",
        answer_table(ans["systems"]),
    ]
    sysm = ret["systems"]
    lines += ["", "Retrieval alone (answerable questions): " + "; ".join(
        f"{n} hit@1 {v['hit@1']:.3f}, hit@{v['k']} {v['hit@' + str(v['k'])]:.3f}, MRR {v['mrr']:.3f}, "
        f"p50 {v['p50_ms']:.1f} ms" for n, v in sysm.items()) + "."]
    return "\n".join(line if line.startswith("|") else wrap(line) for line in lines) + "\n"  # tables: one row a line


def wrap(text: str) -> str:
    """Prose wrapped at 100 columns like the rest of the README, never inside a `code span`."""
    kept = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    return textwrap.fill(kept, 100, break_long_words=False, break_on_hyphens=False).replace("\0", " ")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="replace the Performance section of README.md")
    args = ap.parse_args()
    text = section(json.loads(LATEST.read_text()))
    if not args.write:
        print(text)
        return 0
    readme = README.read_text()
    pattern = re.compile(r"^## Performance\n.*?(?=^## |\Z)", re.S | re.M)
    if not pattern.search(readme):
        print("README.md has no '## Performance' section", file=sys.stderr)
        return 1
    README.write_text(pattern.sub(lambda _: text + "\n", readme, count=1))
    print(f"wrote the Performance section of {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
