"""Prometheus metrics at `/metrics`, only when TREATY_METRICS=1 (otherwise `/metrics` says how to turn them on).

Requests by route template and status, answer latency (histogram), declines by reason,
rate-limit rejections, and the index being served (version, documents, chunks). Answers and
rate limits are observed by thin wrappers around the Answerer's pipeline and quotas, so the
chat, /api and /v1 all count. One registry per app; one process (no multiprocess mode).
"""
from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import EXPECTED_ERRORS
from .security import RateLimited

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The registry and its instruments."""

    def __init__(self, container):
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter("treaty_http_requests", "HTTP requests by route template, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.answer_seconds = Histogram("treaty_answer_seconds", "Time from question to finished answer",
                                        ["generator", "refused"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.declines = Counter("treaty_declines", "Declined questions by reason (task, missing_article, "
                                "missing_chapter, missing_document, unsupported)", ["reason"], registry=self.registry)
        self.rate_limited = Counter("treaty_rate_limited", "Questions rejected by the rate limit",
                                    registry=self.registry)
        self.registry.register(IndexCollector(container))

    def answered(self, event: dict, seconds: float) -> None:
        answer = event["answer"]
        self.answer_seconds.labels(answer.get("generator", ""), str(bool(answer.get("refused"))).lower()).observe(seconds)
        if answer.get("refused"):
            self.declines.labels(event.get("decline_reason") or "unknown").inc()


class IndexCollector:
    """The live index, read at scrape time (an ingest switches it while the server runs)."""

    def __init__(self, container):
        self.container = container

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        try:
            index = self.container.index()
        except EXPECTED_ERRORS:
            return
        info = GaugeMetricFamily("treaty_index_info", "The index version being served", labels=["version"])
        info.add_metric([index.version], 1)
        yield info
        yield GaugeMetricFamily("treaty_index_documents", "Documents in the served index",
                                value=len({m.get("doc_id") for m in index.metadatas}))
        yield GaugeMetricFamily("treaty_index_chunks", "Chunks (passages) in the served index", value=len(index))


class ObservedPipeline:
    """The pipeline, with each finished answer reported to Metrics (ask goes through stream)."""

    def __init__(self, pipeline, metrics: Metrics):
        self.inner, self.metrics = pipeline, metrics

    def stream(self, question, history=None):
        started = time.perf_counter()
        for event in self.inner.stream(question, history):
            if event["type"] == "done":
                self.metrics.answered(event, time.perf_counter() - started)
            yield event

    def ask(self, question, history=None):
        final = None
        for event in self.stream(question, history):
            if event["type"] == "done":
                final = event["_answer"]
        return final

    def __getattr__(self, name):
        return getattr(self.inner, name)


class CountingQuotas:
    """The quotas (per client and per origin), counting rejections."""

    def __init__(self, quotas, metrics: Metrics):
        self.inner, self.metrics = quotas, metrics

    def admit(self, *args, **kwargs) -> None:
        try:
            self.inner.admit(*args, **kwargs)
        except RateLimited:
            self.metrics.rate_limited.inc()
            raise

    def __getattr__(self, name):
        return getattr(self.inner, name)


class RequestMetrics:
    """Counts every HTTP response by the route template it matched (bounded labels, not raw paths)."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = 500

        async def see_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        matched: list[str] = []  # filled by RouteNote, innermost (the scope is copied on the way in)
        try:
            await self.app({**scope, NOTE: matched}, receive, see_status)
        finally:
            label = (matched[-1] or "/") if matched else "unmatched"
            self.metrics.requests.labels(label, scope["method"], str(status)).inc()


NOTE = "treaty.route"


class RouteNote:
    """Innermost: after the router ran, passes the matched route's template out to RequestMetrics
    (the middlewares between them hand copies of the scope on, and the router writes to its own)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            route = scope.get("route")
            if route is not None and NOTE in scope:
                scope[NOTE].append(getattr(route, "path", "") or "")


def install_metrics(app: FastAPI, answerer) -> Metrics | None:
    """With settings.metrics: instruments the answerer, counts requests and serves /metrics."""
    if not answerer.container.settings.metrics:
        @app.get("/metrics", include_in_schema=False)
        def metrics_off() -> JSONResponse:
            return JSONResponse({"error": "Metrics are off: start the server with TREATY_METRICS=1."}, 404)
        return None
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    metrics = Metrics(answerer.container)
    build = answerer.pipeline
    observed: dict = {}

    def pipeline():
        inner = build()
        if observed.get("inner") is not inner:
            observed.update(inner=inner, outer=ObservedPipeline(inner, metrics))
        return observed["outer"]

    answerer.pipeline = pipeline
    answerer.quotas = CountingQuotas(answerer.quotas, metrics)
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.user_middleware.append(Middleware(RouteNote))  # appended: the innermost of all

    @app.get("/metrics", include_in_schema=False)
    def scrape() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
