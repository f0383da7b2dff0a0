"""Answerability evidence: what the question asks for against what the corpus and the retrieved
passages hold. Features only; `decide.py` combines them with `Tuning.decline_weights`.

Features (all in 0..1 or small counts): best similarity and term coverage of the passages,
the closest sentence's similarity,
the question's terms and names that no document contains, and question types whose answer
kind no passage holds (asks.py: a time, a calendar date, a count of the thing asked about).
A question not in English has them as FOREIGN
copies (plus the ranker's top score, which carries the multilingual similarity), the English
ones zero: English words unknown to the corpus mean something else in a French question, so
the two are separate models, each fitted on its own questions.
"""
from __future__ import annotations

import re

import numpy as np

from vectorstore.lexical import tokenize

from . import asks
from .terms import IdfTable, content_terms, coverage, foreign
from .types import Passage

BASE = (
    "bias", "best_dense", "best_cov", "best_header_cov", "unknown_terms", "unknown_names", "names_not_in_passages",
    "time_missing", "calendar_missing", "count_missing", "top_margin", "any_unknown_term", "best_unit",
)
FOREIGN = (*(f"foreign_{f}" for f in BASE), "foreign_top_score")
DECLINE_FEATURES = BASE + FOREIGN
# capitalised words or acronyms, words with digits ("NIS2", "108"), not the question's first word
_NAMEISH = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][A-Za-z0-9’'-]+|[a-z]*\d[\w-]*)")
_MULTI_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:(?:of|on|for|and|the)\s*)?[A-Z][\w’'-]+)+")


def _unknown_share(terms: list[str], idf: IdfTable) -> float:
    total = sum(idf(t) for t in set(terms))
    return sum(idf(t) for t in set(terms) if not idf.known(t)) / total if total else 0.0


def features(question: str, query: str, passages: list[Passage], idf: IdfTable, scores: list[float],
             best_unit: float = 0.0) -> np.ndarray:
    """The DECLINE_FEATURES vector of one question (after condensing) and its top passages:
    the BASE part for a question in English, the FOREIGN part for another language;
    `best_unit`: the highest cosine of the question with a sentence of them (unit_vectors.best_cosine)."""
    x = base_features(question, query, passages, idf, scores, best_unit)
    if not foreign(query):
        return np.concatenate([x, np.zeros(len(FOREIGN))])
    return np.concatenate([np.zeros(len(BASE)), x, [scores[0] if scores else 0.0]])


def base_features(question: str, query: str, passages: list[Passage], idf: IdfTable, scores: list[float],
                  best_unit: float = 0.0) -> np.ndarray:
    """The BASE features of one question and its top passages."""
    terms = content_terms(query)
    top = passages[:3]
    text = " ".join(p.text for p in top)
    names = {w.strip("’'-") for w in _NAMEISH.findall(question)}
    unknown_names = [n for n in names if n and not all(idf.known(t) for t in tokenize(n))]
    multi = [n for n in _MULTI_NAME.findall(question) if len(n.split()) >= 2]
    missing_multi = [n for n in multi if n.lower() not in " ".join(p.context for p in passages).lower()]
    margin = (scores[0] - scores[min(4, len(scores) - 1)]) if len(scores) > 1 else 0.0
    return np.array([
        1.0,
        max((p.dense for p in passages), default=0.0),
        max((coverage(terms, p.context, idf) for p in passages), default=0.0),
        max((coverage(terms, p.context[: max(0, len(p.context) - len(p.text))], idf) for p in passages), default=0.0),
        _unknown_share(terms, idf),
        min(len(unknown_names), 3) / 3,
        min(len(missing_multi), 2) / 2,
        float(asks.asks_time(question) and not asks.has_time(text)),
        float(asks.asks_calendar_date(question) and not asks.has_calendar_date(text)),
        float(asks.asks_count(question) and not asks.has_count(question, text)),
        max(min(margin, 5.0), 0.0) / 5.0,
        float(any(not idf.known(t) for t in terms)),
        best_unit,
    ])
