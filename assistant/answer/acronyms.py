"""Acronyms a question uses and the documents spell out: "EU" -> "European Union", "ICT" ->
"information and communications technology", "NGOs" -> "non-governmental organizations".

People write the short form; the treaty writes the long one, so BM25, term coverage and the
"a name no document contains" decline evidence all missed them. The expansions are read from
the indexed texts themselves (no list): a phrase whose words' initials (each part of a hyphenated
word counts, "and", "of", "the", "for", "on", "in", "to" inside it do not) spell the acronym, and
that is either
- a whole capitalised name (the words before and after it are not capitalised: "Intellectual
  Property" inside "Trade-Related Aspects of Intellectual Property Rights" does not expand "IP"), or
- for three letters or more, a lower-case phrase of content words (no stop word) used at least
  `MIN_LOWER` times and at least twice as often as any other such phrase.
An acronym the documents do not spell out ("GDPR", "UK") is not expanded and stays unknown.

Leaves out: where the expansions are used (understand() adds them to the standalone query, so
retrieval, the decision and the composer read them; the retriever's IdfTable counts an acronym
with a long form as known).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

from vectorstore.lexical import tokenize

JOINERS = frozenset({"and", "of", "the", "for", "on", "in", "to"})
MIN_LOWER = 3  # uses of a lower-case phrase before it counts as the acronym's long form
_WORD = re.compile(r"[A-Za-z][A-Za-z’']*(?:-[A-Za-z]+)*")
# a phrase does not run across punctuation or a line ("… States Parties\nEach State Party …")
_BREAK = re.compile(r"[\n.,;:!?()\[\]“”\"/|*#]+")
_ACRONYM = re.compile(r"\b([A-Z]{2,6})(?:s|’s|'s)?\b")


def _initials(word: str) -> str:
    return "".join(part[0] for part in word.split("-") if part).upper()


def _capitalised(word: str) -> bool:
    return word[0].isupper()


def _content(word: str) -> bool:
    """Not a stop word of the lexical index (tokenize drops those)."""
    return all(tokenize(part) for part in word.split("-") if part)


def discover(texts: list[str], max_words: int = 7) -> dict[str, str]:
    """acronym -> its long form in `texts`."""
    names: dict[str, Counter] = defaultdict(Counter)
    lower: dict[str, Counter] = defaultdict(Counter)
    for segment in (seg for text in texts for seg in _BREAK.split(text)):
        words = _WORD.findall(segment)
        for i, first in enumerate(words):
            if first.lower() in JOINERS:
                continue
            letters = ""
            for j in range(i, min(i + max_words, len(words))):
                w = words[j]
                if w.lower() in JOINERS:
                    continue
                letters += _initials(w)
                if j == i or len(letters) > 6:
                    continue
                phrase = words[i: j + 1]
                inner = [x for x in phrase if x.lower() not in JOINERS]
                if all(_capitalised(x) for x in inner):
                    before = words[i - 1] if i else ""
                    after = words[j + 1: j + 3]  # "… Literary" is cut off if "and Artistic" follows
                    cut = after and (_capitalised(after[0]) or (after[0].lower() in JOINERS and len(after) > 1
                                                                and _capitalised(after[1])))
                    if not (before and _capitalised(before)) and not cut:
                        names[letters][" ".join(phrase)] += 1
                elif len(letters) >= 3 and all(x.islower() and _content(x) for x in inner):
                    lower[letters][" ".join(phrase)] += 1
    out: dict[str, str] = {}
    for letters, seen in lower.items():
        (best, n), *rest = seen.most_common(2) + [("", 0)]
        if n >= MIN_LOWER and n >= 2 * rest[0][1]:
            out[letters] = best
    for letters, seen in names.items():  # a proper name wins over a lower-case phrase
        out[letters] = seen.most_common(1)[0][0]
    return out


class Acronyms:
    """The long forms of one index version's acronyms the documents themselves never use: "UN"
    is in them and matches as it is, "EU" is not and is expanded."""

    def __init__(self, texts: list[str], limit: int = 20_000):
        texts = texts[:limit]  # a large library spells its acronyms out early; reading more costs ~3 s per 100k
        used = {t for text in texts for t in tokenize(" ".join(m.group(1) for m in _ACRONYM.finditer(text)))}
        self.long = {a: f for a, f in discover(texts).items() if not set(tokenize(a)) <= used}

    def found(self, text: str) -> dict[str, str]:
        """acronym as written -> long form, for the acronyms of `text` the documents spell out."""
        out = {}
        for m in _ACRONYM.finditer(text):
            letters = m.group(1)
            if letters in self.long and self.long[letters].lower() not in text.lower():
                out[letters] = self.long[letters]
        return out

    def expand(self, text: str) -> str:
        """`text` with the long forms added at the end ("… the EU's …? (European Union)")."""
        found = self.found(text)
        return f"{text} ({'; '.join(found.values())})" if found else text
