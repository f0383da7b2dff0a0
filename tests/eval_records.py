"""A small hand-checked set of eval result records (no pipeline needed), and the run-level
values they must give. Used by the metric, CLI (--compare) and report tests.

    A  answerable, cites art. 7 (expected), art. 8 and the annex; retrieved art. 7 first    -> passes
    B  answerable, expected art. 9 or the whole "other-doc"; cites other-doc; 1 of 2 must_include
    C  answerable, declined; the expected annex only at retrieval rank 6
    D  unanswerable, declined                                                                -> passes
    E  unanswerable, answered with a citation
"""
from __future__ import annotations

import copy

UN = "un-convention-against-cybercrime"


def cite(n: int, doc: str, article: int | None, section: str, quote: str = "q", passage: str = "p") -> dict:
    return {"n": n, "doc_id": doc, "doc_title": doc.title(), "label": f"Art. {article}" if article else section,
            "article": article, "paragraph": None, "quote": quote, "source_url": "", "chunk_id": f"{doc}:{n}",
            "section": section, "passage": passage}


def hit(rank: int, source: str) -> dict:
    return {"chunk_id": f"{source}:{rank}", "rank": rank, "label": source.partition("#")[2] or "doc",
            "doc_id": source.partition("#")[0], "source": source}


def _record(qid: str, answerable: bool, expected: list[str], must: list[str], answer: str, refused: bool,
            citations: list[dict], retrieved: list[dict], sentences: list[bool], latency: float, **extra) -> dict:
    return {"id": qid, "question": f"Question {qid}?", "history": [], "answerable": answerable,
            "expected_sources": expected, "must_include": must, "reference_answer": "", "answer": answer,
            "citations": citations, "refused": refused, "retrieved": retrieved, "timings_ms": {"total": latency},
            "latency_ms": latency, "error": None, "unverified": [],
            "cited_sentences": [{"sentence": f"s{i}", "markers": [1], "supported": ok, "score": 0.9 if ok else 0.2}
                                for i, ok in enumerate(sentences)], **extra}


_RECORDS = [
    _record("A", True, [f"{UN}#art-7"], ["without right", "intent|intentionally"],
            "Access WITHOUT RIGHT, committed intentionally, is an offence [1][2]. See the notes [3].", False,
            [cite(1, UN, 7, "article", "without right"), cite(2, UN, 8, "article"), cite(3, UN, None, "annex")],
            [hit(1, f"{UN}#art-7"), hit(2, f"{UN}#art-8")], [True, False], 100.0,
            judge={"score": 0.8, "reply": "SCORE: 0.8"}),
    _record("B", True, [f"{UN}#art-9", "other-doc"], ["deletion|damaging", "alteration"],
            "Damaging data is covered [1].", False, [cite(1, "other-doc", None, "body")],
            [hit(1, f"{UN}#art-2"), hit(2, "other-doc#art-3")], [True], 200.0,
            judge={"score": None, "reply": "no idea"}),
    _record("C", True, [f"{UN}#annex"], ["interpretative"], "The documents do not answer this question.", True,
            [], [hit(r, f"{UN}#art-{r}") for r in range(1, 6)] + [hit(6, f"{UN}#annex")], [], 300.0),
    _record("D", False, [], [], "The documents do not answer this question.", True, [], [], [], 400.0),
    _record("E", False, [], [], "Paris is the capital [1].", False, [cite(1, UN, 3, "article")],
            [hit(1, f"{UN}#art-3")], [True], 500.0),
]

# name -> (value, n), worked out by hand from the records above
EXPECTED = {
    "hit@1": (1 / 3, 3),  # A only
    "hit@5": (2 / 3, 3),  # A (rank 1), B (other-doc at rank 2); C's annex is at rank 6
    "mrr": ((1 + 1 / 2 + 1 / 6) / 3, 3),
    "citation_hit": (2 / 3, 3),  # A, B; C cites nothing
    "citation_precision": ((1 / 3 + 1) / 2, 2),  # A 1 of 3, B 1 of 1; C has no citations
    "citation_support": ((1 / 2 + 1) / 2, 2),  # A 1 of 2 sentences, B 1 of 1; E is unanswerable
    "must_include_recall": ((1 + 1 / 2 + 0) / 3, 3),
    "correct_decline": (1 / 2, 2),  # D declined, E answered
    "false_decline": (1 / 3, 3),  # C
    "judge_correctness": (0.8, 1),  # B's reply had no score
    "pass_rate": (2 / 5, 5),  # A, D
    "latency_p50_ms": (300.0, 5),
    "latency_p95_ms": (480.0, 5),  # 400 + 0.8 * (500 - 400)
}
FAILURES = {
    "A": [],
    "B": ["missing 'alteration'"],
    "C": ["declined", "no citation of an expected source", "missing 'interpretative'"],
    "D": [],
    "E": ["answered an unanswerable question"],
}


def records() -> list[dict]:
    """A fresh deep copy (tests may mutate them)."""
    return copy.deepcopy(_RECORDS)
