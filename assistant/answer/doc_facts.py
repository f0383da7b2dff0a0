"""A document's own facts as a passage: its title and date, as ingested (metadata), for a question
that names the document and asks when, or which one it is ("When was the Budapest Convention
opened for signature?", "Which General Assembly resolution adopted the convention?").

"When" needs a word of the date's description in the question and "which" a kind of thing the
title numbers, so "When a country passes information ..." or "Which Budapest Convention articles
..." get no such passage. Those facts are in no chunk's text ("79/243" is in the resolution's title, 2001 in the Budapest
Convention's date field), so without this passage the composer quotes a sentence of the text, and a
"when" question leads with whatever date that sentence holds. The passage is the metadata verbatim,
cited as the document (its first chunk backs the citation link); the answer-or-decline model does
not read it (`Passage.metadata`). Leaves out: documents the question does not name (the primary
document's date says nothing of which event it is), and any wording not in the metadata.
"""
from __future__ import annotations

import re

from vectorstore import Hit

from .asks import asks_date
from .terms import content_terms

# "which/what" and the noun phrase it asks for (not an auxiliary: "what does it say" asks the text)
_ASKS_WHICH = re.compile(r"^\s*(?:which|what)\s+(?!(?:is|are|was|were|do|does|did|can|could|should|would|will|"
                         r"shall|may|might|must|has|have|had)\b)((?:[\w-]+\s+){0,3}[\w-]+)", re.I)
# a word of a title followed by an identifier with a digit: "Resolution 79/243", "No. 185"
_IDENTIFIED = re.compile(r"\b([A-Za-z][A-Za-z-]+)\.?\s+(?:No\.\s*)?[\w./-]*\d[\w./-]*")
LABEL = "Document details"


def asks_document_fact(question: str, metadata: dict) -> bool:
    """Does the question ask the document's date or identity, not something of its text?
    "When ..." with a word of the date's own description ("opened for signature", "adopted",
    "entered into force"), or "which/what <X>" where the title identifies an X by number
    ("Which General Assembly resolution ...": "Resolution 79/243")."""
    asked = set(content_terms(question))
    title = metadata.get("doc_title") or ""
    if asks_date(question):
        # the events the date describes are its lowercase words ("opened for signature"; "Budapest" is a place)
        events = " ".join(w for w in re.findall(r"[A-Za-z-]+", metadata.get("date") or "") if w.islower())
        return bool(asked & set(content_terms(events)))
    m = _ASKS_WHICH.search(question)
    identified = {t for w in _IDENTIFIED.findall(title) for t in content_terms(w)}
    return bool(m) and bool(set(content_terms(m.group(1))) & identified)


def fact_text(metadata: dict) -> str:
    """The document's title, then its date after its short title, verbatim from its metadata (two
    sentences, so that each can be quoted alone)."""
    title = (metadata.get("doc_title") or "").strip().rstrip(".")
    short = (metadata.get("doc_short_title") or "").strip().rstrip(".")
    short = title if not short or short.endswith("…") else short  # a shortened title names nothing
    date = (metadata.get("date") or "").strip().rstrip(".")
    return f"{title}." + (f"\n\n{short}: {date}." if date else "") if title else ""


def document_fact_hits(question: str, docs: tuple[str, ...], first_rows: dict[str, int], index,
                       score: float, rank: int) -> list[Hit]:
    """The first named document's facts as a Hit (rank `rank`, ranker score `score`), if asked."""
    row = first_rows.get(docs[0]) if docs else None
    if row is None:
        return []
    m = index.metadatas[row]
    text = fact_text(m)
    if not text or not asks_document_fact(question, m):
        return []
    meta = {k: v for k, v in m.items() if k not in ("article", "paragraph", "chapter", "part")}
    return [Hit(index.ids[row], text, {**meta, "label": LABEL, "section": "document"}, score, 0.0, 0.0, rank)]
