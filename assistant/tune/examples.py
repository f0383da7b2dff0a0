"""Question files -> fitting examples: each question's candidates with their feature rows,
which candidates are expected sources, and the pinned (named-article) chunks.

The same stages as the chat (understand, then the retriever's candidates), so what is
fitted is what runs. Candidates that no expected source matches are negatives.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..answer.decide import rule_decision
from ..answer.types import Turn
from ..answer.understand import understand
from ..evaluation.metrics import matches_any
from ..i18n import detect
from ..models import source_id


@dataclass
class Example:
    qid: str
    category: str
    answerable: bool
    expected: tuple[str, ...]
    rows: list[int]
    X: np.ndarray
    positive: np.ndarray  # bool per candidate
    pinned: list[int]  # rows of named-article chunks, in order (they lead the ranking)
    pinned_positive: list[bool]
    query: str = ""
    question: str = ""
    rule_decline: bool = False  # a rule of decide.rule_decision declines it (a missing article, "today", …)
    query_vec: np.ndarray | None = None  # the (condensed) question's embedding
    vectors: np.ndarray | None = None  # the candidates' stored vectors: the query adapter is fitted on them
    foreign: bool = False  # not in English: the FOREIGN ranking columns are filled, the foreign decline model applies
    lang: str = "en"
    group: str = ""  # the original question's id: a question and its translations share one fold


def row_source(index, row: int) -> dict:
    m = index.metadatas[row]
    return {"source": source_id(m.get("doc_id", ""), m.get("article"), m.get("section", ""))}


def build_examples(questions, container) -> list[Example]:
    retriever = container.retriever()
    index = retriever.index
    out = []
    for q in questions:
        turn = understand(Turn(question=q.question, history=list(q.history)), retriever,
                          container.settings.max_question_chars)
        s = turn.standalone
        qvec = index.embedder.embed_query(s.query)
        cands = retriever.candidates(s.query, s.refs, qvec)
        pinned: list[int] = []
        ret = retriever.retrieve(s.query, refs=s.refs, query_vec=qvec)
        if s.refs.articles:
            pinned = [index.row[h.id] for h in ret.hits[: ret.pinned]]
        rule = rule_decision(turn.question, ret) is not None  # the chat's rules decide it, not the model
        positive = np.array([matches_any(list(q.expected_sources), row_source(index, r)) for r in cands.rows])
        out.append(Example(q.id, q.category or ("answerable" if q.answerable else "unanswerable"), q.answerable,
                           tuple(q.expected_sources), cands.rows, cands.X, positive, pinned,
                           [matches_any(list(q.expected_sources), row_source(index, r)) for r in pinned], s.query,
                           turn.question, rule, np.asarray(qvec, dtype=np.float32), index.vectors(cands.rows),
                           cands.foreign, q.lang or detect(q.question), q.source_id or q.id))
    return out
