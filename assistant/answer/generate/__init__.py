"""Answer generators behind one `Generator` protocol, picked by name in `make_generator`.

extractive (default, no LLM) · openai (an OpenAI-compatible endpoint) · local (llama.cpp
in-process). LLM libraries are imported only inside the branch that uses them.
"""
from __future__ import annotations

from ...errors import GeneratorUnavailable
from ..tuning import DEFAULT, Tuning
from .extractive import ExtractiveGenerator

NAMES = ("extractive", "openai", "local")


def make_generator(name: str, settings, tuning: Tuning = DEFAULT):
    """Pick a generator by name; unknown names list the allowed ones."""
    if name == "extractive":
        return ExtractiveGenerator(tuning=tuning)
    if name == "openai":
        from .openai import OpenAIGenerator

        return OpenAIGenerator(
            settings.llm_base_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
            settings.llm_timeout, settings.llm_max_tokens,
        )
    if name == "local":
        from .local import LocalGenerator

        return LocalGenerator(settings.local_model_dir, settings.llm_max_tokens, settings.local_model_path)
    raise GeneratorUnavailable(f"Unknown generator {name!r}: use one of {', '.join(NAMES)}")


__all__ = ["NAMES", "ExtractiveGenerator", "make_generator"]
