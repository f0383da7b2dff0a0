"""Deciding not to answer: requests that are not questions about the documents, articles
that do not exist, and questions no retrieved passage supports.

Support is measured, not keyword-matched: relevance = the best passage's cosine
similarity + 0.5 x the best IDF-weighted coverage of the question's content words (header
included), against thresholds calibrated on the dev set (Settings.min_relevance,
Settings.min_coverage; see bench/calibrate.py). Intent patterns only catch
requests to do something else (write code, tell a joke, ignore instructions).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_TASKS = [
    re.compile(r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|documents?|rules|prompt|context|above|previous|sources?)\b", re.I),
    re.compile(r"\b(reveal|show|print|repeat|output)\b.{0,30}\b(system prompt|your prompt|your instructions|hidden instructions)\b", re.I),
    re.compile(r"\b(tell|write|give|make|compose)\b.{0,30}\b(joke|poem|song|story|limerick|haiku|essay)\b", re.I),
    re.compile(r"\b(write|generate|create|build|code|give me)\b.{0,40}\b(code|script|program|function|website|web ?site|app|malware|virus|ransomware|exploit|sql|python|javascript|keylogger)\b", re.I),
    re.compile(r"^\s*how\s+(do|can|could|would|should|to)\s+(i|we|you|one|someone)?\s*(make|build|create|write|hack|set up|code|launch|develop|steal|break into|bypass|crack)\b", re.I),
    re.compile(r"^\s*(pretend|act as|role-?play|you are now)\b", re.I),
    re.compile(r"^\s*(please\s+)?translate\b", re.I),
]


@dataclass(frozen=True)
class Decision:
    decline: bool
    reason: str = ""  # task | missing_article | unsupported
    detail: str = ""


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
