"""The default generator: extractive and grounded, no LLM.

Scores every sentence / lettered item of the retrieved passages against the question
(IDF-weighted coverage of its content words, its cosine with the question from the
stored unit vectors, the passage's rank, lead-sentence and definition bonuses), leads with
a direct answer span where the question asks how long, how many or when, and quotes the
chosen units verbatim with `[n]` markers.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from vectorstore.lexical import tokenize

from ..asks import asks_date
from ..sentences import ITEM, units
from ..sentences import render as render_sentence
from ..terms import IdfTable, asks_comparison, asks_definition, asks_list, comparison_cues, content_terms, coverage
from ..tuning import DEFAULT, Tuning
from ..types import Passage
from ..unit_vectors import cosines

_DURATION = re.compile(r"\b(?:(?:for a period of|up to|not exceeding|within|at least|a maximum of)\s+){0,4}(?:a maximum of\s+)?\d+\s+(?:days?|months?|years?|hours?)\b", re.I)
# a definition sentence: the quoted term, then "means" / "shall mean" ('"computer data" means any ...')
_DEFINES = re.compile(r"[\"“‘']([^\"”’']{2,80})[\"”’']\s+(?:shall\s+)?means?\b", re.I)
_DATE = re.compile(r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}\b"
                   r"|\b(?:19|20)\d\d-[01]\d-[0-3]\d\b")  # or ISO, as a document's date is recorded


@dataclass(frozen=True)
class Unit:
    n: int  # passage number
    pos: int  # position inside the passage
    text: str
    score: float


def defines_asked_term(question: str, text: str) -> bool:
    """The unit defines a term whose words all appear in the question."""
    asked = set(tokenize(question))
    return any(set(tokenize(m.group(1))) <= asked for m in _DEFINES.finditer(text) if tokenize(m.group(1)))


def unit_similarity(passages: list[Passage], query_vec, unit_vectors) -> dict[tuple[int, int], float]:
    """(passage number, unit position) -> the unit's cosine with the query vector minus the best
    unit's, or {} without vectors."""
    if query_vec is None or unit_vectors is None:
        return {}
    keys = [(p.n, pos, text) for p in passages for pos, text in enumerate(units(p.text))]
    if not keys:
        return {}
    sims = cosines([text for _, _, text in keys], query_vec, unit_vectors)
    # relative to the unit closest in meaning (0 for it, negative for the rest): a raw cosine would
    # lift every unit alike, past keep_ratio, and quote more passages (measured: citation precision
    # 0.817 -> 0.788 at weight 1, against 0.817 -> 0.817 relative; bench/composer_fit.py)
    sims = sims - sims.max()
    return {(n, pos): float(s) for (n, pos, _), s in zip(keys, sims, strict=True)}


def score_units(question: str, passages: list[Passage], idf: IdfTable, t: Tuning = DEFAULT,
                carried: str = "", avoid: frozenset = frozenset(), similarity: dict | None = None) -> list[Unit]:
    """Every unit's score; `carried`: the earlier questions a follow-up leans on (weighed less),
    `avoid`: units the previous answer already quoted (a follow-up asks for something new),
    `similarity`: (passage number, position) -> the unit's cosine with the question."""
    similarity = similarity or {}
    cues = comparison_cues(question)
    terms = [x for x in content_terms(question) if x not in cues]
    old = [x for x in content_terms(carried) if x not in set(terms) and x not in cues]
    definition = asks_definition(question)
    scored: list[Unit] = []
    top = max((p.score for p in passages), default=0.0)
    for rank, p in enumerate(passages):
        texts = units(p.text)
        # a paragraph the previous answer quoted from: a follow-up asks for more of it
        quoted = bool(avoid) and any(x.rstrip(".;: ") in avoid for x in texts)
        # how far the ranker put this passage behind the first one (1.0 for the first)
        confidence = math.exp(max(p.score - top, -10.0)) if t.rank_by_score else 1.0 / (1 + rank)
        about = t.about_weight * coverage(terms + old, p.context, idf) if p.context else 0.0
        for pos, text in enumerate(texts):
            words = len(text.split())
            cov = coverage(terms, text, idf) + (t.carry_weight * coverage(old, text, idf) if old else 0.0)
            if text.rstrip(".;: ") in avoid:
                cov -= t.repeat_penalty
            elif quoted:
                cov += t.rest_bonus
            s = cov + about + t.rank_weight * confidence + (t.lead_bonus if pos == 0 else 0.0)
            s += t.unit_sim_weight * similarity.get((p.n, pos), 0.0)
            if p.named or p.metadata or (p.item and (m := ITEM.match(text)) and m.group(1) == p.item):
                # the question named this paragraph or item, or asked a named document's title or date:
                # it answers before the rest
                s += t.named_bonus
            if definition and ("shall mean" in text or " means " in text):
                s += t.definition_bonus * cov + (t.asked_term_bonus if defines_asked_term(question, text) else 0.0)
            if words < 6 or text.endswith(":") and words < 15:
                s -= t.intro_penalty  # bare intros ("For the purposes of this Convention:") answer nothing
            if p.doc_title and text.strip(" .") == p.doc_title.strip(" ."):
                s -= t.title_penalty  # a page's title repeated as its first line is not an answer
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
    # a time question, not a "When a country …, can it …?" condition (asks.py)
    rx = _DURATION if ("how long" in q or "duration" in q or "period" in q) else (
        _DATE if asks_date(question) else None)
    if rx is None:
        return None
    m = rx.search(text)
    if not m:
        return None
    span = m.group(0).strip()
    return span[0].upper() + span[1:]


