"""`treaty serve`: build the web app (chat, API, widget) and run it with uvicorn."""
from __future__ import annotations

import os

import click

# proxy headers are the app's business (TREATY_TRUSTED_PROXIES): uvicorn's default believes loopback;
# the tests' servers run with the same options
UVICORN_OPTIONS = {"proxy_headers": False, "server_header": False}


@click.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1, or TREATY_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on (default 7860, or TREATY_PORT).")
@click.option("--trusted-proxies", default=None, metavar="ADDRS",
              help="Proxies whose X-Forwarded-For is believed, e.g. 127.0.0.1,10.0.0.0/8 (default none, "
                   "or TREATY_TRUSTED_PROXIES).")
def serve(host: str | None, port: int | None, trusted_proxies: str | None) -> None:
    """Serve the chat at /, the API at /api (docs at /docs) and the widget at /widget.js."""
    import uvicorn

    from ..config import load_settings
    from ..errors import EXPECTED_ERRORS
    from ..logs import configure_logging
    from ..wiring import Container
    from .app import build_app

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        settings = load_settings(host=host, port=port, trusted_proxies=trusted_proxies)
        container = Container(settings)
        container.index()  # fail now, with the fix, when there is no index
        app = build_app(container)
    except EXPECTED_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Treaty Assistant on http://{settings.host}:{settings.port}/ (API docs at /docs)", err=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", **UVICORN_OPTIONS,
                **configure_logging(settings.log_format))
