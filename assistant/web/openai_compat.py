"""OpenAI-compatible API: `POST /v1/chat/completions` (streamed or not) and `GET /v1/models`.

The conversation comes from `messages`: the last message is the question (it must be the
user's), earlier user and assistant turns are the history; system messages are left out
(the assistant keeps its own rules). The text keeps its `[n]` markers; the citations travel
in an extra top-level `citations` field and the rest of `Answer.as_dict()` (refused,
corpus_version, ...) in `treaty`. A decline is a normal answer. Sampling options (temperature,
max_tokens, tools, n) are accepted and ignored. Rate limit, origins and body limit are the
ones of /api (the shared Answerer, the app's middleware); errors take OpenAI's shape.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import EXPECTED_ERRORS, InvalidQuestion
from .api import MAX_BODY, Answerer

log = logging.getLogger(__name__)

MODEL_ID = "treaty-assistant"
ROUTES = {"/v1/chat/completions": "POST", "/v1/models": "GET"}
ERROR_TYPES = {400: "invalid_request_error", 404: "not_found_error", 405: "invalid_request_error",
               413: "invalid_request_error", 422: "invalid_request_error", 429: "rate_limit_exceeded",
               503: "service_unavailable"}


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"] = Field(
        ..., description="user and assistant turns make the conversation; the others are left out.")
    content: str | list[dict[str, Any]] | None = Field(None, description="Text, or content parts of type text.")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, description=f"Any name is accepted; the answer comes from {MODEL_ID!r}.")
    messages: list[ChatMessage] = Field(..., min_length=1, description="The conversation, oldest first.")
    stream: bool = Field(False, description="Answer as server-sent chat.completion.chunk events.")


def message_text(content: str | list[dict] | None) -> str:
    if isinstance(content, list):  # [{"type": "text", "text": "..."}, {"type": "image_url", ...}]
        return "\n".join(str(p.get("text", "")) for p in content if p.get("type") == "text")
    return content or ""


def conversation(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
    """messages -> (question, history of user/assistant turns)."""
    turns = [{"role": m.role, "content": message_text(m.content)} for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user":
        raise InvalidQuestion("The last message must be the user's question: end `messages` with "
                              '{"role": "user", "content": "..."}.')
    return turns[-1]["content"], turns[:-1]


def _envelope(kind: str, completion_id: str, created: int, choice: dict, answer: dict | None = None) -> dict:
    out = {"id": completion_id, "object": kind, "created": created, "model": MODEL_ID, "choices": [choice]}
    if answer is not None:
        out["citations"] = answer.get("citations", [])
        out["treaty"] = {k: v for k, v in answer.items() if k not in ("answer", "citations")}
    return out


def completion(answer: dict) -> dict:
    """Answer.as_dict() -> a chat.completion object."""
    choice = {"index": 0, "message": {"role": "assistant", "content": answer["answer"]}, "finish_reason": "stop",
              "logprobs": None}
    return _envelope("chat.completion", f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), choice, answer)


def completion_chunks(pipeline, question: str, history: list[dict]):
    """Pipeline events -> `data:` payloads: role, content deltas, the final chunk (citations, treaty), [DONE]."""
    from sse_starlette import ServerSentEvent

    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict, finish: str | None = None, answer: dict | None = None) -> ServerSentEvent:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        body = _envelope("chat.completion.chunk", completion_id, created, choice, answer)
        return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    try:
        for event in pipeline.stream(question, history):
            if event["type"] == "delta":
                yield chunk({"content": event["text"]})
            elif event["type"] == "done":
                yield chunk({}, "stop", event["answer"])
    except EXPECTED_ERRORS as exc:
        yield ServerSentEvent(data=json.dumps({"error": {"message": str(exc), "type": "server_error"}}))
    except Exception:
        log.exception("chat completion stream failed")
        message = "The answer failed on the server: try again."
        yield ServerSentEvent(data=json.dumps({"error": {"message": message, "type": "server_error"}}))
    yield ServerSentEvent(data="[DONE]")


def openai_router(answerer: Answerer) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["openai-compatible"], max_body_size=MAX_BODY)
    container, started = answerer.container, int(time.time())

    @router.post("/chat/completions", summary="OpenAI-compatible chat completion (with citations)")
    def chat_completions(body: ChatRequest, request: Request):
        # validated first, then one question of the caller's quota, as on /api (validated before a stream opens)
        question, history = answerer.admit(request, *conversation(body.messages))
        if not body.stream:
            return completion(answerer.pipeline().ask(question, history).as_dict())
        from sse_starlette import EventSourceResponse

        pipeline = answerer.pipeline()
        container.index()
        return EventSourceResponse(completion_chunks(pipeline, question, history), ping=15)

    @router.get("/models", summary="The one model this server answers with")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": started,
                                            "owned_by": "treaty-assistant"}]}

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
                      include_in_schema=False)
    def fallback(request: Request, rest: str) -> JSONResponse:
        allowed = ROUTES.get(request.url.path.rstrip("/"))
        if allowed:
            return JSONResponse({"error": f"Method {request.method} is not allowed on {request.url.path}: use "
                                          f"{allowed}."}, 405, {"Allow": allowed})
        return JSONResponse({"error": f"No endpoint {request.url.path}: use POST /v1/chat/completions or "
                                      "GET /v1/models."}, 404)

    return router


class OpenAIErrorShape:
    """Under /v1, rewrites the app's error bodies (`{"error": "message"}` or plain text) into
    `{"error": {"message", "type", "code"}}`, the shape OpenAI clients read, so the message reaches
    the user; other paths pass untouched."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            return await self.app(scope, receive, send)
        start: dict = {}
        chunks: list[bytes] = []

        async def reshape(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] < 400:
                    return await send(message)
                start.update(message)
                return None
            if not start:
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            status, raw = start["status"], b"".join(chunks)
            try:
                error = json.loads(raw).get("error")
            except (ValueError, AttributeError):
                error = raw.decode("utf-8", "replace").strip()  # e.g. a plain-text 413 from the body limit
            if isinstance(error, str):
                raw = json.dumps({"error": {"message": error, "type": ERROR_TYPES.get(status, "server_error"),
                                            "code": status, "param": None}}, ensure_ascii=False).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-type")]
            await send({**start, "headers": [*headers, (b"content-type", b"application/json"),
                                             (b"content-length", str(len(raw)).encode())]})
            await send({"type": "http.response.body", "body": raw})

        await self.app(scope, receive, reshape)


def install_openai_api(app: FastAPI, answerer: Answerer) -> None:
    """The /v1 routes (registered before Gradio's catch-all mount) and their error shape."""
    app.include_router(openai_router(answerer))
    app.add_middleware(OpenAIErrorShape)
