"""Retrieval benchmark: our Retriever vs the textbook LangChain RAG vs BM25 alone, on a question file
(eval/dev.jsonl, eval/train.jsonl), overall and per category.

Retrieval: hit@1, hit@k and MRR against each answerable question's expected_sources, and
p50/p95 latency per query, plus the questions our retriever misses. A follow-up question
is searched together with the last user turn of its history.
Answers, on every question (unanswerable ones too), scored by `treaty eval`'s metrics:
ours is the whole extractive pipeline (`AnswerPipeline.ask`); a baseline has no generator,
no verification and no threshold, so its "citations" are its top-k chunks and it never
declines (correct-decline rate 0), and its latency is retrieval only. Writes
bench/results/retrieval.json.

The textbook chunks (1000 characters, 200 overlap) are labelled with every article they
overlap, as a reader of the chunk sees them, so a chunk holding the end of Article 6 and
the start of Article 7 counts for both.

    .venv/bin/python bench/retrieval.py [--questions eval/dev.jsonl] [--index data/index]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from assistant.evaluation.dataset import load_questions  # noqa: E402
from assistant.evaluation.metrics import matches, percentile, summarize  # noqa: E402
from assistant.evaluation.runner import answer_record  # noqa: E402

K = 5
TEXTBOOK_K = 4  # LangChain's default similarity_search k
# headings of the treaty Markdown: "# Preamble" / "# Annex…" (level 1) and "### Article N"
_HEADING = re.compile(r"^(?:#\s+(?P<h1>.+)|###\s+Article\s+(?P<art>\d+)\b.*)$", re.M | re.I)


@dataclass
class System:
    name: str
    k: int
    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the first expected hit
    latencies_ms: list[float] = field(default_factory=list)
    tops: list[list[str]] = field(default_factory=list)  # sources of the top-k hits, per question
    categories: list[str] = field(default_factory=list)

    def record(self, expected: list[str], hits: list[dict], ms: float, category: str = "") -> None:
        rank = next((i for i, h in enumerate(hits[: self.k], 1)
                     if any(matches(e, x) for e in expected for x in h.get("_labels", [h]))), None)
        self.ranks.append(rank)
        self.latencies_ms.append(ms)
        self.tops.append([source(h) for h in hits[: self.k]])
        self.categories.append(category or "(none)")

    def summary(self, category: str | None = None) -> dict:
        ranks = [r for r, c in zip(self.ranks, self.categories, strict=True) if category in (None, c)]
        n = len(ranks)
        out = {
            "k": self.k, "n": n,
            "hit@1": round(sum(r == 1 for r in ranks) / n, 4),
            f"hit@{self.k}": round(sum(r is not None for r in ranks) / n, 4),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        }
        if category is None:
            out.update(p50_ms=round(percentile(self.latencies_ms, 50), 2),
                       p95_ms=round(percentile(self.latencies_ms, 95), 2))
        return out


def source(hit: dict) -> str:
    from assistant.models import source_id

    return source_id(hit.get("doc_id", ""), hit.get("article"), hit.get("section", ""))


def query_of(question: str, history) -> str:
    """The question, or for a follow-up the last user turn followed by the question."""
    users = [t["content"] for t in history if t["role"] == "user"]
    return f"{users[-1]} {question}" if users else question


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - start) * 1000


def ours(settings, corpus: Path):
    """Our retriever and extractive answer pipeline over the project's index (brought up to date first: embeds only changes)."""
    from assistant.indexing import run_ingest
    from assistant.wiring import Container

    c = Container(settings)
    report = run_ingest([corpus], c.store, c.embedder.encode)
    print(f"index {settings.index_dir}: {report.chunks} chunks, embedded {report.embedded}", file=sys.stderr)
    retriever = c.retriever()
    pipeline = c.pipeline("extractive")

    def search(query: str) -> list[dict]:
        return [h.metadata for h in retriever.retrieve(query, k=K).hits[:K]]

    def ask(question: str, history: list[dict]) -> dict:
        return pipeline.ask(question, history).as_dict()

    return search, ask


