"""The `openai` generator: any OpenAI-compatible chat endpoint through langchain-openai.

Streams the model's text with `[n]` markers; verification happens in the chain, not here.
Credentials in the endpoint URL travel as a header, never inside a logged URL.
"""
from __future__ import annotations

from collections.abc import Iterator

from ...errors import GeneratorUnavailable, public_url
from ..prompts import build_messages
from ..types import Passage


def endpoint(url: str) -> tuple[str, dict]:
    """(URL without `user:password@`, headers that send them as Basic auth, as the URL did):
    HTTP clients log request URLs, so credentials must not travel inside one."""
    import base64
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    if not userinfo:
        return url, {}
    token = base64.b64encode(unquote(userinfo).encode()).decode()
    return urlunsplit(parts._replace(netloc=host)), {"Authorization": f"Basic {token}"}


class OpenAIGenerator:
    """Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, hosted APIs)."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str, timeout: float = 120.0, max_tokens: int = 300):
        if not base_url:
            raise GeneratorUnavailable(
                "TREATY_GENERATOR=openai needs an endpoint: set TREATY_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)"
            )
        from langchain_openai import ChatOpenAI

        url, headers = endpoint(base_url)
        self.llm = ChatOpenAI(
            base_url=url, model=model, api_key=api_key, timeout=timeout, default_headers=headers or None,
            max_tokens=max_tokens, temperature=0, streaming=True, max_retries=1,
        )
        self.base_url = url

    def stream(self, question: str, passages: list[Passage], context: dict | None = None) -> Iterator[str]:
        try:
            for chunk in self.llm.stream(build_messages(question, passages)):
                if chunk.content:
                    yield chunk.content if isinstance(chunk.content, str) else str(chunk.content)
        except Exception as exc:  # connection / HTTP errors of several client layers
            raise GeneratorUnavailable(
                f"The LLM endpoint at {public_url(self.base_url)} failed ({type(exc).__name__}): check that it is running, "
                "or use TREATY_GENERATOR=extractive"
            ) from None
