"""Rated answers -> eval questions (JSON Lines in the format of eval/README.md).

An up-vote becomes a regression case: the sources it cited are its expected sources (a
good decline: `answerable: false`). A down-vote becomes a candidate to label: no expected
sources yet and `"needs_label": true`, with the rejected answer kept under `feedback`.
The eval loader ignores the extra fields. Labelling itself is left to a person.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ..models import source_id
from .store import FeedbackEntry, FeedbackError


def cited_sources(citations: list[dict]) -> list[str]:
    sources = (source_id(c.get("doc_id", ""), c.get("article"), c.get("section", "")) for c in citations)
    return list(dict.fromkeys(s for s in sources if s))


def to_eval_question(entry: FeedbackEntry) -> dict:
    good = entry.rating == "up"
    question = {
        "id": f"feedback-{entry.answer_id}",
        "question": entry.question,
        "history": entry.history,
        "answerable": not entry.refused if good else True,
        "expected_sources": cited_sources(entry.citations) if good and not entry.refused else [],
        "must_include": [],
    }
    if not good:
        question["needs_label"] = True
    question["feedback"] = {
        "rating": entry.rating, "comment": entry.comment, "answer": entry.answer, "citations": entry.citations,
        "refused": entry.refused, "corpus_version": entry.corpus_version, "generator": entry.generator,
        "channel": entry.channel,
        "rated_at": datetime.fromtimestamp(entry.updated_at, UTC).isoformat(timespec="seconds"),
    }
    return question


def export_jsonl(entries: list[FeedbackEntry], out: Path, rating: str = "all") -> dict[str, int]:
    """Write the entries (all, or only `up` / `down`) to `out`; returns counts per rating."""
    chosen = [e for e in entries if rating in ("all", e.rating)]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            for entry in chosen:
                f.write(json.dumps(to_eval_question(entry), ensure_ascii=False) + "\n")
    except OSError as exc:
        raise FeedbackError(f"Cannot write {out}: {exc.strerror}: choose another --out file.") from None
    return {r: sum(e.rating == r for e in chosen) for r in ("up", "down")}
