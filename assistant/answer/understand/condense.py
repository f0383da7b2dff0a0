"""Follow-up questions -> a standalone retrieval query, without an LLM.

A question that leans on the conversation (pronouns such as "it"/"that", "What about …",
"And …", or very short with at most one content word) is joined with the earlier user
questions back to the one that opened the topic, and inherits the articles and documents
the last turns referred to unless it names its own. A new topic is searched on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..sentences import first_source
from ..terms import content_terms
from .refs import Refs

MAX_CHAIN = 3  # earlier user questions joined at most
_FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|what of|and what|same for)\b"
    r"|\b(it|its|it's|that|this|they|them|their|those|these|there|he|she|such|the same)\b",
    re.I,
)


@dataclass(frozen=True)
class Standalone:
    question: str  # what the user typed
    query: str  # what retrieval searches for
    refs: Refs
    follow_up: bool = False


def is_follow_up(question: str) -> bool:
    short = len(question.split()) <= 4 and len(content_terms(question)) <= 1
    return bool(_FOLLOW_UP.search(question)) or short


def condense(question: str, history: list[dict], parse) -> Standalone:
    """`parse(text) -> Refs`; history is oldest-first [{role, content}]."""
    refs = parse(question)
    if not history or not is_follow_up(question):
        return Standalone(question, question, refs)
    users = [t["content"] for t in history if t["role"] == "user"]
    chain: list[str] = []
    for earlier in reversed(users):  # back to the question that opened the topic
        chain.insert(0, earlier)
        if len(chain) >= MAX_CHAIN or not is_follow_up(earlier):
            break
    previous = " ".join(chain)
    # an answer quoting several documents names each ("Under the Hanoi Convention (Art. 25(2)): …
    # Under the Budapest Convention (Art. 16(2)): …"); read together, its article numbers and
    # document names pair up wrongly (Article 25 of the Budapest Convention), so only the
    # answer's first source is carried
    recent = [(first_source(t["content"]) or t["content"]) if t["role"] == "assistant" else t["content"]
              for t in history[-2:]]
    carried = parse(" ".join(recent))
    if not refs.articles and carried.articles:
        refs = replace(refs, articles=carried.articles)
    if not refs.docs and carried.docs:
        refs = replace(refs, docs=carried.docs)
    query = f"{question} {previous}".strip()
    return Standalone(question, query, refs, follow_up=True)
