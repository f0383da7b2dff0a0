"""Text helpers shared by the composer and the verifier: sentence units and content terms."""
from __future__ import annotations

import re

from vectorstore.lexical import tokenize

# Sentence ends: . ; or ? followed by space and a capital/quote/bracket; never after "art." etc.
_SENT_END = re.compile(r"(?<!\bart)(?<!\bArt)(?<!\bno)(?<!\bpara)(?<!\bp)(?<=[.?!;])\s+(?=[A-Z“\"(])")
_LABEL = re.compile(r"^\(?(?:\d{1,3}|[a-z]{1,4})[.)]$", re.I)
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
        pieces = [s.strip() for s in _SENT_END.split(para) if s.strip()]
        for piece in pieces:
            if out and _LABEL.match(out[-1]) and out[-1] in pieces:
                out[-1] = f"{out[-1]} {piece}"  # "1." + "Each State Party …" is one sentence
            else:
                out.append(piece)
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a question (stop words and generic treaty words removed)."""
    return [t for t in tokenize(text) if t not in _QUESTION_NOISE]
