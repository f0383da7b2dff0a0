"""`build_app(container)`: one FastAPI app with the JSON API, source pages, the widget and Gradio.

Order matters: API routes, source pages, `/widget.js`, `/widget-demo` and the `/api`
catch-all are registered first, then Gradio is mounted at `/` and receives every other
path. The app is returned, never launched (`treaty serve` runs it with uvicorn).
"""
from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from .api import Answerer, api_fallback, api_router, install_error_handlers
from .feedback_api import feedback_router
from .security import RateLimiter, install_security
from .sources import sources_router
from .ui_routes import ui_router

DESCRIPTION = """Answers about the UN Convention against Cybercrime, with citations.
Citation links: `/api/sources/{doc_id}#{chunk_id}` (or `#art-N`) open the quoted paragraph."""


def static_text(name: str) -> str:
    return resources.files("assistant.web").joinpath("static", name).read_text(encoding="utf-8")


def build_app(container, *, chat: bool = True) -> FastAPI:
    """The whole web app for one Container; `chat=False` leaves Gradio out (API-only tests)."""
    settings = container.settings
    app = FastAPI(title="Treaty Assistant", version="0.1.0", description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    answerer = Answerer(container, RateLimiter(settings.rate_limit))
    app.state.answerer = answerer
    install_security(app, settings.origins)
    install_error_handlers(app)
    from ..feedback import FeedbackStore

    feedback = FeedbackStore(settings.feedback_path)
    routers = [api_router(answerer), sources_router(container),
               feedback_router(feedback, settings.rate_limit, settings.max_question_chars), ui_router(container)]
    for router in routers:
        app.include_router(router)

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> Response:
        return Response(static_text("widget.js"), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"})

    @app.get("/widget-demo", include_in_schema=False)
    def widget_demo() -> HTMLResponse:
        return HTMLResponse(static_text("widget-demo.html"))

    app.include_router(api_fallback(*routers))
    if chat:
        import gradio as gr

        from .chat_ui import MOUNT_OPTIONS, build_chat

        gr.mount_gradio_app(app, build_chat(answerer, feedback), path="/", footer_links=["api"], run_history=False,
                            show_error=True, ssr_mode=False, **MOUNT_OPTIONS)
    return app
