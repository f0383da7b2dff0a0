"""Web edge: Gradio chat at `/`, JSON API under `/api`, source pages and the embeddable widget.

`build_app` is imported lazily so `treaty --help` does not load FastAPI.
"""
__all__ = ["build_app"]


def __getattr__(name: str):
    if name == "build_app":
        from .app import build_app

        return build_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
