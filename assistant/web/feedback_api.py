"""`POST /api/feedback`: a thumbs up/down (and optional comment) on one answer, from the widget
or any API client; stored by `assistant.feedback.FeedbackStore` (no client address kept).

The client sends back the answer it rated (the `done` event's `answer` object), so the
server keeps no per-answer state. Rating the same `answer_id` again replaces the rating;
`"rating": "none"` withdraws it. Ratings have their own rate-limit counter.
"""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..answer.understand.validate import clean_history, clean_question
from ..feedback import FeedbackEntry, FeedbackError, FeedbackStore
from .security import RateLimiter, client_key


class RatedAnswer(BaseModel):
    answer: str = Field(..., max_length=20_000, description="The answer text as shown.")
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    refused: bool = False
    corpus_version: str = Field("", max_length=200)
    generator: str = Field("", max_length=50)


class FeedbackRequest(BaseModel):
    answer_id: str = Field(..., pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Client-chosen id of the answer.")
    rating: Literal["up", "down", "none"] = Field(..., description='"none" withdraws an earlier rating.')
    comment: str = Field("", max_length=2000)
    question: str = Field(..., description="The question that was answered.")
    history: list[Any] | None = Field(None, description="The turns before the question, as sent to /api/ask.")
    answer: RatedAnswer


def feedback_router(store: FeedbackStore, rate: str, max_question_chars: int = 2000,
                    channel: str = "widget") -> APIRouter:
    router = APIRouter(prefix="/api", tags=["feedback"])
    limiter = RateLimiter(rate)

    def limit(request: Request) -> None:
        limiter.check(client_key(request))

    @router.post("/feedback", summary="Rate an answer (thumbs up/down, optional comment)",
                 dependencies=[Depends(limit)])
    def rate_answer(body: FeedbackRequest):
        question, history, a = clean_question(body.question, max_question_chars), clean_history(body.history), body.answer
        try:
            if body.rating == "none":
                store.remove(body.answer_id)
                return {"status": "removed", "answer_id": body.answer_id}
            store.rate(FeedbackEntry(
                answer_id=body.answer_id, rating=body.rating, comment=body.comment.strip(), question=question,
                history=history, answer=a.answer, citations=a.citations, refused=a.refused,
                corpus_version=a.corpus_version, generator=a.generator, channel=channel))
        except FeedbackError as exc:  # the store is unwritable: the server's problem, not the request's
            return JSONResponse({"error": str(exc)}, status_code=503)
        return {"status": "saved", "answer_id": body.answer_id}

    return router
