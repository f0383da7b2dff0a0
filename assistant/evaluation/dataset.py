"""Load and validate an evaluation question set (JSON Lines, format in eval/README.md).

Malformed lines become `LineProblem`s (line number + what is wrong) and are skipped, or
raise `EvalError` in strict mode; unknown fields are ignored. Running questions is elsewhere.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..answer.understand.validate import clean_history
from ..errors import EvalError, InvalidHistory
from ..i18n import LANGS, detect

FORMAT_HINT = "one JSON object per line, see eval/README.md"
# DOC_ID, DOC_ID#art-N, DOC_ID#annex, DOC_ID#preamble
_SOURCE = re.compile(r"[^\s#]+(?:#(?:art-[1-9]\d*|annex|preamble))?")


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answerable: bool
    expected_sources: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    history: tuple[dict, ...] = ()
    reference_answer: str = ""
    category: str = ""  # optional grouping for the per-category table ("offences", "follow-up", ...)
    lang: str = ""  # optional: the question's language (en, fr, es, ru, ar, zh); detected when absent
    source_id: str = ""  # optional: the id of the question this one translates (`treaty tune` keeps them in one fold)

    def as_dict(self) -> dict:
        """The question's fields as they are stored in results.jsonl."""
        return {
            "id": self.id, "question": self.question, "history": list(self.history), "answerable": self.answerable,
            "expected_sources": list(self.expected_sources), "must_include": list(self.must_include),
            "reference_answer": self.reference_answer, "category": self.category,
            "lang": self.lang or detect(self.question),
        }


@dataclass(frozen=True)
class LineProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Dataset:
    path: Path
    questions: list[EvalQuestion]
    problems: list[LineProblem] = field(default_factory=list)


def _strings(obj: dict, key: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise ValueError(f'"{key}" must be a list of non-empty strings')
    return tuple(s.strip() for s in value)


def parse_question(obj: object) -> EvalQuestion:
    """One decoded line -> EvalQuestion; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    qid, question, answerable = obj.get("id"), obj.get("question"), obj.get("answerable")
    if not isinstance(qid, str) or not qid.strip():
        raise ValueError('"id" must be a non-empty string')
    if not isinstance(question, str) or not question.strip():
        raise ValueError('"question" must be a non-empty string')
    if not isinstance(answerable, bool):
        raise ValueError('"answerable" must be true or false')
    sources = _strings(obj, "expected_sources")
    if bad := [s for s in sources if not _SOURCE.fullmatch(s)]:
        raise ValueError(f"expected source {bad[0]!r} is not DOC_ID, DOC_ID#art-N, DOC_ID#annex or DOC_ID#preamble")
    try:
        history = clean_history(obj.get("history"))
    except InvalidHistory as exc:
        raise ValueError(str(exc)) from None
    reference = obj.get("reference_answer") or ""
    if not isinstance(reference, str):
        raise ValueError('"reference_answer" must be a string')
    category = obj.get("category") or ""
    if not isinstance(category, str):
        raise ValueError('"category" must be a string')
    lang = obj.get("lang") or ""
    if lang and lang not in LANGS:
        raise ValueError(f'"lang" must be one of {", ".join(LANGS)}, not {lang!r}')
    source = obj.get("source_id") or ""
    if not isinstance(source, str):
        raise ValueError('"source_id" must be a string')
    return EvalQuestion(qid.strip(), question, answerable, sources, _strings(obj, "must_include"),
                        tuple(history), reference.strip(), category.strip(), lang, source.strip())


def load_questions(path: str | Path, strict: bool = False) -> Dataset:
    """Read a question file; raises EvalError for a missing, unreadable or empty file."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise EvalError(f"Question file {path} {what}: pass a .jsonl file ({FORMAT_HINT}).")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise EvalError(f"Question file {path} is not UTF-8 text: save it as UTF-8 JSON Lines.") from None
    except OSError as exc:
        raise EvalError(f"Cannot read question file {path}: {exc.strerror}.") from None
    questions: list[EvalQuestion] = []
    problems: list[LineProblem] = []
    seen: set[str] = set()
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            q = parse_question(json.loads(line))
            if q.id in seen:
                raise ValueError(f"duplicate id {q.id!r}")
        except json.JSONDecodeError as exc:
            problems.append(LineProblem(no, f"not valid JSON ({exc.msg}, column {exc.colno})"))
            continue
        except ValueError as exc:
            problems.append(LineProblem(no, str(exc)))
            continue
        seen.add(q.id)
        questions.append(q)
    if strict and problems:
        listed = "; ".join(map(str, problems[:5])) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise EvalError(f"{path} has {len(problems)} malformed line(s): {listed}. Fix them or drop --strict.")
    if not questions:
        if problems:
            raise EvalError(f"{path} has no valid question ({len(problems)} malformed line(s), first: "
                            f"{problems[0]}): fix the file ({FORMAT_HINT}).")
        raise EvalError(f"Question file {path} is empty: add questions ({FORMAT_HINT}).")
    return Dataset(path, questions, problems)
