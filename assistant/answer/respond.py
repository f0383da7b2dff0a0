"""The last stage: the generator's text, checked sentence by sentence (verify.py), numbered
(citations.py) and streamed as events, ending with the whole `Answer`; or the decline. A partial
answer opens with one uncited line saying what the documents do not hold (gaps.py).

Stream events: {"type": "delta", "text"} … {"type": "citations", "citations"} {"type": "done", "answer"}.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from ..i18n import question_lang, quote_lead, t
from ..models import Answer, source_id
from .citations import Numbering, build_citations
from .decide import decline_text, suggestions
from .gaps import find_gap
from .prompts import NO_ANSWER, SYSTEM_PROMPT, passage_label
from .tuning import Tuning
from .types import Decision, Generator, Turn
from .verify import verified_sentences


def _retrieved(turn: Turn) -> list[dict]:
    out = []
    for h in (turn.retrieval.hits if turn.retrieval else []):
        m = h.metadata
        out.append({"chunk_id": h.id, "rank": h.rank, "label": m.get("label", ""), "doc_id": m.get("doc_id", ""),
                    "source": source_id(m.get("doc_id", ""), m.get("article"), m.get("section", "")),
                    "score": round(h.score, 6), "dense": round(h.dense, 4)})
    return out


def _previous_quotes(history) -> list[str]:
    """The sentences of the last assistant answer (markers removed)."""
    from .sentences import SOURCE_PREFIX, split_cited_sentences

    last = next((t["content"] for t in reversed(history or ()) if t["role"] == "assistant"), "")
    # without the "Under the <document> (<label>): " / "In “<document>”: " naming a quote's document
    return [SOURCE_PREFIX.sub("", sentence).rstrip(".") for sentence, _ in split_cited_sentences(last)]


def _context(turn: Turn, tuning: Tuning, extractive: bool) -> dict:
    """What a generator reads beside the passages (the extractive one: the question's vector,
    the earlier answer's quotes to avoid)."""
    s = turn.standalone
    context = {"idf": turn.retriever.idf, "tuning": tuning, "query_vec": turn.retrieval.query_vec,
               "unit_vectors": getattr(turn.retriever, "unit_vectors", None)}
    if turn.retrieval.in_order:  # an article asked as a whole: no sentence of it is preferred by meaning
        context["query_vec"] = None
    elif s.follow_up and tuning.unit_sim_weight and extractive:
        # the composer reads the follow-up's own words (the earlier ones are `carried`, weighed less)
        context["query_vec"] = turn.retriever.index.embedder.embed_query(turn.question)
    if s.follow_up:
        context["carried"] = s.query[len(turn.question):].strip()
        context["avoid"] = _previous_quotes(turn.history)
    return context


def _says_no_answer(sentences: list[str]) -> bool:
    """Did the model write the prompt's no-answer sentence (its own "I don't know": a decline)?"""
    target = NO_ANSWER.lower().rstrip(".")
    return any(target in " ".join(s.lower().split()) for s in sentences)


def respond(turn: Turn, generator: Generator, tuning: Tuning, fallback: Generator | None = None) -> Iterator[dict]:
    """`fallback`: the generator whose answer is shown when verification removes every sentence
    `generator` wrote and the model did not say the documents do not answer (None: decline)."""
    t_gen = time.perf_counter()
    decision: Decision = turn.decision
    numbering, removed = Numbering(), []
    lang = question_lang(turn.question, turn.history)
    lead = quote_lead(lang) if lang != "en" else ""  # one line in the question's language: quotes stay English
    # English questions only: the checks read English grammar, and a term asked in another language
    # cannot be looked up among the English text's definitions
    gap = find_gap(turn.question, list(turn.passages)) if not decision.decline and lang == "en" else None
    if gap is not None:  # a partial answer says first what the documents do not hold
        note = t(f"gap_{gap.kind}", lang, term=gap.term)
        lead = f"{note} {lead}".strip()
    used = ""  # the fallback's name, when its answer is the one shown
    if not decision.decline:
        s = turn.standalone
        # a passage's header (document, article, chapter) and the label line the model is shown
        # above it are metadata: citable with it, but a sentence must say something of the text;
        # a document-facts passage (doc_facts.py) is that metadata: its text is all there is
        passages = {p.n: ("" if p.metadata else f"{passage_label(p)}\n{p.header}", p.text) for p in turn.passages}

        def run(gen: Generator) -> Iterator[dict]:
            extractive = gen.name == "extractive"
            query = turn.question if extractive or not s.follow_up else s.query
            deltas = gen.stream(query, list(turn.passages), _context(turn, tuning, extractive))
            for kind, sentence, ns in verified_sentences(deltas, passages, SYSTEM_PROMPT, tuning.support_threshold):
                if kind == "removed":
                    removed.append(sentence)
                elif (text := numbering.add(sentence, ns)) is not None:
                    first = len(numbering.kept) == 1
                    yield {"type": "delta", "text": (f"{lead} " if first and lead else "" if first else " ") + text}

        yield from run(generator)
        if (fallback is not None and fallback.name != generator.name and not numbering.kept
                and not _says_no_answer(removed)):
            yield from run(fallback)
            used = fallback.name if numbering.kept else ""
    suggested: list[str] = []
    refused = decision.decline or not numbering.kept
    if refused:
        if not decision.decline:
            decision = Decision(True, "unsupported", "no generated sentence was supported by its passage")
        suggested = suggestions(turn.retrieval, turn.retriever.short_titles, turn.retriever.primary_doc)
        text = decline_text(decision, turn.standalone.query, suggested, lang, turn.retrieval)
        yield {"type": "delta", "text": text}
        citations = []
    else:
        text = numbering.text()
        citations = build_citations(numbering, list(turn.hits))
        if lead:
            text = f"{lead} {text}"
    yield {"type": "citations", "citations": [c.as_dict() for c in citations]}
    timings = {"condense": turn.timings_ms.get("condense", 0.0), "retrieve": turn.timings_ms.get("retrieve", 0.0),
               "generate_verify": round((time.perf_counter() - t_gen) * 1000, 2),
               "total": round((time.perf_counter() - turn.t0) * 1000, 2)}
    answer = Answer(
        text=text, citations=citations, refused=refused, corpus_version=turn.index.version, timings_ms=timings,
        question=turn.question, standalone_question=turn.standalone.query, generator=generator.name,
        retrieved=_retrieved(turn), unverified=removed, suggestions=suggested,
        decline_reason=decision.reason if refused else "", lang=lang,
        fallback=used,
    )
    yield {"type": "done", "answer": answer.as_dict(), "_answer": answer, "decline_reason": decision.reason}
