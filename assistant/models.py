"""Values that cross the assistant's boundaries: `Citation`, `Answer`, stream events.

`Answer.as_dict()` is the JSON shape of `treaty ask --json`, `/api/ask` and eval results:
{"answer", "citations", "refused", "corpus_version", "timings_ms", ...}.

Stream events (from `AnswerPipeline.stream`), in order:
    {"type": "delta", "text": "..."}          verified answer text, sentence by sentence
    {"type": "citations", "citations": [...]} the cited sources (Citation.as_dict())
    {"type": "done", "answer": {...}}         the full Answer.as_dict()
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


def source_id(doc_id: str, article: int | None, section: str) -> str:
    """DOC_ID#art-N for an article, DOC_ID#annex / #preamble for those sections, else DOC_ID."""
    if article and section in ("article", ""):
        return f"{doc_id}#art-{article}"
    if section in ("annex", "preamble"):
        return f"{doc_id}#{section}"
    return doc_id


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    doc_title: str
    label: str  # e.g. "Art. 25(2)"
    article: int | None
    paragraph: int | None
    quote: str  # the exact source text the answer used
    source_url: str
    chunk_id: str = ""
    section: str = ""
    passage: str = ""  # the whole paragraph the quote comes from (for highlighting)
    doc_short_title: str = ""  # for compact display ("Convention on Cybercrime (Budapest Convention)")
    article_title: str = ""  # the cited article's title ("Illegal access"), when the passage is in one

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def source(self) -> str:
        """Eval-style source id: DOC_ID#art-N, DOC_ID#annex, DOC_ID#preamble or DOC_ID."""
        return source_id(self.doc_id, self.article, self.section)


@dataclass(frozen=True)
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    corpus_version: str = ""
    timings_ms: dict = field(default_factory=dict)
    question: str = ""
    standalone_question: str = ""
    generator: str = "extractive"
    retrieved: list[dict] = field(default_factory=list)  # [{"chunk_id", "rank", "label", "doc_id", "source"}]
    unverified: list[str] = field(default_factory=list)  # sentences removed by verification
    suggestions: list[str] = field(default_factory=list)  # with a decline: questions the documents answer
    decline_reason: str = ""  # task | missing_article | missing_chapter | missing_document | unsupported, when refused
    lang: str = "en"  # the question's language (en, fr, es, ru, ar, zh)
    fallback: str = ""  # "extractive" when an LLM's sentences all failed verification and the quotes are shown

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "citations": [c.as_dict() for c in self.citations],
            "refused": self.refused,
            "corpus_version": self.corpus_version,
            "timings_ms": dict(self.timings_ms),
            "question": self.question,
            "standalone_question": self.standalone_question,
            "generator": self.generator,
            "retrieved": list(self.retrieved),
            "unverified": list(self.unverified),
            "suggestions": list(self.suggestions),
            "decline_reason": self.decline_reason,
            "lang": self.lang,
            "fallback": self.fallback,
        }
