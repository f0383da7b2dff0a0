"""What may reach the app: a body limit and a request rate on every route, only the Gradio
routes the chat and `gradio_client` use, Gradio bodies checked before Gradio parses them,
and a request id on every response, logged in one line for each error.

Refused outright: uploads, `file=` / `proxy=` fetches, shared deep links, monitoring, login
and the vibe-editing routes. Our own routes (everything registered on the FastAPI app
itself, whatever router adds them later) pass untouched. What a question may cost is
security.py's business (quotas), what it may contain the pipeline's.
"""
from __future__ import annotations

import json
import logging
import re
import uuid

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security import RateLimited, RateLimiter

log = logging.getLogger("assistant.web")

MAX_BODY = 1_000_000  # bytes, every route: a question is 2,000 characters, a long chat history far below this
NAME = r"[\w-]{1,64}"
# (methods, path): the page and its assets, the queue the chat streams through, named API calls
GRADIO_ROUTES = [(frozenset(m.split()), re.compile(p)) for m, p in [
    ("GET HEAD", r"/"), ("GET", r"/config/?"), ("GET", r"/gradio_api/info/?"),
    ("GET HEAD", r"/(assets|static|svelte)/[\w./@-]+"), ("GET HEAD", r"/(favicon\.ico|theme\.css|robots\.txt)"),
    ("GET", r"/gradio_api/theme\.css"), ("POST", r"/gradio_api/queue/join"), ("GET", r"/gradio_api/queue/data"),
    ("POST", r"/gradio_api/cancel"), ("POST", r"/gradio_api/reset/?"), ("GET", rf"/gradio_api/heartbeat/{NAME}"),
    ("POST", rf"/gradio_api/(run|call|call/v2)/{NAME}/?"), ("GET", rf"/gradio_api/call(/v2)?/{NAME}/{NAME}"),
]]
CHECKED = re.compile(rf"/gradio_api/(queue/join|run/{NAME}/?|call(/v2)?/{NAME}/?)")


class BodyTooLarge(Exception):
    pass


