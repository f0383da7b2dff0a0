"""Embedding safety: CORS and `frame-ancestors` from the allowed origins, a per-client rate limit.

Allowed origins (TREATY_ALLOWED_ORIGINS) get CORS grants on every route and may frame the
pages; any other origin gets neither. The rate limit counts questions per client address in
memory (one process); it does not know about proxies in front of the app.
"""
from __future__ import annotations

import math
import time

from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import TreatyError


class RateLimited(TreatyError):
    """A client asked more often than the rate limit allows."""

    def __init__(self, limit: str, retry_after: int):
        super().__init__(f"Rate limit of {limit} exceeded: wait {retry_after} seconds and ask again.")
        self.retry_after = retry_after


class RateLimiter:
    """A moving-window limit (`limits` syntax, e.g. "30/minute") per client address."""

    def __init__(self, rate: str):
        from limits import parse
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        try:
            self.item = parse(rate)
        except ValueError:
            raise TreatyError(
                f"TREATY_RATE_LIMIT={rate!r} is not a rate: use a form like 30/minute or 5/second."
            ) from None
        self.rate = rate
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, client: str) -> None:
        """Count one request for `client`; raises RateLimited when it is over the limit."""
        if not self._limiter.hit(self.item, client):
            reset = self._limiter.get_window_stats(self.item, client).reset_time
            raise RateLimited(self.rate, max(1, math.ceil(reset - time.time())))


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def frame_ancestors(origins: list[str]) -> str:
    return " ".join(["frame-ancestors", "'self'", *origins])


class SecurityHeaders:
    """Adds `frame-ancestors` (and nosniff) to every response, merged into a page's own CSP."""

    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app = app
        self.csp = frame_ancestors(origins).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers, csp = [], self.csp
                for k, v in message.get("headers", []):
                    if k.lower() == b"content-security-policy":  # a page's own policy keeps its rules
                        csp = v if b"frame-ancestors" in v else v + b"; " + self.csp
                    elif k.lower() != b"x-content-type-options":
                        headers.append((k, v))
                headers += [(b"content-security-policy", csp), (b"x-content-type-options", b"nosniff")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI, origins: list[str]) -> None:
    """CORS for the allowed origins only (Gradio then adds none of its own) and frame-ancestors."""
    origins = list(dict.fromkeys(origins))
    app.add_middleware(SecurityHeaders, origins=origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
