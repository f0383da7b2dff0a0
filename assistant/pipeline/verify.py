"""Citation verification for every generator: each cited sentence must be supported by
the passage it cites, or it is removed; markers pointing at no passage are dropped.

A sentence is supported by a passage when (1) every number, date, duration and name in
it occurs in the passage and (2) its support score (share of its content words found in
the passage, blended with embedding similarity when an embedder is given) reaches a
threshold calibrated on the corpus (bench/calibrate.py: own paragraph vs another), and (3) it repeats no
five words in a row of the model's instructions that the passage lacks (a leaked prompt).
Uncited sentences are attached to a passage that supports them, or removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vectorstore.lexical import tokenize

MARKER = re.compile(r"\[(\d{1,3})\]")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40",
    "fortieth": "40", "fifty": "50", "sixty": "60", "ninety": "90", "ninetieth": "90", "hundred": "100",
}
_NUM = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}(?:\s+[A-Z][a-z]+)*)")
_MONTHS = "january february march april may june july august september october november december".split()
LEXICAL_THRESHOLD = 0.5
BLENDED_THRESHOLD = 0.55
_COMMON_CAPS = frozenset(
    "The This That These Those Each Any All Such Where When Article Articles Convention State States Party Parties "
    "Yes No It Its In On For Under According Paragraph Chapter Annex Preamble And Or But If".split()
)


@dataclass(frozen=True)
class Verdict:
    supported: bool
    score: float
    reasons: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())


def facts(sentence: str) -> list[str]:
    """Numbers, dates, durations and names a sentence asserts (lower case)."""
    found = [m.group(0).replace(",", "") for m in _NUM.finditer(sentence)]
    words = re.findall(r"[A-Za-z]+", sentence.lower())
    found += [_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS]
    found += [w for w in words if w in _MONTHS]
    found += [m.group(1).lower() for m in _NAME.finditer(sentence) if m.group(1).split()[0] not in _COMMON_CAPS]
    return found


def _fact_in(fact: str, passage_norm: str, passage_numbers: set[str]) -> bool:
    if fact.isdigit() or _NUM.fullmatch(fact):
        return fact in passage_numbers
    return fact in passage_norm


def lexical_support(sentence: str, passage: str) -> float:
    terms = set(tokenize(MARKER.sub(" ", sentence)))
    if not terms:
        return 1.0
    have = set(tokenize(passage))
    return len(terms & have) / len(terms)


def check_sentence(sentence: str, passage: str, embedder=None) -> Verdict:
    """Is `sentence` supported by `passage`? Exact facts first, then the support score."""
    sentence = MARKER.sub(" ", sentence)
    if not tokenize(sentence):
        return Verdict(False, 0.0, ["states nothing (no content words)"])  # ",,," or "[1]." alone
    p_norm = _norm(passage)
    p_numbers = {m.group(0).replace(",", "") for m in _NUM.finditer(passage)}
    for word, digit in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", p_norm):
            p_numbers.add(digit)
    reasons = [f"'{f}' is not in the cited passage" for f in facts(sentence) if not _fact_in(f, p_norm, p_numbers)]
    if _norm(sentence).strip(" .;:") and _norm(sentence).strip(" .;:") in p_norm:
        return Verdict(not reasons, 1.0, reasons)  # a verbatim quote
    score = lexical_support(sentence, passage)
    threshold = LEXICAL_THRESHOLD
    if embedder is not None:
        import numpy as np

        a, b = embedder.encode([sentence, passage])
        score = 0.5 * score + 0.5 * float(np.dot(a, b))
        threshold = BLENDED_THRESHOLD
    if score < threshold:
        reasons.append(f"support {score:.2f} below {threshold:.2f}")
    return Verdict(not reasons, round(score, 4), reasons)


# a sentence ends at . ! ? ; (markers may stand before or after it) when a capital, quote
# or bracket follows after white space
_BOUNDARY = re.compile(r"(?:[.!?;](?:\s*\[\d{1,3}\])*|(?<!\s)(?<!\[\d\])(?<!\[\d\d\])(?<!\[\d\d\d\])(?:\s*\[\d{1,3}\])++[.!?;]?)(?=\s+(?:[A-Z“\"(]|\d{1,3}\.\s))")
_ABBREV = re.compile(r"\b(?:art|arts|para|paras|no|nos|p|pp|e\.g|i\.e|cf|vol)\.$", re.I)
_LABEL_ONLY = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z]{1,4}\))\s*$", re.I)  # "1." or "(a)" opens a paragraph


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


@dataclass
class Verified:
    """Kept sentences with their (original) passage numbers, and the removed ones."""

    sentences: list[tuple[str, list[int]]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    dropped_markers: list[int] = field(default_factory=list)


def _word_runs(text: str, n: int = 5) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def repeats_instructions(sentence: str, instructions: str, passage: str) -> bool:
    """Does the sentence repeat five words in a row of the model's instructions that its passage
    does not hold? (A document telling the model to reveal its prompt shares the prompt's words,
    so the support score alone can pass such a sentence.)"""
    return bool(_word_runs(sentence) & _word_runs(instructions) - _word_runs(passage)) if instructions else False


def verify_sentence(sentence: str, cited: list[int], passages: dict[int, str], embedder=None,
                    instructions: str = "") -> tuple[list[int], list[int], Verdict | None]:
    """(supporting citations, dropped markers, last verdict) for one sentence; `instructions`:
    the text the model was prompted with, which a sentence may not repeat."""
    valid = [n for n in cited if n in passages]
    dropped = [n for n in cited if n not in passages]
    candidates = valid or list(passages)  # an uncited sentence may still be supported
    keep: list[int] = []
    verdict = None
    for n in candidates:
        verdict = check_sentence(sentence, passages[n], embedder)
        if verdict.supported and repeats_instructions(sentence, instructions, passages[n]):
            verdict = Verdict(False, verdict.score, ["repeats the model's instructions"])
        if verdict.supported:
            keep.append(n)
            if not valid:
                break
    return keep, dropped, verdict


def verify_text(text: str, passages: dict[int, str], embedder=None, instructions: str = "") -> Verified:
    result = Verified()
    for sentence, cited in split_cited_sentences(text):
        keep, dropped, _ = verify_sentence(sentence, cited, passages, embedder, instructions)
        result.dropped_markers += dropped
        if keep:
            result.sentences.append((sentence, keep))
        else:
            result.removed.append(sentence)
    return result
