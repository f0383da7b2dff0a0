"""Static files of the chat and widget pages (`/ui/<name>`) and their shared defaults
(`GET /api/examples`: greeting and suggested questions from the served corpus).

Scripts and styles are files served by this app, never inline, so pages work under a
`default-src 'self'` policy. The widget itself is served at `/widget.js` by app.py.
"""
from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

ASSETS = {"chat.js": "text/javascript", "chat.css": "text/css", "widget-demo.css": "text/css"}
EXAMPLES = [
    "What does Article 25 say about confiscation?",
    "Which offences must States parties criminalize?",
    "How does the Convention protect human rights?",
    "What is the Budapest Convention?",
]


def static_text(name: str) -> str:
    return resources.files("assistant.web").joinpath("static", name).read_text(encoding="utf-8")


def greeting(title: str) -> str:
    return f"Hello! Ask me about the {title}. Answers quote the documents and link to each cited paragraph."


def primary_title(container) -> str:
    """The title of the document questions default to, as the index has it."""
    from ..errors import EXPECTED_ERRORS

    try:
        index = container.index()
    except EXPECTED_ERRORS:
        return "UN Convention against Cybercrime"
    primary = container.settings.primary_doc
    meta = next((m for m in index.metadatas if m.get("doc_id") == primary), {})
    return meta.get("doc_short_title") or meta.get("doc_title") or "UN Convention against Cybercrime"


def ui_router(container) -> APIRouter:
    router = APIRouter()

    @router.get("/ui/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:
            raise HTTPException(404, f"No file /ui/{name}.")
        return Response(static_text(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=300"})

    @router.get("/api/examples", tags=["api"], summary="Greeting and suggested questions for chat front ends")
    def examples() -> dict:
        return {"greeting": greeting(primary_title(container)), "suggestions": EXAMPLES}

    return router
