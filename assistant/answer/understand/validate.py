"""Checks on user input at the boundary: the question and the conversation history.

An over-long question is refused in its own language; an empty one (no language to read) in English."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ...errors import InvalidHistory, InvalidQuestion, QuestionTooLong
from ...i18n import detect, t

MAX_TURNS = 50
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` with lone surrogates (from JSON "\\ud800" or undecodable argv bytes) replaced by
    U+FFFD: they cannot be encoded, so the tokenizer and the JSON response would fail on them."""
    return _SURROGATE.sub("\ufffd", text)


def clean_question(question: object, max_chars: int = 2000) -> str:
    if not isinstance(question, str):
        raise InvalidQuestion("The question must be text: type a question about the Convention.")
    raw = question.strip()  # the limit holds before whitespace is collapsed: a megabyte of spaces is long
    if len(raw) > max_chars:
        # in the question's language (its first part says which: the rest may be anything)
        raise QuestionTooLong(t("error_too_long", detect(raw[:max_chars]), length=len(raw), limit=max_chars))
    text = " ".join(valid_text(raw).split())
    if not text:
        raise InvalidQuestion("The question is empty: type a question about the Convention.")
    return text


def clean_history(history: object) -> list[dict]:
    """A list of {"role": "user"|"assistant", "content": str}; raises InvalidHistory naming the problem."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidHistory("History must be a JSON list of {\"role\", \"content\"} turns.")
    turns: list[dict] = []
    for i, turn in enumerate(history):
        if not isinstance(turn, dict):
            raise InvalidHistory(f"History turn {i + 1} is not an object: use {{\"role\": ..., \"content\": ...}}.")
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant"):
            raise InvalidHistory(f"History turn {i + 1} has role {role!r}: use \"user\" or \"assistant\".")
        if not isinstance(content, str):
            raise InvalidHistory(f"History turn {i + 1} has no text \"content\".")
        turns.append({"role": role, "content": valid_text(content[:4000])})
    return turns[-MAX_TURNS:]


def load_history_file(path: Path) -> list[dict]:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidHistory(f"Cannot read history file {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise InvalidHistory(f"History file {path} is not UTF-8 text.") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidHistory(
            f"History file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}): "
            "it must be a list of {\"role\", \"content\"} turns."
        ) from None
    return clean_history(data)