def _reply(status: int, message: str, request_id: str, headers: list | None = None) -> list[Message]:
    body = json.dumps({"error": message, "request_id": request_id}).encode()
    return [{"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()), *(headers or [])]},
        {"type": "http.response.body", "body": body}]


def check_gradio_body(raw: bytes, fn_ids: set[int]) -> str | None:
    """Why a Gradio event body is refused (None when it is fine). NaN/Infinity are not JSON."""
    def no_constant(name):
        raise ValueError(f"{name} is not a JSON value")

    try:
        body = json.loads(raw or b"null", parse_constant=no_constant)
    except ValueError as exc:
        return f"the body is not JSON ({str(exc).split(':')[0]})"
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        return 'send a JSON object with a "data" list'
    fn = body.get("fn_index")
    if fn is not None and (type(fn) is not int or fn not in fn_ids):
        return '"fn_index" names no function of this app'
    for key in ("session_hash", "event_id"):
        if key in body and body[key] is not None and not (isinstance(body[key], str) and len(body[key]) <= 64):
            return f'"{key}" must be a short string'
    if "trigger_id" in body and body["trigger_id"] is not None and type(body["trigger_id"]) is not int:
        return '"trigger_id" must be a number'
    return None


class Gate:
    """ASGI middleware in front of the whole app (see the module docstring)."""

    def __init__(self, app: ASGIApp, own_app, request_rate: str, fn_ids: set[int] | None = None):
        self.app, self.own_app = app, own_app
        self.limiter = RateLimiter(request_rate, "TREATY_REQUEST_RATE_LIMIT", "Request rate limit")
        self.fn_ids = fn_ids or set()

    def own_route(self, scope: Scope) -> bool:
        return any(not isinstance(r, Mount) and r.matches(scope)[0] != Match.NONE for r in self.own_app.router.routes)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        if self.own_route(scope):
            return None
        if b"deep_link" in scope.get("query_string", b""):
            return 404, "Shared chat links are turned off on this server: open / and ask again."
        path, method = scope["path"], scope["method"]
        if not any(method in methods and rx.fullmatch(path) for methods, rx in GRADIO_ROUTES):
            return 404, f"No page or endpoint {path[:200]}: the chat is at /, the API is described at /docs."
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from ..logs import request_id as current_id

        request_id = current_id.get() or uuid.uuid4().hex[:16]  # RequestIds (outermost) chose it, if installed
        scope.setdefault("state", {})["request_id"] = request_id
        method, path = scope["method"], scope["path"]
        client = (scope.get("client") or ("unknown", 0))[0]
        started, status = False, 0

        async def reply(code: int, message: str, headers: list | None = None) -> None:
            log.warning("request %s %s %s from %s -> %d: %s", request_id, method, path[:200], client, code, message)
            for m in _reply(code, message, request_id, headers):
                await send(m)

        try:
            self.limiter.check(client)
        except RateLimited as exc:
            return await reply(429, str(exc), [(b"retry-after", str(exc.retry_after).encode())])
        if refused := self.refusal(scope):
            return await reply(*refused)
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return await reply(413, f"The request body is over {MAX_BODY:,} bytes: send less.")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise BodyTooLarge
            return message

        async def app_receive() -> Message:
            """For the app: past the limit, answer 413 here and tell the app the client left
            (an exception would become the app's own 400)."""
            nonlocal started
            try:
                return await limited_receive()
            except BodyTooLarge:
                if not started:
                    started = True
                    cut.append(True)
                    await reply(413, f"The request body is over {MAX_BODY:,} bytes: send less.")
                return {"type": "http.disconnect"}

        cut: list[bool] = []
        downstream = app_receive
        if method == "POST" and CHECKED.fullmatch(path):
            try:
                raw = await _read_all(limited_receive)
            except BodyTooLarge:
                return await reply(413, f"The request body is over {MAX_BODY:,} bytes: send less.")
            if problem := check_gradio_body(raw, self.fn_ids):
                return await reply(422, f"Invalid Gradio request: {problem}.")
            downstream = _replay(raw, receive)
        gradio = not self.own_route(scope)
        replacement: list[Message] = []

        async def send_logged(message: Message) -> None:
            nonlocal started, status
            if cut:  # 413 sent already: whatever the app answers to the disconnect is dropped
                return
            if replacement:  # swallow Gradio's body, then send ours
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    await send(replacement[1])
                return
            if message["type"] == "http.response.start":
                started, status = True, message["status"]
                if status >= 400:
                    log.warning("request %s %s %s from %s -> %d", request_id, method, path[:200], client, status)
                if gradio and status == 422:  # Gradio's own 422 echoes the whole body
                    replacement.extend(_reply(422, "Invalid Gradio request: see the API page linked under the chat.",
                                              request_id))
                    return await send(replacement[0])
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, downstream, send_logged)
        except BodyTooLarge:
            if not started:
                await reply(413, f"The request body is over {MAX_BODY:,} bytes: send less.")
        except Exception as exc:  # one line, never the traceback or the input
            log.error("request %s %s %s from %s failed: %s", request_id, method, path[:200], client, type(exc).__name__)
            if not started:
                for m in _reply(500, f"The server failed on this request: try again (request id {request_id}).",
                                request_id):
                    await send(m)


async def _read_all(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(raw: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()  # then disconnects, as the server reports them

    return again


def scrub_blocks(demo) -> None:
    """Leave nothing internal in Gradio's page config: no function reprs (memory addresses), no
    BrowserState secret (the chat stores no conversations in the browser)."""
    for block in demo.blocks.values():
        if hasattr(block, "delete_callback"):
            block.delete_callback = None
        if type(block).__name__ == "BrowserState":
            block.secret = ""
