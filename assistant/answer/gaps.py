"""Partial answers: what a question asks for that the passages being quoted do not hold, said
in one uncited line before the quotes ("The documents do not define “cybercrime” as such; the
closest provisions follow.").

Four kinds, each read from the question's grammar and checked against the passages:
- a definition of a named term ("How does the Convention define cybercrime?", "What does
  'hacking' mean?") where no passage defines it ('"Electronic data" shall mean …');
- a count ("How many … ?") where no passage holds any number at all (digits, number words,
  ordinals: "the fortieth instrument" answers "How many States must ratify?", so a count of
  another noun is not a gap);
- a penalty ("What is the prison sentence for …?", "the maximum fine") where no passage gives
  a term or an amount (the Convention leaves sanctions to domestic law: article 21);
- a date or time ("When was …", "On what date …") where no passage holds one (asks.has_time).

Leaves out: whether to answer at all (decide.py: a question whose answer the documents lack
entirely is declined), and the wording in other languages (i18n strings `gap_*`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vectorstore.lexical import tokenize

from . import asks
from .types import Passage

# the term a definition question names: "define X", "definition of X", "what does X mean", "meant by X"
_Q = r"[\"“‘']?"
_TERM = r"(?P<term>[\w'’-]+(?:\s+[\w'’-]+){0,4}?)"  # up to five words
_END = r"[\"”’']?(?=\s+(?:in|under|as|for|by|according|within)\b|\s*[?.!,;:]|\s*$)"
_ASKED = [
    re.compile(rf"\bdefin(?:e|es|ing)\s+(?:the\s+(?:term|word|notion|concept)\s+)?{_Q}{_TERM}{_END}", re.I),
    re.compile(rf"\b(?:how|where)\s+(?:is|are)\s+(?:the\s+(?:term|word|notion|concept)\s+)?{_Q}{_TERM}[\"”’']?\s+defined\b", re.I),
    re.compile(rf"\bdefinition\s+of\s+(?:the\s+(?:term|word|notion|concept)\s+)?{_Q}{_TERM}{_END}", re.I),
    re.compile(rf"\bwhat\s+(?:does|do)\s+(?:the\s+(?:term|word)\s+)?{_Q}{_TERM}[\"”’']?\s+mean\b", re.I),
    re.compile(rf"\bmeant\s+by\s+{_Q}{_TERM}{_END}", re.I),
]
_PRONOUNS = {"it", "this", "that", "them", "these", "those", "they", "its", "itself"}
# a definition sentence: the quoted term, then "means" / "shall mean" / "shall include" ('"computer data"
# means any ...', 'the term "child pornography" shall include ...')
_DEFINES = re.compile(r"[\"“‘']([^\"”’']{2,80})[\"”’']\s+(?:shall\s+)?(?:means?|include|includes)\b", re.I)
# a time asked as such: "When was / did / will …", "By what date …" ("When do paragraphs 8 to 31 apply?"
# asks under what conditions)
_ASKS_WHEN = re.compile(r"^\s*when\s+(?:was|were|did|will|has|had)\b", re.I)


# a penalty asked for: its amount or length ("how long in prison", "the maximum fine")
_PENALTY = re.compile(r"\b(?:prison|jail|imprisonment|sentences?|fines?|penalt(?:y|ies)|punish(?:ment|ed)?)\b", re.I)
_AMOUNT_Q = re.compile(r"\b(?:how\s+(?:long|many|much|severe|high|big)|what\s+(?:is|are|would be)\s+the|maximum|minimum)\b", re.I)
# a term or an amount: "imprisonment of at least four years", "3 years", "EUR 10,000"
_TERM_OR_AMOUNT = re.compile(r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:years?|months?|days?)\b|"
                             r"(?:[$€£]|\b(?:EUR|USD|euros?|dollars?)\b)\s*\d", re.I)
_ANY_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                         r"fifty|hundred|thousand|million|\w+tieth|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b", re.I)


@dataclass(frozen=True)
class Gap:
    kind: str  # "definition" | "penalty" | "number" | "date"
    term: str = ""  # the term a definition question names


def asked_term(question: str) -> str:
    """The term a definition question names ("cybercrime" in "How does the Convention define
    cybercrime?"), or "" (no such question, or a pronoun: "define it")."""
    for rx in _ASKED:
        m = rx.search(question)
        if not m:
            continue
        term = re.sub(r"^(?:a|an|the)\s+", "", " ".join(m.group("term").split()), flags=re.I).strip(" '’-")
        if term and term.lower() not in _PRONOUNS and tokenize(term):
            return term
    return ""


def defines(term: str, text: str) -> bool:
    """Does the text define the term (a defined term holding all its words, or held by it)?"""
    want = set(tokenize(term))
    for m in _DEFINES.finditer(text):
        have = set(tokenize(m.group(1)))
        if have and (want <= have or have <= want):
            return True
    return False


def find_gap(question: str, passages: list[Passage]) -> Gap | None:
    """What the question asks for that none of the passages holds, if anything."""
    text = "\n".join(p.text for p in passages)
    if not text.strip():
        return None
    term = asked_term(question)
    if term and not defines(term, text):
        return Gap("definition", term)
    if _PENALTY.search(question) and _AMOUNT_Q.search(question) and not _TERM_OR_AMOUNT.search(text):
        return Gap("penalty")
    if asks.asks_count(question) and not _ANY_NUMBER.search(text):
        return Gap("number")
    if (asks.asks_calendar_date(question) or _ASKS_WHEN.search(question)) and not asks.has_time(text):
        return Gap("date")
    return None
