"""Answer ratings: thumbs up/down with an optional comment, kept in SQLite beside the index,
and exported as an eval question file so rated answers become regression cases.

No IP address or other client identity is stored. The web edges (chat, API) and the CLI
(`treaty feedback export`) are thin callers of this package.
"""
from .export import export_jsonl, to_eval_question
from .store import FeedbackEntry, FeedbackError, FeedbackStore

__all__ = ["FeedbackEntry", "FeedbackError", "FeedbackStore", "export_jsonl", "to_eval_question"]