def sections_in(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """(section, article) of the treaty heading in force at `start` and of every heading before `end`."""
    found: list[tuple[str, int]] = [("", 0)]
    for m in _HEADING.finditer(text, 0, end):
        if m.group("art"):
            here = ("article", int(m.group("art")))
        else:  # a level-1 heading starts a new part: preamble, annex, or something else
            title = m.group("h1").strip().lower()
            here = (next((name for name in ("preamble", "annex") if title.startswith(name)), ""), 0)
        if m.start() <= start:
            found = [here]
        else:
            found.append(here)
    return list(dict.fromkeys(found))


def textbook(documents, embedder, workdir: Path):
    """RecursiveCharacterTextSplitter(1000, 200) over raw bodies -> langchain Chroma -> similarity_search(k=4)."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    texts = {d.doc_id: d.text for d in documents}
    chunks = splitter.create_documents(list(texts.values()), metadatas=[{"doc_id": i} for i in texts])
    store = Chroma(
        collection_name="textbook", embedding_function=embedder, persist_directory=str(workdir),
        client_settings=chromadb.Settings(anonymized_telemetry=False),
    )
    started = time.perf_counter()
    store.add_documents(chunks)
    print(f"textbook: {len(chunks)} chunks embedded in {time.perf_counter() - started:.1f}s", file=sys.stderr)

    def search(query: str) -> list[dict]:
        hits = []
        for doc in store.similarity_search(query, k=TEXTBOOK_K):
            doc_id = doc.metadata["doc_id"]
            start = doc.metadata["start_index"]
            labels = [{"doc_id": doc_id, "section": sec, "article": art}
                      for sec, art in sections_in(texts[doc_id], start, start + len(doc.page_content))]
            hits.append({**labels[0], "_labels": labels})
        return hits

    return search


def bm25(chunks):
    """BM25 alone (our tokenizer) over our chunks' embed texts."""
    import numpy as np

    from vectorstore import LexicalIndex

    index = LexicalIndex([c.embed_text for c in chunks])

    def search(query: str) -> list[dict]:
        scores = index.scores(query)
        return [chunks[i].metadata for i in np.argsort(-scores)[:K] if scores[i] > 0]

    return search


def answers_from(search):
    """A baseline's "answer": its top-k chunks as citations and retrieved passages; it never declines."""
    def ask(question: str, history: list[dict]) -> dict:
        hits = search(query_of(question, history))
        return {"answer": "", "refused": False, "citations": hits,
                "retrieved": [{"source": source(h), "rank": i} for i, h in enumerate(hits, 1)]}

    return ask


# metric -> label, in table order
ANSWER_METRICS = {"hit@5": "hit@5", "citation_hit": "citation hit", "citation_precision": "citation precision",
                  "correct_decline": "correct declines", "false_decline": "false declines",
                  "latency_p50_ms": "latency p50 ms", "latency_p95_ms": "latency p95 ms"}


def answer_table(answers: dict[str, dict]) -> str:
    """Answer-level metrics per system ({name: {metric: value}}), and ours (the first) divided by each other's."""
    names = list(answers)
    lines = ["| metric | " + " | ".join(names) + " | " + " | ".join(f"ours ÷ {n}" for n in names[1:]) + " |",
             "|---|" + "---:|" * (2 * len(names) - 1)]
    for metric, label in ANSWER_METRICS.items():
        values = [answers[n][metric] for n in names]
        shown = ["n/a" if v is None else f"{v:.1f}" if metric.startswith("latency") else f"{v:.3f}" for v in values]
        ratios = ["n/a" if values[0] is None or not v else f"{values[0] / v:.2f}" for v in values[1:]]
        lines.append(f"| {label} | " + " | ".join(shown) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def table(systems: list[System]) -> str:
    lines = ["| retriever | hit@1 | hit@5 (textbook: hit@4) | MRR | p50 ms | p95 ms |", "|---|---:|---:|---:|---:|---:|"]
    for s in systems:
        m = s.summary()
        lines.append(f"| {s.name} | {m['hit@1']:.3f} | {m[f'hit@{s.k}']:.3f} | {m['mrr']:.3f} | "
                     f"{m['p50_ms']:.1f} | {m['p95_ms']:.1f} |")
    return "\n".join(lines)


def category_table(systems: list[System]) -> str:
    """hit@1 / hit@k / MRR per category, the systems side by side."""
    cats = sorted(set(systems[0].categories))
    lines = ["| category | n | " + " | ".join(f"{s.name}: hit@1 / hit@{s.k} / MRR" for s in systems) + " |",
             "|---|---:|" + "---|" * len(systems)]
    for c in cats:
        cells = []
        for s in systems:
            m = s.summary(c)
            cells.append(f"{m['hit@1']:.2f} / {m[f'hit@{s.k}']:.2f} / {m['mrr']:.2f}")
        lines.append(f"| {c} | {systems[0].summary(c)['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: TREATY_INDEX_DIR or data/index)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "retrieval.json")
    args = parser.parse_args(argv)

    from assistant.config import load_settings
    from ingest import load_corpus
    from vectorstore import PackagedMiniLM

    settings = load_settings(index_dir=args.index, corpus_dirs=[args.corpus])
    every = load_questions(args.questions).questions
    questions = [q for q in every if q.answerable]
    embedder = PackagedMiniLM()  # the textbook recipe's model; ours uses the configured embedder
    load = load_corpus([args.corpus])
    our_search, our_ask = ours(settings, args.corpus)
    systems: list[tuple[System, object]] = [(System("ours (hybrid + structure)", K), our_search)]
    answers: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-textbook-") as tmp:
        systems.append((System("textbook LangChain RAG", TEXTBOOK_K), textbook(load.documents, embedder, Path(tmp))))
        systems.append((System("BM25 only", K), bm25(load.chunks)))
        for system, search in systems:
            search("warm-up query")  # model load and caches are not per-question latency
            for q in questions:
                hits, ms = timed(search, query_of(q.question, q.history))
                system.record(list(q.expected_sources), hits, ms, q.category)
        for system, search in systems:
            ask = our_ask if search is our_search else answers_from(search)
            ask("What is illegal access?", [])  # warm-up
            summary = summarize([answer_record(q, ask) for q in every])
            answers[system.name] = {m: summary[m]["value"] for m in ANSWER_METRICS}

    ranked = [s for s, _ in systems]
    print(f"Retrieval on {args.questions.name}: {len(questions)} answerable questions\n")
    print(table(ranked))
    print(f"\nPer category\n\n{category_table(ranked)}")
    print(f"\nAnswers on {args.questions.name}: {len(every)} questions ({len(every) - len(questions)} unanswerable)\n")
    print(answer_table(answers))
    mine = ranked[0]
    misses = [
        {"id": q.id, "question": q.question, "expected": list(q.expected_sources), "rank": rank, "top": top}
        for q, rank, top in zip(questions, mine.ranks, mine.tops, strict=True)
        if rank != 1
    ]
    print(f"\nOur retriever, questions not answered by the top hit ({len(misses)}):")
    for m in misses:
        where = f"rank {m['rank']}" if m["rank"] else f"MISS@{K}"
        print(f"  {m['id']} [{where}] {m['question']}\n      expected {', '.join(m['expected'])}; got {', '.join(m['top'][:3])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "questions": len(questions),
        "file": str(args.questions.relative_to(ROOT) if args.questions.is_relative_to(ROOT) else args.questions),
        "systems": {s.name: s.summary() for s in ranked},
        "categories": {s.name: {c: s.summary(c) for c in sorted(set(s.categories))} for s in ranked},
        "answers": {
            "questions": len(every), "unanswerable": len(every) - len(questions),
            "method": "ours: AnswerPipeline.ask (extractive); baselines: citations = their top-k chunks, never decline, "
                      "latency = retrieval only; all scored with assistant.evaluation.metrics",
            "systems": answers,
        },
        "misses": misses,
    }, indent=1) + "\n")
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