# a sentence that leans on the one before it: it opens with a condition or a back-reference
# ("If, six months after …", "Such a request …", "Otherwise …"), or says "such" early on
# ("A State Party may provide for such an order to be subsequently renewed.")
_LEANS_BACK = re.compile(r"^(?:If|Otherwise|Failing (?:that|such|this)|In (?:that|such|this|either) (?:case|event)|"
                         r"Thereafter|Such|This|These|Those|It|They)\b"
                         # "such an order" refers back; "such legislative and other measures as" does not
                         r"|^(?:\S+\s+){0,5}such\s+(?:an?\s+)?\w++(?!\s+(?:and|or|as)\b)")


def _with_continuations(ordered: list[Unit], scored: list[Unit], max_words: int) -> list[Unit]:
    """A chosen sentence is followed by the next one of its paragraph when that one leans back on
    it (_LEANS_BACK), as long as the answer stays within `max_words`."""
    by_key = {(u.n, u.pos): u for u in scored}
    out = list(ordered)
    words = sum(len(u.text.split()) for u in out)
    for u in ordered:
        nxt = by_key.get((u.n, u.pos + 1))
        if (nxt is None or nxt in out or not _LEANS_BACK.search(nxt.text) or ITEM.match(nxt.text)
                or nxt.text.rstrip().endswith(":")):  # an intro to items is not a continuation
            continue
        if words + len(nxt.text.split()) > max_words:
            break
        out.insert(out.index(u) + 1, nxt)
        words += len(nxt.text.split())
    return out


def _with_items(chosen: list[Unit], scored: list[Unit], max_words: int) -> list[Unit]:
    """A chosen unit that ends with ':' is followed by the items it introduces."""
    out: list[Unit] = []
    for u in chosen:
        if u in out:
            continue
        out.append(u)
        if u.text.rstrip().endswith(":"):
            words = sum(len(x.text.split()) for x in out)
            for nxt in sorted((x for x in scored if x.n == u.n and x.pos > u.pos), key=lambda x: x.pos):
                if words + len(nxt.text.split()) > max_words * 1.5 or nxt in out:
                    break
                out.append(nxt)
                words += len(nxt.text.split())
    return out


_SHORT_NAME = re.compile(r"\(([^()]{3,60})\)\s*$")  # "Convention on Cybercrime (Budapest Convention)"


def _short_name(p: Passage) -> str:
    """The name a document's title gives in brackets, else the title."""
    m = _SHORT_NAME.search(p.doc_title)
    return m.group(1) if m else p.doc_title


def _label_names_document(p: Passage) -> bool:
    """A label that is the document's own name ("Resolution 79/243 …, para. 17"), not a provision's."""
    return p.label.startswith(p.doc_title.rstrip("…")[:20])


def source_prefix(p: Passage) -> str:
    """Whose words a quote is: "Under the Budapest Convention (Art. 16(2)): " for a provision (the
    name its title gives in brackets, else the title), "In “Joint Statement on …”: " for a document
    without articles (its label names it)."""
    if not p.label or _label_names_document(p):
        # a capital opens the sentence, as the splitter needs ("60 countries sign …" would run on
        # from the quote before)
        return f"In “{p.doc_title}”: "
    return f"Under the {_short_name(p)} ({p.label}): "


def enumerated(scored: list[Unit], passages: list[Passage], t: Tuning) -> list[tuple[str, int]]:
    """A list question: one quote per passage, in rank order (up to `max_listed`), each opened by
    its label and its article's title ("Art. 15(4) (Solicitation or grooming …): …", "Annex, note 4
    (Articles 23 and 35 …): …"); passages of
    articles only, when there are any (a news item is not a provision); from several documents
    each names its document."""
    listed = [p for p in passages if not p.metadata]
    if any(p.title for p in listed):
        listed = [p for p in listed if p.title]
    several = len({p.doc_title for p in listed}) >= 2
    # a named chapter's or document's own facts (chapter_facts.py, doc_facts.py) lead, whole; after
    # a chapter's contents, only passages of that chapter
    facts = [p for p in passages if p.metadata]
    out = [(p.text, p.n) for p in facts]
    chapters = {p.chapter for p in facts if p.chapter}
    if chapters:
        listed = [p for p in listed if p.chapter in chapters]
    for p in listed[: t.max_listed]:
        best = max((u for u in scored if u.n == p.n), key=lambda u: u.score, default=None)
        if best is None:
            continue
        whose = f"Under the {_short_name(p)}, " if several else ""
        if p.title:
            head = f"{whose}{p.label} ({p.title}): "
        elif p.label and not _label_names_document(p):  # "Annex, note 4 (Articles 23 and 35 …)"
            head = f"{whose}{p.label}: "
        else:  # a document without articles: its name, if the list spans documents
            head = source_prefix(p) if several else ""
        out.append((f"{head}{best.text}", best.n))
    return out


