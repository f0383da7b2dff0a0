"""Stopping an answer server-side when its client goes away (a stop button, a closed tab).

The pipeline only yields after whole verified sentences, so the request's task cannot stop
generation by itself. `Cancellable` wraps the pipeline's generator and checks, between the
generator's chunks, the `threading.Event` that the request put in `STOP` (a context
variable: worker threads run in a copy of the request's context). A set event ends the
generator's stream, which closes its LLM request. Requests without one are unaffected.
"""
from __future__ import annotations

import threading
from contextvars import ContextVar

STOP: ContextVar[threading.Event | None] = ContextVar("treaty_answer_stop", default=None)


class Cancellable:
    """A Generator (name, stream) that stops early once the current request's STOP event is set."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name

    def stream(self, question, passages, context=None):
        stop = STOP.get()
        chunks = self.inner.stream(question, passages, context)
        try:
            for chunk in chunks:
                if stop is not None and stop.is_set():
                    return
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
