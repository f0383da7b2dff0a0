"""Every decision to answer or decline, and its wording: requests that are not questions
about the documents, articles that do not exist, and questions no retrieved passage supports.

Support is measured, not keyword-matched: relevance = the best passage's cosine similarity
+ coverage_weight x the best IDF-weighted coverage of the question's content words (header
included), against thresholds in `Tuning`. Intent patterns only catch requests to do
something else (write code, tell a joke, ignore instructions).
"""
from __future__ import annotations

import re
from dataclasses import replace

from .terms import IdfTable, content_terms, coverage
from .tuning import Tuning
from .types import Decision, Passage, Turn

_TASKS = [
    re.compile(r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|documents?|rules|prompt|context|above|previous|sources?)\b", re.I),
    re.compile(r"\b(reveal|show|print|repeat|output)\b.{0,30}\b(system prompt|your prompt|your instructions|hidden instructions)\b", re.I),
    re.compile(r"\b(tell|write|give|make|compose)\b.{0,30}\b(joke|poem|song|story|limerick|haiku|essay)\b", re.I),
    re.compile(r"\b(write|generate|create|build|code|give me)\b.{0,40}\b(code|script|program|function|website|web ?site|app|malware|virus|ransomware|exploit|sql|python|javascript|keylogger)\b", re.I),
    re.compile(r"^\s*how\s+(do|can|could|would|should|to)\s+(i|we|you|one|someone)?\s*(make|build|create|write|hack|set up|code|launch|develop|steal|break into|bypass|crack)\b", re.I),
    re.compile(r"^\s*(pretend|act as|role-?play|you are now)\b", re.I),
    re.compile(r"^\s*(please\s+)?translate\b", re.I),
]


def is_task_request(question: str) -> bool:
    return any(rx.search(question) for rx in _TASKS)


def coverage_note(doc_titles: list[str]) -> str:
    """'They cover …' sentence built from what is actually indexed."""
    if not doc_titles:
        return ""
    names = "; ".join(doc_titles[:8]) + ("; and others" if len(doc_titles) > 8 else "")
    return f" They cover: {names}."


def decline_text(decision: Decision, doc_titles: list[str]) -> str:
    if decision.reason == "task":
        lead = "I can only answer questions about the documents I hold, so I cannot do that."
    elif decision.reason == "missing_article":
        lead = decision.detail + " The documents do not cover it."
    else:
        lead = "The documents I hold do not answer this question."
    return lead + coverage_note(doc_titles)


def relevance(query: str, passages: list[Passage], idf: IdfTable, tuning: Tuning) -> tuple[float, float, float]:
    """(relevance, best cosine, best coverage) of the passages for the question."""
    terms = content_terms(query)
    best_dense = max(p.dense for p in passages)
    best_cov = max(coverage(terms, p.context, idf) for p in passages)
    return best_dense + tuning.coverage_weight * best_cov, best_dense, best_cov


def decide(question: str, query: str, retrieval, passages: list[Passage], idf: IdfTable, tuning: Tuning) -> Decision:
    """Answer or decline, and why. `retrieval` is None for requests that are not questions."""
    if retrieval is None or is_task_request(question):
        return Decision(True, "task")
    if retrieval.missing and not retrieval.pinned:
        m = retrieval.missing[0]
        return Decision(True, "missing_article", f"The {m.doc_title} has {m.highest} articles; there is no Article {m.article}.")
    if not passages:
        return Decision(True, "unsupported", "nothing retrieved")
    if not retrieval.pinned:  # a question naming an article is answered from that article
        rel, best_dense, best_cov = relevance(query, passages, idf, tuning)
        if rel < tuning.min_relevance or best_cov < tuning.min_coverage:
            return Decision(True, "unsupported", f"relevance {rel:.2f} (similarity {best_dense:.2f}, coverage {best_cov:.2f})")
    return Decision(False)


def decide_stage(turn: Turn, tuning: Tuning) -> Turn:
    s = turn.standalone
    decision = decide(turn.question, s.query, turn.retrieval, list(turn.passages), turn.retriever.idf, tuning)
    return replace(turn, decision=decision)
