"""A chapter's contents as a passage: its articles and their titles, as ingested (metadata), for a
question that names a chapter and asks what it holds ("List the articles in chapter IX", "Which
articles make up the chapter on technical assistance and information exchange?").

A chapter is named by its number ("chapter IX", "chapter 9": understand/refs.py) or by its title
next to the word "chapter" (every content word of "Final provisions" in "the final provisions
chapter"). The question must ask for a list (terms.asks_list) or what the chapter contains,
covers or includes. The passage is one sentence of metadata, "Chapter IX (Final provisions):
Article 59 (Implementation of the Convention), …, Article 68 (Depositary and languages).", cited
as the chapter's first article (its first chunk backs the citation link); the answer-or-decline
model does not read it (`Passage.metadata`). Leaves out: what the articles say (the retrieved
passages quote that) and chapters of documents the question does not name (the primary one by
default, as for article numbers).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vectorstore import Hit

from .terms import asks_list, content_terms

LABEL = "Chapter contents"
_ASKS_CONTENTS = re.compile(r"\b(?:contain|cover|include|consist|make up|made up|in it|what is in|what's in)", re.I)


@dataclass
class Chapter:
    numeral: str
    title: str
    first_row: int
    articles: dict[int, str] = field(default_factory=dict)  # article number -> its title, in order


def chapters_of(metadatas) -> dict[str, dict[str, Chapter]]:
    """doc_id -> chapter numeral -> Chapter, from the index's metadata."""
    out: dict[str, dict[str, Chapter]] = {}
    for row, m in enumerate(metadatas):
        numeral = m.get("chapter")
        if not numeral:
            continue
        chapters = out.setdefault(m.get("doc_id", ""), {})
        chapter = chapters.setdefault(numeral, Chapter(numeral, m.get("chapter_title") or "", row))
        if m.get("section") == "article" and m.get("article"):
            chapter.articles.setdefault(int(m["article"]), m.get("article_title") or "")
    return out


def named_chapter(question: str, numerals: tuple[str, ...], chapters: dict[str, Chapter]) -> Chapter | None:
    """The chapter the question names by number, else by its title beside the word "chapter"."""
    for numeral in numerals:
        if numeral in chapters:
            return chapters[numeral]
    if not re.search(r"\bchapter\b", question, re.I):
        return None
    asked = set(content_terms(question))
    by_title = [c for c in chapters.values() if content_terms(c.title) and set(content_terms(c.title)) <= asked]
    # the longest title that fits ("International cooperation" before a one-word title inside it)
    return max(by_title, key=lambda c: len(content_terms(c.title)), default=None)


def contents_text(chapter: Chapter) -> str:
    title = chapter.title.strip()
    title = title.capitalize() if title.isupper() else title  # "FINAL PROVISIONS" -> "Final provisions"
    listed = ", ".join(f"Article {n} ({t})" if t else f"Article {n}" for n, t in sorted(chapter.articles.items()))
    return f"Chapter {chapter.numeral}{f' ({title})' if title else ''}: {listed}." if listed else ""


def chapter_contents_hits(question: str, numerals: tuple[str, ...], doc: str, chapters: dict[str, dict[str, Chapter]],
                          index, score: float, rank: int) -> list[Hit]:
    """The named chapter's contents as a Hit (rank `rank`, ranker score `score`), if asked."""
    if not (asks_list(question) or _ASKS_CONTENTS.search(question)):
        return []
    chapter = named_chapter(question, numerals, chapters.get(doc, {}))
    text = contents_text(chapter) if chapter else ""
    if not text:
        return []
    m = index.metadatas[chapter.first_row]
    meta = {k: v for k, v in m.items() if k not in ("paragraph", "part")}
    return [Hit(index.ids[chapter.first_row], text, {**meta, "label": LABEL, "section": "chapter"}, score, 0.0, 0.0, rank)]
