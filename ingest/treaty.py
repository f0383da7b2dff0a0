"""Treaty structure: Markdown treaty text -> blocks labelled with chapter, article and paragraph.

Understands `# Preamble`, `## Chapter N. Title` / `## CHAPTER N – TITLE`, `### Article N. Title`
/ `### Article N – Title`, numbered paragraphs (`1.`), lettered items (`(a)`, `a)`, `(i)`),
an `# Annex…` of notes with `## Article N` sub-headings, a closing formula and `[^n]:`
footnotes. Produces `Block`s (one per paragraph with its items); sizing into chunks is
left to `chunking.py`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_H1 = re.compile(r"^#\s+(.+)$")
_CHAPTER = re.compile(r"^##\s+chapter\s+([IVXLC\d]+)\s*[.–—:-]?\s*(.*)$", re.I)
_ARTICLE = re.compile(r"^###\s+article\s+(\d+)\s*[.–—:-]?\s*(.*)$", re.I)
_ANNEX_SUB = re.compile(r"^##\s+(articles?\s+.+)$", re.I)
_NUMBERED = re.compile(r"^(\d{1,3})\.(?:\s+|$)")
_BOLD_HEADING = re.compile(r"^\*\*[^*]+\*\*$")
_FOOTNOTE = re.compile(r"^\[\^(\w+)\]:\s*(.*)$", re.S)
_CLOSING = re.compile(r"^(IN WITNESS WHEREOF|DONE at)\b")
_ARTICLE_HEADING = re.compile(r"^###\s+article\s+\d+", re.I | re.M)
HEADING = re.compile(r"^#{1,6}(?:\s|$)")  # a Markdown heading line ("#hashtag" is text)


@dataclass
class Block:
    """Consecutive paragraphs that belong to one addressable unit (e.g. Art. 25(2))."""

    section: str  # preamble | article | annex | closing | footnote | front
    paragraphs: list[str] = field(default_factory=list)
    chapter: str = ""
    chapter_title: str = ""
    article: int = 0
    article_title: str = ""
    paragraph: int = 0  # numbered paragraph, recital or note number; 0 = unnumbered
    heading: str = ""  # annex sub-heading, footnote id


def looks_like_treaty(text: str) -> bool:
    """A document with at least three `### Article N` headings is parsed as a treaty."""
    return len(_ARTICLE_HEADING.findall(text)) >= 3


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, whitespace inside each folded to single spaces. A heading
    line is a paragraph of its own, as in Markdown, even with no blank line around it."""
    paras: list[str] = []
    for raw in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in raw.split("\n"):
            if HEADING.match(line.strip()):
                paras += [" ".join(" ".join(lines).split()), " ".join(line.split())]
                lines = []
            else:
                lines.append(line)
        paras.append(" ".join(" ".join(lines).split()))
    return [p for p in paras if p]


def parse_treaty(text: str) -> list[Block]:
    """Parse treaty Markdown into blocks; every non-heading paragraph lands in exactly one block."""
    blocks: list[Block] = []
    section = "front"
    chapter = chapter_title = ""
    article, article_title = 0, ""
    annex_heading = ""
    current: Block | None = None

    def start(**kw) -> Block:
        nonlocal current
        current = Block(chapter=chapter, chapter_title=chapter_title, **kw)
        blocks.append(current)
        return current

    for para in split_paragraphs(text):
        if m := _FOOTNOTE.match(para):
            start(section="footnote", heading=m.group(1)).paragraphs.append(para)
            continue
        if HEADING.match(para):
            if m := _ARTICLE.match(para):
                section, article, article_title = "article", int(m.group(1)), m.group(2).strip()
                current = None
            elif m := _CHAPTER.match(para):
                chapter, chapter_title = m.group(1).upper(), m.group(2).strip()
                current = None
            elif section == "annex" and (m := _ANNEX_SUB.match(para)):
                annex_heading = m.group(1).strip()
                current = None
            elif m := _H1.match(para):
                title = m.group(1).strip().lower()
                if title.startswith("preamble"):
                    section = "preamble"
                elif title.startswith("annex"):
                    section, annex_heading = "annex", ""
                    chapter = chapter_title = ""
                    article, article_title = 0, ""
                current = None
            else:
                current = None  # other sub-headings carry no text of their own
            continue
        if _BOLD_HEADING.match(para):
            continue  # Budapest "**SECTION 1 – …**" part headings
        if _CLOSING.match(para) and section in ("article", "closing"):
            start(section="closing").paragraphs.append(para)
            section = "closing"
            continue
        if section == "preamble":
            start(section="preamble", paragraph=len([b for b in blocks if b.section == "preamble"]) + 1)
            current.paragraphs.append(para)
            continue
        num = _NUMBERED.match(para)
        if section == "annex":
            if num or current is None or current.section != "annex":
                start(section="annex", paragraph=int(num.group(1)) if num else 0, heading=annex_heading)
            current.paragraphs.append(para)
            continue
        if section == "article":
            if num:
                start(section="article", article=article, article_title=article_title, paragraph=int(num.group(1)))
            elif current is None or current.section != "article" or current.article != article:
                start(section="article", article=article, article_title=article_title, paragraph=0)
            current.paragraphs.append(para)
            continue
        # text before the preamble or after the closing formula
        if current is None or current.section != section:
            start(section=section)
        current.paragraphs.append(para)
    return blocks
