"""The assistant's error tree; messages say what happened and what to do next.

    TreatyError               base; the CLI prints `Error: <message>` and exits 1
    ├── InvalidQuestion       empty or blank question
    │   └── QuestionTooLong   over the length limit
    ├── InvalidHistory        a conversation history that is not a list of {role, content}
    ├── GeneratorUnavailable  the configured LLM generator cannot run (missing extra, endpoint down)
    ├── EvalError             a question file, run folder or eval option that cannot be used
    └── (re-exported) StoreError, IngestError, MissingModel from the leaf packages

Errors are converted to user form only at the edges (CLI, UI, API).
"""
from __future__ import annotations

from ingest.errors import CorpusNotFound, IngestError, UnreadableFile
from vectorstore.errors import IndexLocked, IndexNotWritable, MissingModel, NoIndex, ServerUnavailable, StoreError


class TreatyError(Exception):
    """Base class of the assistant's own errors."""


class InvalidQuestion(TreatyError):
    """The question cannot be answered as given."""


class QuestionTooLong(InvalidQuestion):
    """The question is over the length limit (the API answers 422)."""


class InvalidHistory(TreatyError):
    """The conversation history is malformed."""


class GeneratorUnavailable(TreatyError):
    """The configured generator cannot be used."""


class EvalError(TreatyError):
    """A question file, run folder or eval option that cannot be used as given."""


EXPECTED_ERRORS = (TreatyError, StoreError, IngestError, MissingModel)


def public_url(url: str) -> str:
    """`url` fit for a message: without `user:password@` and without a query (either may hold a credential)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))

__all__ = [
    "CorpusNotFound", "EXPECTED_ERRORS", "EvalError", "GeneratorUnavailable", "IndexLocked", "IndexNotWritable",
    "IngestError", "InvalidHistory", "InvalidQuestion", "MissingModel", "NoIndex", "QuestionTooLong", "ServerUnavailable", "StoreError",
    "TreatyError", "UnreadableFile", "public_url",
]
