"""Run questions through an `ask` callable and keep one result record per question in
results.jsonl (appended as each finishes, so an interrupted run can be resumed); then
write summary.json and report.html. Knows nothing of click, Settings or the container.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..errors import EvalError
from .dataset import EvalQuestion
from .metrics import failures, score_question, summarize, summarize_by_category, summarize_by_language

RESULTS, SUMMARY, REPORT, RUN = "results.jsonl", "summary.json", "report.html", "run.json"
# what must be equal for --resume to continue a run rather than mix two
RESUME_KEYS = ("generator", "k", "corpus_version", "judge")

Ask = Callable[[str, list[dict]], dict]  # (question, history) -> Answer.as_dict()
Judge = Callable[[str, str, str], dict]  # (question, answer, reference) -> {"score": float | None, ...}


def cited_sentences(answer: str, citations: list[dict], lang: str = "en") -> list[dict]:
    """ALCE-style citation support: each cited sentence checked by the pipeline's verifier (lexical,
    as in the answer path) against the concatenation of the passages it cites, each with its header (document
    label and article title: metadata is citable, and list answers open each quote with them); a marker
    naming no citation supports nothing. The one lead line in the question's language ("Les documents
    sont en anglais ; …"), an interface string before the quotes, is not a claim and is not checked."""
    from ..answer.sentences import split_cited_sentences
    from ..answer.verify import check_sentence
    from ..i18n import quote_lead

    lead = quote_lead(lang) if lang != "en" else ""
    if lead and lead in answer:  # after a partial answer's uncited note, if any (answer/gaps.py)
        answer = answer.replace(lead, "", 1)

    passages = {c.get("n"): f"{c.get('doc_short_title') or c.get('doc_title', '')}, {c.get('label', '')} "
                             f"{c.get('article_title', '')}\n"
                             f"{c.get('passage') or c.get('quote') or ''}" for c in citations}
    out = []
    for sentence, markers in split_cited_sentences(answer):
        if not markers:
            continue
        cited = [passages[n] for n in markers if passages.get(n)]
        verdict = check_sentence(sentence, "\n\n".join(cited)) if cited else None
        out.append({"sentence": sentence, "markers": markers, "supported": bool(verdict and verdict.supported),
                    "score": verdict.score if verdict else 0.0,
                    "reasons": verdict.reasons if verdict else ["cites no passage"]})
    return out


def answer_record(q: EvalQuestion, ask: Ask, judge: Judge | None = None, k: int = 5) -> dict:
    """One question through the pipeline -> its result record, with every per-question metric."""
    record = q.as_dict()
    started = time.perf_counter()
    try:
        answer = ask(q.question, [dict(t) for t in q.history])
    except Exception as exc:  # a failing question is recorded and the run goes on
        answer, error = {"answer": "", "citations": [], "refused": False}, f"{type(exc).__name__}: {exc}"
    else:
        error = None
    record["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    record.update({
        "answer": answer.get("answer", ""), "citations": answer.get("citations", []),
        "refused": bool(answer.get("refused")), "standalone_question": answer.get("standalone_question", ""),
        "retrieved": answer.get("retrieved", []), "timings_ms": answer.get("timings_ms", {}),
        "unverified": answer.get("unverified", []), "error": error,
    })
    record["cited_sentences"] = cited_sentences(record["answer"], record["citations"], answer.get("lang", "en"))
    if judge is not None and q.reference_answer and not error:
        record["judge"] = judge(q.question, record["answer"], q.reference_answer)
    return score_record(record, k)


def score_record(record: dict, k: int = 5) -> dict:
    record["metrics"] = score_question(record, k)
    record["failures"] = failures(record)
    record["passed"] = not record["failures"]
    return record


def read_results(path: Path) -> list[dict]:
    """Records of a results.jsonl; a line cut short by an interrupted run is dropped."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "id" in record:
            records.append(record)
    return records


def _resume(out_dir: Path, questions: list[EvalQuestion], info: dict) -> dict[str, dict]:
    """Finished records by id, after checking the earlier run used the same settings."""
    results, run = out_dir / RESULTS, out_dir / RUN
    if not results.exists() or not run.exists():
        return {}
    earlier = json.loads(run.read_text(encoding="utf-8"))
    for key in RESUME_KEYS:
        if earlier.get(key) != info.get(key):
            raise EvalError(f"{out_dir} was run with {key}={earlier.get(key)!r}, not {info.get(key)!r}: "
                            "resume with the same settings, or start a new run with another --out.")
    asked = {q.id: q.question for q in questions}
    return {r["id"]: score_record(r, info.get("k", 5)) for r in read_results(results)
            if asked.get(r["id"]) == r.get("question")}


def run_questions(questions: list[EvalQuestion], ask: Ask, out_dir: Path, info: dict, *, resume: bool = False,
                  judge: Judge | None = None,
                  on_progress: Callable[[int, int, dict | None], None] | None = None) -> list[dict]:
    """Answer every question not already finished (with resume); records in question order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = _resume(out_dir, questions, info) if resume else {}
    (out_dir / RUN).write_text(json.dumps(info, indent=1, default=str), encoding="utf-8")
    results = out_dir / RESULTS
    with results.open("w", encoding="utf-8") as fh:  # rewritten: drops a cut-short line and stale ids
        for q in questions:
            if q.id in done:
                fh.write(json.dumps(done[q.id], ensure_ascii=False) + "\n")
        fh.flush()
        if on_progress:
            on_progress(len(done), len(questions), None)
        for q in questions:
            if q.id in done:
                continue
            done[q.id] = answer_record(q, ask, judge, info.get("k", 5))
            fh.write(json.dumps(done[q.id], ensure_ascii=False) + "\n")
            fh.flush()
            if on_progress:
                on_progress(len(done), len(questions), done[q.id])
    return [done[q.id] for q in questions]


def write_outputs(out_dir: Path, records: list[dict], info: dict) -> dict:
    """summary.json and report.html for finished records; returns the summary."""
    from .report import render_report

    summary = {**info, "date": datetime.now(UTC).isoformat(timespec="seconds"), "questions": len(records),
               "passed": sum(r["passed"] for r in records), "errors": sum(bool(r.get("error")) for r in records),
               "metrics": summarize(records, info.get("k", 5))}
    if by_category := summarize_by_category(records, info.get("k", 5)):
        summary["by_category"] = by_category
    if by_language := summarize_by_language(records, info.get("k", 5)):
        summary["by_language"] = by_language
    (out_dir / SUMMARY).write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str), "utf-8")
    (out_dir / REPORT).write_text(render_report(summary, records), "utf-8")
    return summary


def load_run(path: str | Path) -> tuple[dict, list[dict]]:
    """(summary, records) of a finished run folder (or its summary.json)."""
    path = Path(path)
    folder = path.parent if path.name == SUMMARY else path
    if not (folder / SUMMARY).is_file():
        raise EvalError(f"No eval run at {path} (no {SUMMARY}): pass the --out folder of a finished `treaty eval`.")
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    records = read_results(folder / RESULTS) if (folder / RESULTS).is_file() else []
    return summary, [score_record(r, summary.get("k", 5)) for r in records]
