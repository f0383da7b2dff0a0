"""Errors raised by the ingest package.

    IngestError            base; never raised directly
    ├── CorpusNotFound     a corpus folder does not exist
    └── UnreadableFile     one file cannot be loaded (empty, binary, bad front matter, bad PDF)

UnreadableFile is caught per file by `load_corpus` and reported as a skipped file, so one
bad file never stops an ingest.
"""
from __future__ import annotations


class IngestError(Exception):
    """Base class for ingest errors."""


class CorpusNotFound(IngestError):
    def __init__(self, path: str):
        super().__init__(
            f"Corpus folder not found: {path}: check the path, or pass an existing folder with --corpus DIR"
        )
        self.path = path


class UnreadableFile(IngestError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