def side_by_side(scored: list[Unit], passages: list[Passage]) -> list[tuple[str, int]]:
    """A comparison: the best unit of each of the two best-ranked documents, each named, from that
    document's two best-ranked passages (the ranker narrows the provisions, the unit scores choose
    the sentence; from all of them a sentence holding the question's words elsewhere could win)."""
    by_n = {p.n: p for p in passages}
    docs: list[str] = list(dict.fromkeys(p.doc_title for p in passages))[:2]
    out = []
    for doc in docs:
        top = [p.n for p in passages if p.doc_title == doc][:2]
        best = max((u for u in scored if u.n in top), key=lambda u: u.score)
        out.append((f"{source_prefix(by_n[best.n])}{best.text}", best.n))
    return out


def compose(question: str, passages: list[Passage], idf: IdfTable, t: Tuning = DEFAULT,
            carried: str = "", avoid: frozenset = frozenset(), similarity: dict | None = None) -> list[tuple[str, int]]:
    """[(verbatim sentence, passage number)] answering the question, best first."""
    scored = score_units(question, passages, idf, t, carried, avoid, similarity)
    if not scored:
        return []
    if asks_comparison(question) and len({p.doc_title for p in passages}) >= 2:
        return side_by_side(scored, passages)
    if asks_list(question) and len(passages) >= 2:
        return enumerated(scored, passages, t)
    best = max(scored, key=lambda u: u.score)
    chosen = [best]
    for u in sorted(scored, key=lambda u: -u.score):
        if len(chosen) >= t.max_units or sum(len(c.text.split()) for c in chosen) >= t.max_words:
            break
        if u is best or u.score < t.keep_ratio * best.score:
            continue
        if sum(1 for c in chosen if c.n == u.n) >= 2 and u.n != best.n:
            continue
        chosen.append(u)
    # keep the best unit first, the rest in document order of their passages
    rest = sorted(chosen[1:], key=lambda u: (u.n, u.pos))
    ordered = _with_continuations(_with_items([best, *rest], scored, t.max_words), scored, t.max_words)
    out = [(u.text, u.n) for u in ordered]
    # an intro that ends with ':' reads better with the items after it
    # a direct answer span: from the chosen units, else from any unit of the best passages
    lead = False
    for u in [*ordered, *sorted(scored, key=lambda u: -u.score)]:
        span = direct_answer(question, u.text)
        if span:
            if u not in ordered:
                out.append((u.text, u.n))
            out.insert(0, (span.rstrip(".") + ".", u.n))
            lead = True
            break
    return name_documents(out, passages, skip_first=lead)


def name_documents(parts: list[tuple[str, int]], passages: list[Passage], skip_first: bool = False) -> list[tuple[str, int]]:
    """Quotes from more than one document say whose they are: each change of document opens with
    its `source_prefix` (a lead span, `skip_first`, stays bare); from one document, unchanged."""
    by_n = {p.n: p for p in passages}
    if len({by_n[n].doc_title for _, n in parts}) < 2:
        return parts
    out, last = [], None
    for i, (text, n) in enumerate(parts):
        p = by_n[n]
        if not (i == 0 and skip_first) and p.doc_title != last:
            text, last = f"{source_prefix(p)}{text}", p.doc_title
        out.append((text, n))
    return out


class ExtractiveGenerator:
    """Quotes the passages' own words; needs no model and answers in milliseconds."""

    name = "extractive"

    def __init__(self, idf: IdfTable | None = None, tuning: Tuning = DEFAULT):
        self.idf = idf
        self.tuning = tuning

    def stream(self, question: str, passages: list[Passage], context: dict | None = None) -> Iterator[str]:
        context = context or {}
        idf = context.get("idf") or self.idf or IdfTable([p.text for p in passages])
        tuning = context.get("tuning") or self.tuning
        similarity = (unit_similarity(passages, context.get("query_vec"), context.get("unit_vectors"))
                      if tuning.unit_sim_weight else {})
        parts = compose(question, passages, idf, tuning, context.get("carried", ""),
                        frozenset(a.rstrip(".;: ") for a in context.get("avoid", ())), similarity)
        for i, (text, n) in enumerate(parts):
            yield ("" if i == 0 else " ") + render_sentence(text, [n])
