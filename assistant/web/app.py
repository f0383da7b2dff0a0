"""`build_app(container)`: one FastAPI app with the JSON API, source pages, the widget and Gradio.

Order matters: API routes, source pages, `/widget.js`, `/widget-demo`, `/docs` and the `/api`
catch-all are registered first, then Gradio is mounted at `/` and receives every other
path that gate.py lets through. The app is returned, never launched (`treaty serve` runs it
with uvicorn).
"""
from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from ..logs import RequestIds
from .api import Answerer, api_fallback, api_router, install_error_handlers
from .feedback_api import feedback_router
from .gate import Gate, scrub_blocks
from .metrics import install_metrics
from .openai_compat import install_openai_api
from .security import Quotas, install_security
from .sources import sources_router
from .ui_routes import ui_router

DESCRIPTION = """Answers about the UN Convention against Cybercrime, with citations.
Citation links: `/api/sources/{doc_id}#{chunk_id}` (or `#art-N`) open the quoted paragraph."""
SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}


def static_text(name: str) -> str:
    return resources.files("assistant.web").joinpath("static", name).read_text(encoding="utf-8")


def build_app(container, *, chat: bool = True) -> FastAPI:
    """The whole web app for one Container; `chat=False` leaves Gradio out (API-only tests)."""
    settings = container.settings
    app = FastAPI(title="Treaty Assistant", version="0.1.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    answerer = Answerer(container, Quotas(settings))
    app.state.answerer = answerer
    fn_ids: set[int] = set()  # the Gradio functions a request may name, filled once the chat is built
    app.add_middleware(Gate, own_app=app, request_rate=settings.request_rate_limit, fn_ids=fn_ids)
    install_security(app, settings)
    install_error_handlers(app)
    from ..feedback import FeedbackStore

    feedback = FeedbackStore(settings.feedback_path)
    routers = [api_router(answerer), sources_router(container),
               feedback_router(feedback, settings.rate_limit, settings.max_question_chars), ui_router(container)]
    for router in routers:
        app.include_router(router)
    install_openai_api(app, answerer)
    install_metrics(app, answerer)
    app.add_middleware(RequestIds)

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> Response:
        return Response(static_text("widget.js"), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"})

    @app.get("/widget-demo", include_in_schema=False)
    def widget_demo() -> HTMLResponse:
        return HTMLResponse(static_text("widget-demo.html"))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from the pinned swagger-ui-bundle package: no third-party script."""
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Treaty Assistant API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")

    @app.get("/docs-assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        from swagger_ui_bundle import swagger_ui_path

        if name not in SWAGGER_FILES:
            return Response(status_code=404)
        return FileResponse(f"{swagger_ui_path}/{name}", headers={"Cache-Control": "public, max-age=86400"})

    app.include_router(api_fallback(*routers))
    if chat:
        import gradio as gr

        from .chat_ui import MOUNT_OPTIONS, build_chat

        demo = build_chat(answerer, feedback)
        scrub_blocks(demo)
        fn_ids.update(demo.fns)
        gr.mount_gradio_app(app, demo, path="/", footer_links=["api"], run_history=False,
                            show_error=True, ssr_mode=False, **MOUNT_OPTIONS)
    return app
