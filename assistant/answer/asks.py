"""What kind of fact a question asks for, and whether a text holds one: a time ("When was …",
"By what date …"), a calendar date ("On what exact date …"), a count ("How many …").

"When" followed by its subject opens a condition ("When a country passes information …, can it
…?"), not a question about time; "when" followed by a modal ("When can a State refuse …?") asks
under what circumstances. Only "when" with a tense auxiliary ("When was/did/will/does …") or
"what date/day/year/month" asks a time. A time can be relative ("within 90 days", "on the
ninetieth day after …"); a calendar date cannot. A count is a number (digits or words, not a
year) written next to the counted word ("72 signatories", "nine chapters").

Leaves out: how these weigh in a decision (evidence.py, fitted) and the answer's lead
(extractive.py).
"""
from __future__ import annotations

import re

from vectorstore.lexical import tokenize

from .terms import content_terms

_TENSE = r"(?:is|are|was|were|do|does|did|will|would|has|have|had)"
_WHAT_DATE = r"(?:(?:by|on|from|until|in|since)\s+)?(?:what|which)\s+(?:exact\s+|precise\s+)?(?:date|day|year|month)"
ASKS_TIME = re.compile(rf"^\s*(?:when\s+{_TENSE}\b|{_WHAT_DATE}\b)", re.I)
ASKS_CALENDAR = re.compile(r"\b(?:what|which)\s+(?:exact\s+|precise\s+)?(?:date|day)\b|\bexact date\b", re.I)
ASKS_COUNT = re.compile(r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|share) of\b", re.I)
_YEAR = r"(?:1[89]|20)\d\d"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
CALENDAR = re.compile(rf"\b{_YEAR}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b|\b(?:19|20)\d\d-[01]\d-[0-3]\d\b")
_NUMBER_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
                r"sixty|seventy|eighty|ninety|hundred|thousand|million)")
_ORDINAL = r"(?:first|second|third|\w+(?:tieth|th))"
_RELATIVE = re.compile(rf"\b(?:\d+|{_NUMBER_WORD}|{_ORDINAL})(?:\s+|-)(?:calendar\s+)?(?:days?|weeks?|months?|years?)\b", re.I)
# a count: digits, number words, or an ordinal that counts ("the fortieth instrument")
_COUNT_NEAR = re.compile(rf"(?<![\w/.-])(\d[\d,]*|{_NUMBER_WORD}(?:[\s-]{_NUMBER_WORD})*|"
                         r"(?:fourth|fifth|sixth|seventh|eighth|ninth|tenth|\w+tieth))(?![\w/.-])", re.I)


def asks_time(question: str) -> bool:
    return bool(ASKS_TIME.search(question))


def asks_calendar_date(question: str) -> bool:
    return bool(ASKS_CALENDAR.search(question))


def asks_date(question: str) -> bool:
    """A time or a calendar date: what a date in the text, or in a document's metadata, answers."""
    return asks_time(question) or asks_calendar_date(question)


def asks_count(question: str) -> bool:
    return bool(ASKS_COUNT.search(question))


def has_time(text: str) -> bool:
    """A calendar date or a relative time ("within 90 days", "the ninetieth day")."""
    return bool(CALENDAR.search(text) or _RELATIVE.search(text))


def has_calendar_date(text: str) -> bool:
    return bool(CALENDAR.search(text))


def counted(question: str) -> str:
    """The stem of the thing a count question counts ("How many delegations …" -> "deleg"), or ""."""
    m = re.search(r"\b(?:how (?:many|much)|what (?:number|percentage|share) of)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)",
                  question, re.I)
    terms = content_terms(m.group(1)) if m else []
    return terms[0] if terms else ""


def has_count(question: str, text: str) -> bool:
    """A number (not a year) counting what the question counts: "72 signatories", "nine chapters",
    "two or more States Parties", "Signatories: 72" (the number at most two words before the
    counted word, or after it and a colon)."""
    thing = counted(question)
    if not thing:
        return False
    words = text.split()
    stems = [set(tokenize(w)) for w in words]
    for m in _COUNT_NEAR.finditer(text):
        if re.fullmatch(_YEAR, m.group(1)):
            continue  # a year counts nothing
        at = len(text[: m.start()].split())
        end = at + len(m.group(1).split())
        if any(thing in st for st in stems[end: end + 3]) or (
                at and words[at - 1].endswith(":") and thing in stems[at - 1]):  # "Signatories: 72", not "Chapter 2"
            return True
    return False
