"""Optional LLM judge (`treaty eval --judge`): an OpenAI-compatible endpoint grades each
answer against the question's reference_answer with a score from 0 to 1.

Off by default and never needed by the other metrics; the endpoint is Settings.llm_base_url.
"""
from __future__ import annotations

import re

from ..errors import EvalError, public_url

PROMPT = """You grade answers to questions about legal documents.
Compare the ANSWER with the REFERENCE answer. Score 1 if the answer states the reference's key facts
correctly, 0 if it contradicts them, misses them or declines, and a value in between for a partly correct answer.
Reply with one line only: SCORE: <number from 0 to 1>

QUESTION: {question}
REFERENCE: {reference}
ANSWER: {answer}"""
_SCORE = re.compile(r"score\s*[:=]?\s*(\d+(?:\.\d+)?)", re.I)
_NUMBER = re.compile(r"\b(?:0(?:\.\d+)?|1(?:\.0+)?)\b")


def parse_score(text: str) -> float | None:
    """The grade in a judge reply ("SCORE: 0.8", or a lone number in 0..1); None when there is none."""
    m = _SCORE.search(text) or _NUMBER.search(text)
    if not m:
        return None
    value = float(m.group(1) if m.re is _SCORE else m.group(0))
    return value if 0.0 <= value <= 1.0 else None


class LLMJudge:
    """Callable (question, answer, reference) -> {"score": float | None, "reply": str}."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout: float = 120.0):
        from openai import OpenAI

        from ..answer.generate.openai import endpoint

        url, headers = endpoint(base_url)
        self.base_url, self.model = url, model
        self.client = OpenAI(base_url=url, api_key=api_key, timeout=timeout, max_retries=0, default_headers=headers or None)

    def check(self) -> None:
        """Fail before the run, not on every question, when the endpoint cannot be reached."""
        import openai

        try:
            self.client.models.list()
        except openai.APIConnectionError:
            raise EvalError(f"Cannot reach the judge endpoint {public_url(self.base_url)}: start it, fix TREATY_LLM_BASE_URL, "
                            "or run without --judge.") from None
        except openai.APIStatusError:
            pass  # reachable; some servers do not list models

    def __call__(self, question: str, answer: str, reference: str) -> dict:
        import openai

        prompt = PROMPT.format(question=question, reference=reference, answer=answer or "(no answer)")
        try:
            reply = self.client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": prompt}], temperature=0, max_tokens=16,
            ).choices[0].message.content or ""
        except openai.OpenAIError as exc:
            # the type and status only: an endpoint's error text may echo the key it was sent
            status = getattr(exc, "status_code", None)
            return {"score": None, "reply": "", "error": type(exc).__name__ + (f" (HTTP {status})" if status else "")}
        return {"score": parse_score(reply), "reply": reply.strip()}


def make_judge(settings) -> LLMJudge:
    """The judge for Settings; EvalError when no endpoint is configured."""
    if not settings.llm_base_url:
        raise EvalError("--judge needs an OpenAI-compatible endpoint: set TREATY_LLM_BASE_URL "
                        "(e.g. http://127.0.0.1:8080/v1), or run without --judge.")
    return LLMJudge(settings.llm_base_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                    settings.llm_timeout)
