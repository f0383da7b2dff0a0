"""The one sentence splitter and renderer: passages into quotable units, generated text into
(sentence, cited numbers), and a sentence with its `[n]` markers back into text.

A sentence ends at . ! ? ; (markers may stand before or after the mark) when white space and
a capital, quote, bracket, a footnote ("[^1]: …") or a paragraph number follow, never after
"art.", "para." and the like.
"""
from __future__ import annotations

import re

MARKER = re.compile(r"\[(\d{1,3})\]")
_BOUNDARY = re.compile(r"(?:[.!?;](?:\s*\[\d{1,3}\])*|(?<!\s)(?<!\[\d\])(?<!\[\d\d\])(?<!\[\d\d\d\])(?:\s*\[\d{1,3}\])++[.!?;]?)(?=\s+(?:[A-Z“\"(]|\[\^|\d{1,3}\.\s))")
_ABBREV = re.compile(r"\b(?:art|arts|para|paras|no|nos|p|pp|e\.g|i\.e|cf|vol)\.$", re.I)
_LABEL_ONLY = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z]{1,4}\))\s*$", re.I)  # "1." or "(a)" opens a paragraph
# a lettered item at the start of a line or unit: "(a) ", "b) "
ITEM = re.compile(r"(?m)^\(?([a-z])\)\s")
# what extractive.source_prefix puts before a quote from one of several documents ("Under the
# Budapest Convention (Art. 16(2)): ", "In “Joint Statement …”: "), to take it off again or read it
SOURCE_PREFIX = re.compile(r"^(?:Under the .{1,300}?\)|In “[^”]{1,300}”): ")
_ANY_SOURCE_PREFIX = re.compile(r"(?:^|(?<=\s))Under the [^():]{1,120}\((?:Art|Annex|para)[^():]{0,40}(?:\([^()]{1,5}\))?\): ")
_BARE_NUMBER = re.compile(r"^\d{1,3}\.$")
_LEADING_NUMBER = re.compile(r"^\d{1,3}\.\s+(?=\S)")


def split_raw(text: str) -> list[str]:
    """Text -> raw sentence pieces (markers kept). The last piece is whatever follows the
    last boundary: while a model is still streaming it may be an unfinished sentence."""
    pieces: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        head = MARKER.sub("", text[start:m.end()]).rstrip()
        if _ABBREV.search(head) or _LABEL_ONLY.match(head):
            continue  # "Art. 5" does not end a sentence, nor does a paragraph number
        pieces.append(text[start:m.end()])
        start = m.end()
    pieces.append(text[start:])
    return pieces


def units(text: str) -> list[str]:
    """A passage as quotable units: its paragraphs / lettered items, each cut into sentences."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = _LEADING_NUMBER.sub("", " ".join(para.split()))
        if para:
            # a bare paragraph number ("1.") is structure, not text: the label says it
            out.extend(s.strip() for s in split_raw(para) if s.strip() and not _BARE_NUMBER.match(s.strip()))
    return out


def parse_piece(piece: str) -> tuple[str, list[int]]:
    """A raw piece -> (sentence without markers, cited numbers)."""
    cited = [int(n) for n in MARKER.findall(piece)]
    sentence = " ".join(MARKER.sub("", piece).split())
    sentence = re.sub(r"\s+([.,;:!?])", r"\1", sentence)
    return re.sub(r"([.!?;:])[.]+$", r"\1", sentence), cited  # "right. [1]." -> "right."


def split_cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Answer text -> [(sentence without markers, [cited numbers])], in order."""
    pieces = (parse_piece(p) for p in split_raw(text.strip()))
    return [(s, n) for s, n in pieces if s.strip(" .;")]


def first_source(text: str) -> str:
    """The first source prefix of an answer that names its documents ("Under the Hanoi Convention
    (Art. 25(2)): "), or "" if it names none."""
    m = _ANY_SOURCE_PREFIX.search(text)
    return m.group(0) if m else ""


def render(sentence: str, markers: list[int]) -> str:
    """'Text.' + [1, 2] -> 'Text [1][2].' (a closing ';' or ':' becomes '.')."""
    marks = "".join(f"[{n}]" for n in dict.fromkeys(markers))
    body = sentence.rstrip()
    if body and body[-1] in ".!?;:":
        return f"{body[:-1].rstrip()} {marks}{'.' if body[-1] in ';:' else body[-1]}"
    return f"{body} {marks}."
