"""Text helpers shared by the composer and the verifier: sentence units and content terms."""
from __future__ import annotations

import re

from vectorstore.lexical import tokenize

# Sentence ends: . ; or ? followed by space and a capital/quote/bracket; never after "art." etc.
_SENT_END = re.compile(r"(?<!\bart)(?<!\bArt)(?<!\bno)(?<!\bpara)(?<!\bp)(?<=[.?!;])\s+(?=[A-Z“\"(])")
_LABEL = re.compile(r"^\d{1,3}\.$")
_QUESTION_NOISE = frozenset(
    tokenize("say says said convention document documents provide provides provision state states party "
             "parties article articles under mean means tell explain describe regard regarding require requires "
             "there anything something way kind type")
)


def units(text: str) -> list[str]:
    """A passage as quotable units: its paragraphs / lettered items, each cut into sentences."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        # a bare paragraph number ("1.") is structure, not text: the label says it
        out.extend(s.strip() for s in _SENT_END.split(para) if s.strip() and not _LABEL.match(s.strip()))
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a question (stop words and generic treaty words removed)."""
    return [t for t in tokenize(text) if t not in _QUESTION_NOISE]
