"""The answer path as LangChain runnables, composition only:
understand -> retrieve -> decide -> respond (generate, verify, cite).

`AnswerPipeline.stream` yields verified text sentence by sentence, then the citations, then
the whole `Answer`; `ask` returns the `Answer`. Each stage takes and returns a frozen `Turn`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from langchain_core.runnables import RunnableGenerator, RunnableLambda

from ..models import Answer
from .decide import decide_stage, is_task_request
from .generate.extractive import ExtractiveGenerator
from .respond import respond
from .retrieve import retrieve_stage
from .tuning import DEFAULT, Tuning
from .types import Generator, Turn
from .understand import understand


class AnswerPipeline:
    """One question (with history) in, a verified, cited `Answer` out."""

    def __init__(self, container, generator: Generator, tuning: Tuning | None = None, fallback: bool | None = None):
        """`fallback`: show the extractive answer when verification removes every sentence an LLM
        wrote (None: settings.llm_fallback)."""
        self.container = container
        self.settings = container.settings
        self.generator = generator
        self.tuning = tuning or getattr(container, "tuning", None) or DEFAULT
        # an LLM answer that verification empties is replaced by the quotes (settings.llm_fallback)
        use_fallback = self.settings.llm_fallback if fallback is None else fallback
        self.fallback = ExtractiveGenerator(tuning=self.tuning) if use_fallback and generator.name != "extractive" else None
        self.chain = (
            RunnableLambda(self._understand, name="understand")
            | RunnableLambda(lambda t: retrieve_stage(t, skip=is_task_request(t.question)), name="retrieve")
            | RunnableLambda(lambda t: decide_stage(t, self.tuning), name="decide")
            | RunnableGenerator(self._respond, name="respond")
        )

    def _understand(self, turn: Turn) -> Turn:
        # one index version per answer, even when an ingest switches CURRENT half-way through it
        return understand(turn, self.container.retriever(), self.settings.max_question_chars)

    def _respond(self, turns: Iterator[Turn]) -> Iterator[dict]:
        for turn in turns:
            yield from respond(turn, self.generator, self.tuning, self.fallback)

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[dict]:
        yield from self.chain.stream(Turn(question=question, history=history, t0=time.perf_counter()))

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        final = None
        for event in self.stream(question, history):
            if event["type"] == "done":
                final = event["_answer"]
        return final
