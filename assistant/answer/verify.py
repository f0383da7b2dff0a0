"""Citation verification for every generator: each cited sentence must be supported by
the passage it cites, or it is removed; markers pointing at no passage are dropped.

A sentence is supported by a passage when (1) every number, date, duration and name in
it occurs in the passage and (2) its support score (share of its content words found in
the passage) reaches `Tuning.support_threshold`, and (3) it repeats no
five words in a row of the model's instructions that the passage lacks (a leaked prompt).
Uncited sentences are attached to a passage that supports them, or removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vectorstore.lexical import tokenize

from .sentences import MARKER
from .tuning import DEFAULT

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40",
    "fortieth": "40", "fifty": "50", "sixty": "60", "ninety": "90", "ninetieth": "90", "hundred": "100",
}
_NUM = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}(?:\s+[A-Z][a-z]+)*)")
_MONTHS = "january february march april may june july august september october november december".split()
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


def check_sentence(sentence: str, passage: str, threshold: float = DEFAULT.support_threshold,
                   header: str = "") -> Verdict:
    """Is `sentence` supported by `passage`? Exact facts first, then the support score. `header`
    (the passage's document and article): its names and numbers may be cited, but a sentence
    must say something of the passage's own text in words ("(Hanoi Convention, Art. 42(9)) 9." and
    "(Hanoi Convention, Art. 23(3)) 29." say nothing)."""
    sentence = MARKER.sub(" ", sentence)
    if not tokenize(sentence):
        return Verdict(False, 0.0, ["states nothing (no content words)"])  # ",,," or "[1]." alone
    if header:
        own = set(tokenize(sentence)) - set(tokenize(header))
        if not any(not t.isdigit() for t in own):  # a bare number beside the header says nothing either
            return Verdict(False, 0.0, ["restates the passage's header only"])
        verdict = check_sentence(sentence, f"{header}\n{passage}", threshold)
        body = len(own & set(tokenize(passage))) / len(own)
        if verdict.supported and body < threshold:
            return Verdict(False, round(body, 4), [f"support {body:.2f} below {threshold:.2f} in the passage's text"])
        return verdict
    p_norm = _norm(passage)
    p_numbers = {m.group(0).replace(",", "") for m in _NUM.finditer(passage)}
    for word, digit in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", p_norm):
            p_numbers.add(digit)
    reasons = [f"'{f}' is not in the cited passage" for f in facts(sentence) if not _fact_in(f, p_norm, p_numbers)]
    if _norm(sentence).strip(" .;:") and _norm(sentence).strip(" .;:") in p_norm:
        return Verdict(not reasons, 1.0, reasons)  # a verbatim quote
    score = lexical_support(sentence, passage)
    if score < threshold:
        reasons.append(f"support {score:.2f} below {threshold:.2f}")
    return Verdict(not reasons, round(score, 4), reasons)


def _word_runs(text: str, n: int = 5) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def repeats_instructions(sentence: str, instructions: str, passage: str) -> bool:
    """Does the sentence repeat five words in a row of the model's instructions that its passage
    does not hold? (A document telling the model to reveal its prompt shares the prompt's words,
    so the support score alone can pass such a sentence.)"""
    return bool(_word_runs(sentence) & _word_runs(instructions) - _word_runs(passage)) if instructions else False


def verify_sentence(sentence: str, cited: list[int], passages: dict[int, tuple[str, str]], instructions: str = "",
                    threshold: float = DEFAULT.support_threshold) -> tuple[list[int], list[int], Verdict | None]:
    """(supporting citations, dropped markers, last verdict) for one sentence; `passages`:
    n -> (header, text); `instructions`: the text the model was prompted with, which a sentence
    may not repeat."""
    valid = [n for n in cited if n in passages]
    dropped = [n for n in cited if n not in passages]
    candidates = valid or list(passages)  # an uncited sentence may still be supported
    keep: list[int] = []
    verdict = None
    for n in candidates:
        header, text = passages[n]
        verdict = check_sentence(sentence, text, threshold, header)
        if verdict.supported and repeats_instructions(sentence, instructions, f"{header}\n{text}"):
            verdict = Verdict(False, verdict.score, ["repeats the model's instructions"])
        if verdict.supported:
            keep.append(n)
            if not valid:
                break
    return keep, dropped, verdict


def verified_sentences(deltas, passages: dict[int, tuple[str, str]], instructions: str = "",
                       threshold: float = DEFAULT.support_threshold):
    """Stream of generated text -> ("kept", sentence, [passage numbers]) | ("removed", sentence, []),
    each sentence checked once it is complete (the last piece of a stream may be unfinished)."""
    from .sentences import parse_piece, split_raw

    def check(pieces):
        for piece in pieces:
            sentence, cited = parse_piece(piece)
            if not sentence.strip(" .;"):
                continue
            keep, _dropped, _ = verify_sentence(sentence, cited, passages, instructions, threshold)
            yield ("kept", sentence, keep) if keep else ("removed", sentence, [])

    buffer = ""
    for delta in deltas:
        buffer += delta
        *complete, buffer = split_raw(buffer)
        yield from check(complete)
    if buffer.strip():
        yield from check([buffer])
