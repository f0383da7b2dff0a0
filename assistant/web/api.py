"""The JSON API: `/api/ask`, `/api/ask/stream` (server-sent events), `/api/health`, and its errors.

Errors leave as `{"error": message}`: an empty question 400, a page on a refused origin 403,
an over-long question, a malformed body or history 422, over the rate limit 429 (with
Retry-After), no index or generator 503 (the details, which name server paths and URLs, go
to the log under the request id). A question spends quota only once it is valid. Unknown
`/api/...` paths answer 404 and known paths with the wrong method 405, even with Gradio at `/`.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ..answer.understand.validate import clean_history, clean_question
from ..errors import EXPECTED_ERRORS, GeneratorUnavailable, InvalidHistory, QuestionTooLong, StoreError
from .cancel import STOP, Cancellable
from .security import OriginRefused, Quotas, RateLimited, client_key, origin_refused

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # bytes; history turns are cut to 4000 chars and 50 turns anyway
STREAM_DOC = """Server-sent events, in order: `delta` ({"type": "delta", "text"}) one or more times,
`citations` ({"type": "citations", "citations": [...]}), then `done` ({"type": "done", "answer": {...}},
the same object as `/api/ask`). A failure after the stream started arrives as `error` ({"error": message})."""


class AskRequest(BaseModel):
    question: str = Field(..., description="The question.", examples=["What does Article 25 say about confiscation?"])
    history: list[Any] | None = Field(
        None, description='Earlier turns, oldest first: [{"role": "user"|"assistant", "content": "..."}].'
    )


class Answerer:
    """One shared pipeline (built on first use: generators can be heavy) plus the quotas."""

    def __init__(self, container, quotas: Quotas):
        self.container = container
        self.quotas = quotas
        self._pipeline = None
        self._lock = threading.Lock()

    def pipeline(self):
        with self._lock:
            if self._pipeline is None:
                self._pipeline = self.container.pipeline()
                self._pipeline.generator = Cancellable(self._pipeline.generator)  # see cancel.py
            return self._pipeline

    def admit(self, request, question: object, history: object = None) -> tuple[str, list[dict]]:
        """The cleaned question and history, after spending one question of the caller's quota.

        `request` is a Starlette or Gradio request. Invalid input and refused origins spend nothing."""
        question = clean_question(question, self.container.settings.max_question_chars)
        history = clean_history(history)
        headers = request.headers
        origin = headers.get("origin")
        host = headers.get("host")
        own = f"{request.url.scheme}://{host}" if host else None
        self.quotas.admit(client_key(request), origin.rstrip("/") if origin else None, own)
        return question, history


def public_message(exc: Exception, request_id: str = "") -> str:
    """What a client may read: server-side failures (their messages name paths, URLs) stay in the log."""
    if isinstance(exc, (StoreError, GeneratorUnavailable)):
        log.warning("request %s: %s: %s", request_id or "-", type(exc).__name__, exc)
        ref = f" (request id {request_id})" if request_id else ""
        return f"The answer service is not available on the server right now: try again later{ref}."
    return str(exc)


def status_of(exc: Exception) -> int:
    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, OriginRefused):
        return 403
    if isinstance(exc, (InvalidHistory, QuestionTooLong)):
        return 422
    if isinstance(exc, (StoreError, GeneratorUnavailable)):
        return 503
    return 400


def _error(status: int, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    async def expected(request: Request, exc: Exception) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return _error(status_of(exc), public_message(exc, getattr(request.state, "request_id", "")), headers)

    async def invalid_body(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        message = f"Invalid request: {where}: {first.get('msg', 'malformed')}. Send JSON like " \
                  '{"question": "...", "history": []}.'
        # where and what only: echoing the input would return a client's whole body, and NaN or
        # Infinity in it cannot be written as JSON (a 500 instead of this 422)
        detail = [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in exc.errors()]
        return _error(422, message, detail=json.loads(json.dumps(detail, default=str)))

    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    for cls in EXPECTED_ERRORS:
        app.add_exception_handler(cls, expected)
    app.add_exception_handler(RequestValidationError, invalid_body)
    app.add_exception_handler(HTTPException, http_error)


def api_router(answerer: Answerer) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"], max_body_size=MAX_BODY)
    container = answerer.container

    def refuse_other_sites(request: Request) -> None:
        """A page on a refused origin gets 403 before its body is even read."""
        origin, host = request.headers.get("origin"), request.headers.get("host")
        origin = origin.rstrip("/") if origin else None
        if origin_refused(origin, f"{request.url.scheme}://{host}", answerer.quotas.origins):
            raise OriginRefused(origin)

    @router.post("/ask", summary="Answer a question with citations", dependencies=[Depends(refuse_other_sites)])
    def ask(body: AskRequest, request: Request) -> dict:
        """The same JSON object as `treaty ask --json`."""
        question, history = answerer.admit(request, body.question, body.history)
        return answerer.pipeline().ask(question, history).as_dict()

    @router.post("/ask/stream", summary="Answer as server-sent events", description=STREAM_DOC,
                 dependencies=[Depends(refuse_other_sites)])
    def ask_stream(body: AskRequest, request: Request):
        from sse_starlette import EventSourceResponse

        # Validate before the stream opens, so bad input still gets a 400/422 status.
        question, history = answerer.admit(request, body.question, body.history)
        pipeline = answerer.pipeline()
        container.index()  # NoIndex -> 503 now rather than mid-stream
        return EventSourceResponse(sse_events(pipeline, question, history), ping=15)

    @router.get("/health", summary="Liveness and the corpus version being served")
    def health() -> dict:
        index = container.index()
        docs = {m.get("doc_id") for m in index.metadatas}
        return {"status": "ok", "corpus_version": index.version, "documents": len(docs), "chunks": len(index),
                "generator": container.settings.generator}

    return router


async def sse_events(pipeline, question: str, history: list[dict]):
    """Pipeline events -> sse-starlette events; failures become one `error` event.

    When the client goes away sse-starlette cancels this generator: the worker thread is
    abandoned and told to stop (`cancel.STOP`), which ends generation and its LLM request."""
    import anyio
    from sse_starlette import ServerSentEvent

    stop = threading.Event()
    STOP.set(stop)  # copied into the worker threads' contexts by anyio
    stream, end = pipeline.stream(question, history), object()
    try:
        while (event := await anyio.to_thread.run_sync(next, stream, end, abandon_on_cancel=True)) is not end:
            public = {k: v for k, v in event.items() if not k.startswith("_")}
            yield ServerSentEvent(data=json.dumps(public, ensure_ascii=False), event=event["type"])
    except EXPECTED_ERRORS as exc:
        yield ServerSentEvent(data=json.dumps({"error": public_message(exc)}), event="error")
    except Exception:
        log.error("answer stream failed: %s", sys.exc_info()[0].__name__)
        yield ServerSentEvent(data=json.dumps({"error": "The answer failed on the server: try again."}), event="error")
    finally:
        stop.set()


def api_fallback(*routers: APIRouter) -> APIRouter:
    """Catch-all under /api: 405 for a known path with another method, else 404 (not Gradio's page)."""
    fallback_router = APIRouter(include_in_schema=False)
    routes = [r for router in routers for r in router.routes if getattr(r, "methods", None)]

    @fallback_router.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
    def fallback(request: Request, rest: str) -> JSONResponse:
        scope = {**request.scope, "method": "__NONE__"}  # any route matching the path is then PARTIAL
        allowed = sorted({m for r in routes if r.matches(scope)[0] == Match.PARTIAL for m in r.methods})
        if allowed:
            return _error(405, f"Method {request.method} is not allowed on {request.url.path}: use {', '.join(allowed)}.",
                          {"Allow": ", ".join(allowed)})
        return _error(404, f"No API endpoint {request.url.path}: see /docs for the list.")

    return fallback_router
