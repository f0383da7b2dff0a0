"""Citations: kept sentences numbered in order of first use, their markers rendered, and a
`Citation` per cited passage with the exact unit of the passage each sentence quotes.

Which sentences survive is verify.py's business; this module only numbers and describes them.
"""
from __future__ import annotations

from ..models import Citation
from .sentences import render, units
from .verify import lexical_support


class Numbering:
    """Kept (sentence, passage numbers) pairs; passage n -> citation number by first use."""

    def __init__(self):
        self.kept: list[tuple[str, list[int]]] = []
        self.number: dict[int, int] = {}

    def add(self, sentence: str, passages: list[int]) -> str | None:
        """Record a kept sentence; its rendered text, or None for a repeat of an earlier one."""
        if any(sentence == s for s, _ in self.kept):
            return None
        for n in passages:
            self.number.setdefault(n, len(self.number) + 1)
        self.kept.append((sentence, passages))
        return self.rendered(len(self.kept) - 1)

    def rendered(self, i: int) -> str:
        sentence, ns = self.kept[i]
        return render(sentence, [self.number[n] for n in ns])

    def text(self) -> str:
        return " ".join(self.rendered(i) for i in range(len(self.kept)))


def _quote(sentence: str, passage_text: str) -> str:
    """The unit of the passage the sentence rests on (itself, if quoted verbatim)."""
    bare = sentence.rstrip(".").strip()
    return max(units(passage_text), key=lambda u: lexical_support(sentence, u) + (1 if bare in u else 0))


def build_citations(numbering: Numbering, hits: list) -> list[Citation]:
    """One Citation per cited passage, in citation-number order; `hits[n - 1]` backs passage n."""
    quotes: dict[int, list[str]] = {}
    for sentence, ns in numbering.kept:
        for n in ns:
            best = _quote(sentence, hits[n - 1].text)
            if best not in quotes.setdefault(n, []):
                quotes[n].append(best)
    out = []
    for n, new in sorted(numbering.number.items(), key=lambda kv: kv[1]):
        hit = hits[n - 1]
        m = hit.metadata
        out.append(Citation(
            n=new, doc_id=m.get("doc_id", ""), doc_title=m.get("doc_title", ""), label=m.get("label", ""),
            article=m.get("article") or None, paragraph=m.get("paragraph") or None,
            quote=" … ".join(quotes.get(n, [])), source_url=m.get("source_url", ""),
            chunk_id=hit.id, section=m.get("section", ""), passage=hit.text,
            doc_short_title=m.get("doc_short_title", ""), article_title=m.get("article_title", ""),
        ))
    return out
