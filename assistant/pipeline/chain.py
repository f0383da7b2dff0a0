"""The answer pipeline as LangChain runnables:
validate -> condense follow-up -> retrieve -> decide (decline?) -> generate -> verify.

`AnswerPipeline.stream` yields verified text sentence by sentence, then the citations,
then the whole `Answer`; `ask` returns the `Answer`. Generators only see numbered
passages; every sentence they produce is checked (verify.py) before anyone sees it.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from langchain_core.runnables import RunnableGenerator, RunnableLambda

from ..models import Answer, Citation, source_id
from . import verify
from .condense import condense
from .decline import Decision, decline_text, is_task_request
from .extractive import IdfTable, Passage, coverage
from .generators import SYSTEM_PROMPT
from .text import content_terms, units
from .validate import clean_history, clean_question


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


class AnswerPipeline:
    """One question (with history) in, a verified, cited `Answer` out."""

    def __init__(self, container, generator):
        self.container = container
        self.settings = container.settings
        self.generator = generator
        self._idf: tuple[str, IdfTable] | None = None
        self.prepare = (
            RunnableLambda(self._validate, name="validate")
            | RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._decide, name="decide")
        )
        self.chain = self.prepare | RunnableGenerator(self._generate_verified, name="generate_verify")

    # -- public ------------------------------------------------------------------------
    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[dict]:
        yield from self.chain.stream({"question": question, "history": history, "t0": time.perf_counter()})

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        final = None
        for event in self.stream(question, history):
            if event["type"] == "done":
                final = event["_answer"]
        return final

    # -- steps -------------------------------------------------------------------------
    def _validate(self, state: dict) -> dict:
        return {
            **state,
            "question": clean_question(state["question"], self.settings.max_question_chars),
            "history": clean_history(state.get("history")),
        }

    def _condense(self, state: dict) -> dict:
        t = time.perf_counter()
        retriever = self.container.retriever()
        standalone = condense(state["question"], state["history"], retriever.parse)
        # one index version per answer, even when an ingest switches CURRENT half-way through it
        return {**state, "retriever": retriever, "index": retriever.index, "standalone": standalone,
                "t_condense": _ms(t)}

    def _retrieve(self, state: dict) -> dict:
        t = time.perf_counter()
        if is_task_request(state["question"]):
            return {**state, "retrieval": None, "t_retrieve": 0.0}
        s = state["standalone"]
        retrieval = state["retriever"].retrieve(s.query, refs=s.refs)
        return {**state, "retrieval": retrieval, "t_retrieve": _ms(t)}

    def idf(self, index) -> IdfTable:
        if self._idf is None or self._idf[0] != index.version:
            self._idf = (index.version, IdfTable(index.embed_texts))
        return self._idf[1]

    def _decide(self, state: dict) -> dict:
        retrieval = state["retrieval"]
        if retrieval is None:
            return {**state, "decision": Decision(True, "task"), "passages": []}
        if retrieval.missing and not retrieval.pinned:
            m = retrieval.missing[0]
            detail = f"The {m.doc_title} has {m.highest} articles; there is no Article {m.article}."
            return {**state, "decision": Decision(True, "missing_article", detail), "passages": []}
        # a question naming an article is answered from that article
        hits = retrieval.hits[: retrieval.pinned] if retrieval.pinned else retrieval.hits[: self.settings.k]
        index = state["index"]
        passages = [
            Passage(i, h.text, h.metadata.get("label", ""), h.metadata.get("doc_short_title") or h.metadata.get("doc_title", ""),
                    h.score, index.embed_texts[index.row[h.id]])
            for i, h in enumerate(hits, start=1)
        ]
        if not retrieval.pinned and hits:
            terms = content_terms(state["standalone"].query)
            best_dense = max(h.dense for h in hits)
            # the header (document, article title) counts: it is part of what a passage is about
            best_cov = max((coverage(terms, index.embed_texts[index.row[h.id]], self.idf(index)) for h in hits), default=0.0)
            relevance = best_dense + 0.5 * best_cov
            if relevance < self.settings.min_relevance or best_cov < self.settings.min_coverage:
                detail = f"relevance {relevance:.2f} (similarity {best_dense:.2f}, coverage {best_cov:.2f})"
                return {**state, "decision": Decision(True, "unsupported", detail), "passages": passages, "hits": hits}
        if not hits:
            return {**state, "decision": Decision(True, "unsupported", "nothing retrieved"), "passages": []}
        return {**state, "decision": Decision(False), "passages": passages, "hits": hits}

    # -- generation + verification ------------------------------------------------------
    def _generate_verified(self, states: Iterator[dict]) -> Iterator[dict]:
        for state in states:
            yield from self._answer(state)

    def _answer(self, state: dict) -> Iterator[dict]:
        index = state["index"]
        retrieval = state.get("retrieval")
        retrieved = []
        for h in (retrieval.hits if retrieval else []):
            m = h.metadata
            retrieved.append({"chunk_id": h.id, "rank": h.rank, "label": m.get("label", ""), "doc_id": m.get("doc_id", ""),
                              "source": source_id(m.get("doc_id", ""), m.get("article"), m.get("section", "")),
                              "score": round(h.score, 6), "dense": round(h.dense, 4)})
        decision: Decision = state["decision"]
        t_gen = time.perf_counter()
        kept: list[tuple[str, list[int]]] = []
        removed: list[str] = []
        renumber: dict[int, int] = {}
        passages = {p.n: p.text for p in state["passages"]}
        if not decision.decline:
            context = {"idf": self.idf(index)}
            buffer = ""
            query = state["standalone"].query if state["standalone"].follow_up else state["question"]
            for delta in self.generator.stream(query, state["passages"], context):
                buffer += delta
                *complete, buffer = verify.split_raw(buffer)  # the last piece may be unfinished
                yield from self._emit([verify.parse_piece(p) for p in complete], passages, kept, removed, renumber)
            yield from self._emit([verify.parse_piece(buffer)] if buffer.strip() else [], passages, kept, removed, renumber)
        refused = decision.decline or not kept
        if refused:
            titles = list(state["retriever"].short_titles.values())
            if not decision.decline:
                decision = Decision(True, "unsupported", "no generated sentence was supported by its passage")
            text = decline_text(decision, titles)
            yield {"type": "delta", "text": text}
            citations: list[Citation] = []
        else:
            text = " ".join(self._render(s, ns, renumber) for s, ns in kept)
            citations = self._citations(kept, renumber, state)
        t_gen_ms = _ms(t_gen)
        yield {"type": "citations", "citations": [c.as_dict() for c in citations]}
        answer = Answer(
            text=text, citations=citations, refused=refused, corpus_version=index.version,
            timings_ms={"condense": state.get("t_condense", 0.0), "retrieve": state.get("t_retrieve", 0.0),
                        "generate_verify": t_gen_ms, "total": _ms(state["t0"])},
            question=state["question"], standalone_question=state["standalone"].query,
            generator=self.generator.name, retrieved=retrieved, unverified=removed,
        )
        yield {"type": "done", "answer": answer.as_dict(), "_answer": answer, "decline_reason": decision.reason}

    def _emit(self, pieces, passages, kept, removed, renumber) -> Iterator[dict]:
        for sentence, cited in pieces:
            if not sentence.strip(" .;"):
                continue
            keep, _dropped, _ = verify.verify_sentence(sentence, cited, passages, instructions=SYSTEM_PROMPT)
            if not keep:
                removed.append(sentence)
                continue
            if any(sentence == s for s, _ in kept):
                continue
            for n in keep:
                renumber.setdefault(n, len(renumber) + 1)
            kept.append((sentence, keep))
            prefix = " " if len(kept) > 1 else ""
            yield {"type": "delta", "text": prefix + self._render(sentence, keep, renumber)}

    @staticmethod
    def _render(sentence: str, ns: list[int], renumber: dict[int, int]) -> str:
        marks = "".join(f"[{renumber[n]}]" for n in dict.fromkeys(ns))
        body = sentence.rstrip()
        if body and body[-1] in ".!?;:":
            return f"{body[:-1].rstrip()} {marks}{'.' if body[-1] in ';:' else body[-1]}"
        return f"{body} {marks}."

    def _citations(self, kept, renumber, state) -> list[Citation]:
        hits = {i: h for i, h in enumerate(state["hits"], start=1)}
        quotes: dict[int, list[str]] = {}
        for sentence, ns in kept:
            for n in ns:
                source_units = units(hits[n].text)
                best = max(source_units, key=lambda u: verify.lexical_support(sentence, u) + (1 if sentence.rstrip(".").strip() in u else 0))
                if best not in quotes.setdefault(n, []):
                    quotes[n].append(best)
        out = []
        for n, new in sorted(renumber.items(), key=lambda kv: kv[1]):
            m = hits[n].metadata
            out.append(Citation(
                n=new, doc_id=m.get("doc_id", ""), doc_title=m.get("doc_title", ""), label=m.get("label", ""),
                article=m.get("article") or None, paragraph=m.get("paragraph") or None,
                quote=" … ".join(quotes.get(n, [])), source_url=m.get("source_url", ""),
                chunk_id=hits[n].id, section=m.get("section", ""), passage=hits[n].text,
                doc_short_title=m.get("doc_short_title", ""),
            ))
        return out
