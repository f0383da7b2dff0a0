"""Values passed along the answer path: `Passage`, the `Generator` protocol, `Decision`
and `Turn`, the one frozen value every stage receives and returns (filled in by stage).

Only data lives here; the stages that fill a `Turn` are in understand/, retrieve.py,
decide.py, generate/, verify.py and citations.py.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Passage:
    """A numbered passage offered to a generator."""

    n: int
    text: str
    label: str
    doc_title: str
    score: float = 0.0
    context: str = ""  # the passage as indexed (header + text): what it is about
    dense: float = 0.0  # cosine similarity of the question and the passage
    named: bool = False  # the paragraph the question names ("Article 40 paragraph 8")
    item: str = ""  # the lettered item the question names in this passage's article ("2(b)": "b")
    metadata: bool = False  # a named document's title and date, not its text (doc_facts.py)
    title: str = ""  # the article's title ("Solicitation or grooming …"), if the passage is in one
    chapter: str = ""  # the chapter numeral of its article ("IX"), if any

    @property
    def header(self) -> str:
        """What `context` adds before the text: the document, article and chapter it is from."""
        return self.context[: max(0, len(self.context) - len(self.text))]


class Generator(Protocol):
    """Anything that turns a question and numbered passages into text with `[n]` markers."""

    name: str

    def stream(self, question: str, passages: list[Passage], context: dict | None = None) -> Iterator[str]: ...


@dataclass(frozen=True)
class Decision:
    decline: bool
    reason: str = ""  # task | missing_article | missing_chapter | missing_document | unsupported
    detail: str = ""


@dataclass(frozen=True)
class Turn:
    """One question on its way through the stages; each stage returns a copy with its part set."""

    question: str
    history: Any = None  # as given; understand() replaces it with the checked tuple of turns
    t0: float = 0.0
    standalone: Any = None  # understand.condense.Standalone
    retriever: Any = None  # retrieve.Retriever of the index version used for this whole answer
    retrieval: Any = None  # retrieve.Retrieval, None for requests that are not questions
    decision: Decision | None = None
    passages: tuple[Passage, ...] = ()
    hits: tuple = ()  # vectorstore.Hit behind each passage, in passage order
    timings_ms: dict = field(default_factory=dict)

    @property
    def index(self):
        return self.retriever.index if self.retriever is not None else None
