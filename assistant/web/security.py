"""Who is asking, from where, and how often: client addresses behind proxies, allowed origins,
the question quotas, CORS and the security headers of every response.

The client is the peer address; `X-Forwarded-For` counts only when the peer is one of
TREATY_TRUSTED_PROXIES, and then its right-most untrusted address is the client. Quotas
(questions per client and per widget origin, in memory, one process) are spent only by a
request that passed validation and came from this site or an allowed origin. What each
route may receive (body size, Gradio's routes) is gate.py's business, not this module's.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import math
import re
import time
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import TreatyError

FORWARDED = (b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"x-real-ip", b"forwarded")


class RateLimited(TreatyError):
    """A client asked more often than the rate limit allows."""

    def __init__(self, limit: str, retry_after: int, who: str = "Rate limit"):
        super().__init__(f"{who} of {limit} exceeded: wait {retry_after} seconds and ask again.")
        self.retry_after = retry_after


class OriginRefused(TreatyError):
    """A cross-site request from an origin not in TREATY_ALLOWED_ORIGINS (answered 403)."""

    def __init__(self, origin: str):
        super().__init__(f"This website ({origin}) is not allowed to use this assistant: "
                         "the site owner must add it to TREATY_ALLOWED_ORIGINS on the assistant's server.")


class RateLimiter:
    """A moving-window limit (`limits` syntax, e.g. "30/minute") per key."""

    def __init__(self, rate: str, setting: str = "TREATY_RATE_LIMIT", who: str = "Rate limit"):
        from limits import parse
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        try:
            self.item = parse(rate)
        except ValueError:
            raise TreatyError(f"{setting}={rate!r} is not a rate: use a form like 30/minute or 5/second.") from None
        self.rate, self.who = rate, who
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, key: str) -> None:
        """Count one request for `key`; raises RateLimited when it is over the limit."""
        if not self._limiter.hit(self.item, key):
            reset = self._limiter.get_window_stats(self.item, key).reset_time
            raise RateLimited(self.rate, max(1, math.ceil(reset - time.time())), self.who)


class Quotas:
    """Questions per client (TREATY_RATE_LIMIT) and, for widget pages, per origin (TREATY_ORIGIN_RATE_LIMIT)."""

    def __init__(self, settings):
        self.origins = settings.origins
        self.client = RateLimiter(settings.rate_limit)
        self.origin = RateLimiter(settings.origin_rate_limit, "TREATY_ORIGIN_RATE_LIMIT", "Rate limit for this website")

    def admit(self, client: str, origin: str | None, own_origin: str | None) -> None:
        """Spend one question of `client` (and of a widget's `origin`); call it after validation."""
        cross_site = origin_refused(origin, own_origin, self.origins)
        if cross_site:
            raise OriginRefused(origin or "")
        if origin and origin != own_origin:
            self.origin.check(origin)
        self.client.check(client)


def origin_refused(origin: str | None, own_origin: str | None, allowed: list[str]) -> bool:
    """A browser request from another site that is not allowed (no Origin: not a browser, fine)."""
    return bool(origin) and origin != own_origin and origin not in allowed


def header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1")
    return None


def own_origin(scope: Scope) -> str | None:
    """`scheme://host` this request was sent to (the Origin a same-site page sends)."""
    host = header(scope, b"host")
    return f"{'https' if scope.get('scheme') in ('https', 'wss') else 'http'}://{host}" if host else None


def request_origin(scope: Scope) -> str | None:
    """The Origin header (or, failing that, the Referer's origin), normalised; "null" stays "null"."""
    origin = header(scope, b"origin")
    if origin is None and (referer := header(scope, b"referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
    return origin.rstrip("/") if origin else None


def parse_networks(spec: str) -> list:
    """TREATY_TRUSTED_PROXIES: comma-separated addresses or CIDR networks."""
    nets = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise TreatyError(f"TREATY_TRUSTED_PROXIES has {part!r}, which is not an address or network: "
                              "use a form like 10.0.0.1,192.168.0.0/24.") from None
    return nets


def _trusted(address: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in nets)


def resolve_client(peer: str, forwarded_for: str | None, nets: list) -> str:
    """The client address: the peer, unless it is a trusted proxy; then the right-most
    untrusted address of X-Forwarded-For (everything left of it could be forged)."""
    if not nets or not forwarded_for or not _trusted(peer, nets):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            return hop
    return hops[0] if hops else peer


class ClientAddress:
    """Sets `scope["client"]` to the resolved client and drops forwarding headers from untrusted
    peers, so nothing downstream (Gradio's root URL, the quotas) believes them."""

    def __init__(self, app: ASGIApp, trusted_proxies: str):
        self.app = app
        self.nets = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = (scope.get("client") or ("unknown", 0))[0]
            trusted = bool(self.nets) and _trusted(peer, self.nets)
            client = resolve_client(peer, header(scope, b"x-forwarded-for"), self.nets) if trusted else peer
            headers = scope.get("headers", [])
            if not trusted:
                headers = [(k, v) for k, v in headers if k not in FORWARDED]
            scope = {**scope, "client": (client, 0), "headers": headers}
        await self.app(scope, receive, send)


def client_key(request) -> str:
    return request.client.host if request.client else "unknown"


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def page_policy(origins: list[str], body: bytes = b"") -> bytes:
    """The content policy of an HTML page: only this site, no forms elsewhere, no <base>, framing by
    the allowed origins; the page's own inline scripts are allowed by their hashes."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()}'"
                      for m in _INLINE_SCRIPT.finditer(body))
    return "; ".join([
        "default-src 'self'", f"script-src 'self' {hashes}".strip(), "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'", "worker-src 'self' blob:",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", " ".join(["frame-ancestors", "'self'", *origins]),
    ]).encode()


class SecurityHeaders:
    """Every response: nosniff, `Referrer-Policy`, `frame-ancestors`; HTML pages: the whole
    `page_policy` (a page's own stricter policy, like the source pages', is kept and completed)."""

    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app, self.origins = app, origins
        self.frame = " ".join(["frame-ancestors", "'self'", *origins]).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start: dict = {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if b"text/html" not in headers.get(b"content-type", b""):
                    await send(self._finish(message, headers.get(b"content-security-policy")))
                    return
                start["message"] = message  # an HTML page: its policy needs the body's inline scripts
                start["body"] = b""
                return
            if start and message["type"] == "http.response.body":
                start["body"] += message.get("body", b"")
                if message.get("more_body"):
                    return
                own = dict(start["message"].get("headers", [])).get(b"content-security-policy")
                policy = own or page_policy(self.origins, start["body"])  # an own policy is stricter already
                headers = [(k, v) for k, v in start["message"].get("headers", []) if k != b"content-length"]
                headers.append((b"content-length", str(len(start["body"])).encode()))
                await send(self._finish({**start["message"], "headers": headers}, policy))
                await send({"type": "http.response.body", "body": start["body"]})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _finish(self, message: Message, policy: bytes | None) -> Message:
        drop = (b"content-security-policy", b"x-content-type-options", b"referrer-policy")
        headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in drop]
        if policy is None or b"frame-ancestors" not in policy:
            policy = policy + b"; " + self.frame if policy else self.frame
        headers += [(b"content-security-policy", policy), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin")]
        return {**message, "headers": headers}


def install_security(app: FastAPI, settings) -> None:
    """CORS for the allowed origins only (Gradio then adds none of its own), security headers,
    and (outermost) the client address; gate.py adds its limits between them."""
    origins = list(dict.fromkeys(settings.origins))
    parse_networks(settings.trusted_proxies)  # a bad value fails here, with its message, not on a request
    app.add_middleware(SecurityHeaders, origins=origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["Retry-After", "X-Request-ID"],
        max_age=600,
    )
    app.add_middleware(ClientAddress, trusted_proxies=settings.trusted_proxies)
