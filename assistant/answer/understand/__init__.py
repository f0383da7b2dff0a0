"""Understanding the question: input checks (validate), what it points at (refs), and
follow-ups turned into a standalone query (condense). No retrieval happens here."""
from __future__ import annotations

import time
from dataclasses import replace

from ..types import Turn
from .condense import Standalone, condense, is_follow_up
from .refs import ArticleRef, Refs, doc_aliases, parse_refs
from .validate import clean_history, clean_question, load_history_file, valid_text


def understand(turn: Turn, retriever, max_question_chars: int) -> Turn:
    """Checked question and history, and the standalone query with its references."""
    t = time.perf_counter()
    question = clean_question(turn.question, max_question_chars)
    history = clean_history(turn.history)
    standalone = condense(question, history, retriever.parse)
    acronyms = getattr(retriever, "acronyms", None)
    if acronyms is not None:  # "the EU" -> also "European Union", the documents' words (acronyms.py)
        standalone = replace(standalone, query=acronyms.expand(standalone.query))
    return replace(turn, question=question, history=tuple(history), standalone=standalone, retriever=retriever,
                   timings_ms={**turn.timings_ms, "condense": round((time.perf_counter() - t) * 1000, 2)})


__all__ = [
    "ArticleRef", "Refs", "Standalone", "clean_history", "clean_question", "condense", "doc_aliases",
    "is_follow_up", "load_history_file", "parse_refs", "understand", "valid_text",
]
