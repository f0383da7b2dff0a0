"""`FeedbackStore`: one SQLite table of rated answers, one row per answer (re-rating updates it).

A row holds the question, the conversation before it, the answer text, its citations, the
corpus version, the generator, where it was rated (chat or widget) and when; never who.
Each call opens its own connection, so the store is safe to share between threads.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TreatyError

RATINGS = ("up", "down")
_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
  answer_id TEXT PRIMARY KEY, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT NOT NULL,
  question TEXT NOT NULL, history TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,
  refused INTEGER NOT NULL, corpus_version TEXT NOT NULL, generator TEXT NOT NULL, channel TEXT NOT NULL,
  created_at REAL NOT NULL, updated_at REAL NOT NULL)"""
_COLUMNS = ("answer_id", "rating", "comment", "question", "history", "answer", "citations", "refused",
            "corpus_version", "generator", "channel", "created_at", "updated_at")


class FeedbackError(TreatyError):
    """Feedback that cannot be stored or read (bad value, unwritable file)."""


@dataclass(frozen=True)
class FeedbackEntry:
    answer_id: str
    rating: str  # "up" | "down"
    question: str
    answer: str
    comment: str = ""
    history: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    refused: bool = False
    corpus_version: str = ""
    generator: str = ""
    channel: str = "chat"  # "chat" | "widget"
    created_at: float = 0.0
    updated_at: float = 0.0

    def __post_init__(self):
        if self.rating not in RATINGS:
            raise FeedbackError(f"Rating {self.rating!r} is not one of: up, down.")


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            conn.execute(_SCHEMA)
            return conn
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"Cannot open the feedback store {self.path}: {exc}: "
                                "set TREATY_FEEDBACK_DB to a writable file.") from None

    def _write(self, sql: str, args: tuple) -> int:
        conn = self._connect()
        try:
            with conn:
                return conn.execute(sql, args).rowcount
        except sqlite3.Error as exc:
            raise FeedbackError(f"Cannot save feedback in {self.path}: {exc}: "
                                "set TREATY_FEEDBACK_DB to a writable file.") from None
        finally:
            conn.close()

    def rate(self, entry: FeedbackEntry) -> None:
        """Store a rating; rating the same answer again replaces rating and comment, keeps created_at."""
        now = time.time()
        row = (entry.answer_id, entry.rating, entry.comment, entry.question, json.dumps(entry.history),
               entry.answer, json.dumps(entry.citations), int(entry.refused), entry.corpus_version,
               entry.generator, entry.channel, now, now)
        self._write(f"INSERT INTO feedback ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
                    "ON CONFLICT(answer_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, "
                    "updated_at = excluded.updated_at", row)

    def comment(self, answer_id: str, comment: str) -> bool:
        """Add or replace the comment of a rated answer; False when that answer was never rated."""
        return self._write("UPDATE feedback SET comment = ?, updated_at = ? WHERE answer_id = ?",
                           (comment, time.time(), answer_id)) > 0

    def remove(self, answer_id: str) -> bool:
        """Withdraw a rating (the thumb clicked again)."""
        return self._write("DELETE FROM feedback WHERE answer_id = ?", (answer_id,)) > 0

    def entries(self) -> list[FeedbackEntry]:
        """Every rated answer, oldest first."""
        if not self.path.exists():
            return []
        conn = self._connect()
        try:
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY created_at, answer_id").fetchall()
        except sqlite3.Error as exc:
            raise FeedbackError(f"Cannot read the feedback store {self.path}: {exc}.") from None
        finally:
            conn.close()
        out = []
        for row in rows:
            d = dict(zip(_COLUMNS, row, strict=True))
            d.update(history=json.loads(d["history"]), citations=json.loads(d["citations"]), refused=bool(d["refused"]))
            out.append(FeedbackEntry(**d))
        return out
