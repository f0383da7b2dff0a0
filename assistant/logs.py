"""Logging: text as before, or one JSON object per line (TREATY_LOG_FORMAT=json) with the request id.

`RequestIds` (ASGI middleware) gives every HTTP request an id (the client's `X-Request-ID`
when it is a short token, else a new one), sends it back in `X-Request-ID` and logs one
`request` line (method, path, status, duration). Every record logged while the request
runs carries the id. Where the lines go (files, shippers) is left to the process manager.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_PLAIN = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName", "color_message"}
requests_log = logging.getLogger("assistant.requests")


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "message", "request_id"?, ...extra fields, "exc"?} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if rid := request_id.get():
            out["request_id"] = rid
        out.update({k: v for k, v in vars(record).items() if k not in _PLAIN and not k.startswith("_")})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(log_format: str, level: int = logging.INFO) -> dict:
    """Installs the JSON handler on the root logger (text: leaves logging as it is).

    Returns the keyword arguments for `uvicorn.run`: with JSON its own loggers propagate to
    ours and its access log is off (RequestIds logs each request, with the id)."""
    if log_format != "json":
        return {}
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return {"log_config": None, "access_log": False}


class RequestIds:
    """Request id in, `X-Request-ID` out, one log line per request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            requests_log.info("request", extra={
                "method": scope["method"], "path": scope["path"], "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": (scope.get("client") or ("",))[0]})
            request_id.reset(token)
