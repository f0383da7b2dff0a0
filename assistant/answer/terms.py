"""Content terms of a question and how much of them a text covers, weighted by rarity (IDF).

Shared by retrieval, the answerability decision and the extractive composer; stemming and
tokenising are the lexical index's own (vectorstore.lexical.tokenize).
"""
from __future__ import annotations

import math
import re

from vectorstore.lexical import tokenize

# generic question and treaty words that say nothing about what is asked
QUESTION_NOISE = frozenset(
    tokenize("say says said convention document documents provide provides provision state states party "
             "parties article articles under mean means tell explain describe regard regarding require requires "
             "there anything something way kind type")
)


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a question (stop words and generic treaty words removed)."""
    return [t for t in tokenize(text) if t not in QUESTION_NOISE]


class IdfTable:
    """Inverse document frequency of stemmed terms over the indexed chunks."""

    def __init__(self, texts: list[str], aliases: frozenset = frozenset()):
        """`aliases`: terms the texts know under another form (acronyms.py: "eu" for "European Union")."""
        df: dict[str, int] = {}
        for text in texts:
            for term in set(tokenize(text)):
                df[term] = df.get(term, 0) + 1
        self.n = max(len(texts), 1)
        self.df = df
        self.aliases = aliases

    def __call__(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def known(self, term: str) -> bool:
        return term in self.df or term in self.aliases


def coverage(terms: list[str], text: str, idf: IdfTable) -> float:
    """IDF-weighted share of the question's content terms that occur in `text`."""
    if not terms:
        return 0.0
    have = set(tokenize(text))
    total = sum(idf(t) for t in set(terms))
    return sum(idf(t) for t in set(terms) if t in have) / total if total else 0.0


_DEFINITION_Q = re.compile(r"^\s*(what|who)\s+(is|are)\b|\bdefin|\bmean(s|ing)?\b|\bwhat counts as\b", re.I)


def asks_definition(question: str) -> bool:
    """'What is …', 'define …', '… mean …', 'what counts as …'."""
    return bool(_DEFINITION_Q.search(" ".join(question.lower().split())))


_COMPARISON_Q = re.compile(r"\b(?:both|compare[ds]?|comparison|comparable|differ\w*|versus|vs\.?|unlike|same as|similar\w*|"
                           r"whereas|in common|contrast)\b", re.I)


def asks_comparison(question: str) -> bool:
    """'… under both conventions', 'how do X and Y differ', 'X compared with Y'."""
    return bool(_COMPARISON_Q.search(question))


# "Which articles …", "In which offence articles …", "What provisions …", "List the articles …"
_LIST_Q = re.compile(r"^\s*(?:(?:in|on|under|from|by)\s+)?(?:which|what)\s+(?!(?:is|are|was|were|do|does|did|can|could|"
                     r"should|would|will|shall|may|might|must|has|have|had|the|this|that)\b)(?:[\w-]+\s+){0,3}?"
                     r"(?:articles?|provisions?|parts?|paragraphs?|clauses?|sections?)\b|^\s*(?:please\s+)?list\b", re.I)


def asks_list(question: str) -> bool:
    """'Which articles deal with …?', 'List the provisions …': the answer enumerates articles."""
    return bool(_LIST_Q.search(question))


def comparison_cues(question: str) -> set[str]:
    """The stems of the words that make a question a comparison ("differences", "both", "versus",
    and "between" beside them): its shape, not its topic, so a sentence holding them ("Where a
    different minimum penalty …") is no closer to what is asked."""
    if not asks_comparison(question):
        return set()
    cues = {t for m in _COMPARISON_Q.finditer(question) for t in tokenize(m.group(0))}
    return cues | set(tokenize("between"))


def foreign(text: str) -> bool:
    """Whether a question is written in another language than the documents' English (i18n.detect):
    such questions get their own ranking and decline weights (rank.FOREIGN, evidence.FOREIGN)."""
    from ..i18n import detect

    return detect(text) != "en"
