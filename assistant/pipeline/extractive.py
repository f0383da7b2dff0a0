"""The default generator: extractive and grounded, no LLM.

Scores every sentence / lettered item of the retrieved passages against the question
(IDF-weighted coverage of its content words, the passage's rank, lead-sentence and
definition bonuses), leads with a direct answer span where the question asks how long,
how many or when, and quotes the chosen units verbatim with `[n]` markers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from vectorstore.lexical import tokenize

from .text import content_terms, units

MAX_UNITS = 3
MAX_WORDS = 160
_DURATION = re.compile(r"\b(?:(?:for a period of|up to|not exceeding|within|at least|a maximum of)\s+){0,4}(?:a maximum of\s+)?\d+\s+(?:days?|months?|years?|hours?)\b", re.I)
_COUNT = re.compile(r"\b\d[\d,]*\b")
_DATE = re.compile(r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}\b")
_DEFINITION_Q = re.compile(r"^\s*(?:what|how)\s+(?:is|are|does .* define)\b", re.I)


@dataclass(frozen=True)
class Passage:
    """A numbered passage offered to a generator."""

    n: int
    text: str
    label: str
    doc_title: str
    score: float = 0.0
    context: str = ""  # the passage as indexed (header + text): what it is about


@dataclass(frozen=True)
class Unit:
    n: int  # passage number
    pos: int  # position inside the passage
    text: str
    score: float


class IdfTable:
    """Inverse document frequency of stemmed terms over the indexed chunks."""

    def __init__(self, texts: list[str]):
        df: dict[str, int] = {}
        for text in texts:
            for term in set(tokenize(text)):
                df[term] = df.get(term, 0) + 1
        self.n = max(len(texts), 1)
        self.df = df

    def __call__(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def known(self, term: str) -> bool:
        return term in self.df


def coverage(terms: list[str], text: str, idf: IdfTable) -> float:
    """IDF-weighted share of the question's content terms that occur in `text`."""
    if not terms:
        return 0.0
    have = set(tokenize(text))
    total = sum(idf(t) for t in set(terms))
    return sum(idf(t) for t in set(terms) if t in have) / total if total else 0.0


def score_units(question: str, passages: list[Passage], idf: IdfTable) -> list[Unit]:
    terms = content_terms(question)
    definition = bool(_DEFINITION_Q.match(question))
    scored: list[Unit] = []
    for rank, p in enumerate(passages):
        about = 0.25 * coverage(terms, p.context, idf) if p.context else 0.0
        for pos, text in enumerate(units(p.text)):
            words = len(text.split())
            cov = coverage(terms, text, idf)
            s = cov + about + 0.35 / (1 + rank) + (0.1 if pos == 0 else 0.0)
            if definition and ("shall mean" in text or " means " in text):
                s += 0.15 * cov
            if words < 6 or text.endswith(":") and words < 15:
                s -= 0.3  # bare intros ("For the purposes of this Convention:") answer nothing
            if p.doc_title and text.strip(" .") == p.doc_title.strip(" ."):
                s -= 0.5  # a page's title repeated as its first line is not an answer
            scored.append(Unit(p.n, pos, text, s))
    return scored


def _count_span(question: str, text: str) -> str | None:
    """A number written next to a word of the question ("72 signatories", "Signatories: 72")."""
    terms = set(content_terms(question))
    for m in re.finditer(r"(?<![A-Za-z-])-*+([A-Za-z][A-Za-z-]++)\s*(?::\s*)?(\d[\d,]*)(?![\d)])|(?<![\d,]),*+(\d[\d,]*+)\s+([A-Za-z][A-Za-z-]+)", text):
        word, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if set(tokenize(word)) & terms:
            return f"{word} {number}" if m.group(1) else f"{number} {word}"
    return None


def direct_answer(question: str, text: str) -> str | None:
    """A short verbatim span answering how long / how many / when, if the text has one."""
    q = question.lower()
    if "how many" in q:
        span = _count_span(question, text)
        return span[0].upper() + span[1:] if span else None
    rx = _DURATION if ("how long" in q or "duration" in q or "period" in q) else (
        _DATE if q.startswith("when") or "what date" in q else (_COUNT if "how many" in q else None))
    if rx is None:
        return None
    m = rx.search(text)
    if not m:
        return None
    span = m.group(0).strip()
    return span[0].upper() + span[1:]


def _with_items(chosen: list[Unit], scored: list[Unit]) -> list[Unit]:
    """A chosen unit that ends with ':' is followed by the items it introduces."""
    out: list[Unit] = []
    for u in chosen:
        if u in out:
            continue
        out.append(u)
        if u.text.rstrip().endswith(":"):
            words = sum(len(x.text.split()) for x in out)
            for nxt in sorted((x for x in scored if x.n == u.n and x.pos > u.pos), key=lambda x: x.pos):
                if words + len(nxt.text.split()) > MAX_WORDS * 1.5 or nxt in out:
                    break
                out.append(nxt)
                words += len(nxt.text.split())
    return out


def compose(question: str, passages: list[Passage], idf: IdfTable) -> list[tuple[str, int]]:
    """[(verbatim sentence, passage number)] answering the question, best first."""
    scored = score_units(question, passages, idf)
    if not scored:
        return []
    best = max(scored, key=lambda u: u.score)
    chosen = [best]
    for u in sorted(scored, key=lambda u: -u.score):
        if len(chosen) >= MAX_UNITS or sum(len(c.text.split()) for c in chosen) >= MAX_WORDS:
            break
        if u is best or u.score < 0.6 * best.score:
            continue
        if sum(1 for c in chosen if c.n == u.n) >= 2 and u.n != best.n:
            continue
        chosen.append(u)
    # keep the best unit first, the rest in document order of their passages
    rest = sorted(chosen[1:], key=lambda u: (u.n, u.pos))
    ordered = _with_items([best, *rest], scored)
    out = [(u.text, u.n) for u in ordered]
    # an intro that ends with ':' reads better with the items after it
    # a direct answer span: from the chosen units, else from any unit of the best passages
    for u in [*ordered, *sorted(scored, key=lambda u: -u.score)]:
        lead = direct_answer(question, u.text)
        if lead:
            if u not in ordered:
                out.append((u.text, u.n))
            out.insert(0, (lead.rstrip(".") + ".", u.n))
            break
    return out


def render(sentences: list[tuple[str, int]]) -> Iterator[str]:
    """Yield the answer sentence by sentence, each followed by its marker."""
    for i, (text, n) in enumerate(sentences):
        sep = "" if i == 0 else " "
        body = text.rstrip()
        if body and body[-1] in ".;:":
            body, end = body[:-1], body[-1] if body[-1] != ";" and body[-1] != ":" else "."
        else:
            end = "."
        yield f"{sep}{body} [{n}]{end}"


class ExtractiveGenerator:
    """Quotes the passages' own words; needs no model and answers in milliseconds."""

    name = "extractive"

    def __init__(self, idf: IdfTable | None = None):
        self.idf = idf

    def stream(self, question: str, passages: list[Passage], context: dict | None = None) -> Iterator[str]:
        idf = (context or {}).get("idf") or self.idf or IdfTable([p.text for p in passages])
        yield from render(compose(question, passages, idf))
