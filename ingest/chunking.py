"""Blocks and prose -> `Chunk`s sized for the embedding window, with labels and headers.

Treaty blocks become one chunk per paragraph (with its lettered items); a paragraph
longer than `max_words` is split at item or sentence boundaries into parts that keep
its label. Other documents are cut into runs of consecutive paragraphs. Every chunk's
`embed_text` starts with a short header (document, article) so that similar articles of
two treaties stay apart; the header is never shown as quoted text.
"""
from __future__ import annotations

import re

from .models import Chunk, Document
from .treaty import HEADING, Block, looks_like_treaty, parse_treaty, split_paragraphs

# all-MiniLM-L6-v2 truncates at 256 word-pieces (all-mpnet-base-v2 at 384): chunks are sized for
# the smaller window, so either shipped embedder sees every chunk whole; ~1.3 pieces per word plus the header.
EMBED_WINDOW = 256
MAX_WORDS = 150
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z(“\"])")


def short_title(doc: Document, limit: int = 80) -> str:
    """A short name for headers and labels: front-matter short_title, else the title cut
    at ';' or ': ', then at ',' or a word boundary if still longer than `limit`."""
    if doc.short_title:
        return doc.short_title
    title = re.split(r";|: ", doc.title, maxsplit=1)[0].strip()
    if len(title) > limit and len(head := title.split(",")[0].strip()) >= 20:
        title = head
    if len(title) > limit:
        title = title[:limit].rsplit(" ", 1)[0] + "…"
    return title


_DEFINED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
_DEFINING = re.compile(r"\b(?:shall mean|means|is defined as)\b")


def defined_terms(text: str) -> str:
    """Terms a chunk defines ("“Traffic data” shall mean …"), as "|term|term|" (lower case)."""
    terms: list[str] = []
    for item in re.split(r"\n\s*\n", text):
        m = _DEFINING.search(item)
        if not m:
            continue
        head = item[: m.start()]
        if not re.match(r"^\s*(?:\(?[a-z]{1,4}\)\s*)?[“\"]", head):
            continue
        terms += [t.strip().lower() for t in _DEFINED.findall(head)]
    return "|" + "|".join(dict.fromkeys(terms)) + "|" if terms else ""


def _words(text: str) -> int:
    return len(text.split())


def _split_long(paragraphs: list[str], max_words: int) -> list[list[tuple[int, str]]]:
    """Group paragraphs into parts under max_words; an over-long paragraph is cut at
    sentence ends (then by words). Each unit keeps the index of its source paragraph."""
    units: list[tuple[int, str]] = []
    for idx, para in enumerate(paragraphs):
        if _words(para) <= max_words:
            units.append((idx, para))
            continue
        for sent in _SENTENCE_END.split(para):
            words = sent.split()
            for i in range(0, len(words), max_words):
                units.append((idx, " ".join(words[i:i + max_words])))
    parts: list[list[tuple[int, str]]] = [[]]
    for unit in units:
        if parts[-1] and _words(" ".join(u for _, u in parts[-1]) + " " + unit[1]) > max_words:
            parts.append([])
        parts[-1].append(unit)
    return [p for p in parts if p]


def _join(part: list[tuple[int, str]]) -> str:
    """Units of one paragraph are re-joined with a space, paragraphs with a blank line."""
    out: list[str] = []
    prev = None
    for idx, unit in part:
        if idx == prev:
            out[-1] += " " + unit
        else:
            out.append(unit)
        prev = idx
    return "\n\n".join(out)


def _label(block: Block, prefix: str) -> str:
    if block.section == "article":
        base = f"{prefix}Art. {block.article}"
        return f"{base}({block.paragraph})" if block.paragraph else base
    if block.section == "preamble":
        return f"{prefix}Preamble"
    if block.section == "annex":
        note = f"Annex, note {block.paragraph}" if block.paragraph else "Annex"
        return f"{prefix}{note}" + (f" ({block.heading})" if block.heading else "")
    if block.section == "closing":
        return f"{prefix}Closing formula"
    if block.section == "footnote":
        return f"{prefix}Footnote {block.heading}"
    return f"{prefix}Front matter"


def _header(doc_short: str, block: Block) -> str:
    if block.section == "article":
        chapter = f" (Chapter {block.chapter}: {block.chapter_title})" if block.chapter else ""
        return f"{doc_short}, Article {block.article}. {block.article_title}{chapter}"
    if block.section == "annex":
        return f"{doc_short}, Annex: interpretative notes" + (f", {block.heading}" if block.heading else "")
    return f"{doc_short}, {block.section.capitalize()}"


def _base_meta(doc: Document, position_kind: str) -> dict:
    return {
        "doc_id": doc.doc_id,
        "doc_title": doc.title,
        "doc_short_title": short_title(doc),
        "kind": doc.kind,
        "source_url": doc.source_url,
        "date": doc.date,
        "structure": position_kind,
    }


def treaty_chunks(doc: Document, label_prefix: str = "", max_words: int = MAX_WORDS) -> list[Chunk]:
    """Chunks for a document with treaty structure (see `treaty.parse_treaty`)."""
    doc_short = short_title(doc)
    blocks = parse_treaty(doc.text)
    # preamble recitals are short: merge runs of them into one block per ~max_words
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None and block.section == "preamble" and prev.section == "preamble"
            and _words(" ".join(prev.paragraphs + block.paragraphs)) <= max_words
        ):
            prev.paragraphs.extend(block.paragraphs)
            continue
        merged.append(Block(**{**block.__dict__, "paragraphs": list(block.paragraphs)}))
    chunks: list[Chunk] = []
    for block in merged:
        label = _label(block, label_prefix)
        header = _header(doc_short, block)
        parts = _split_long(block.paragraphs, max_words)
        for part_no, part in enumerate(parts, start=1):
            text = _join(part)
            meta = _base_meta(doc, "treaty")
            meta.update(
                section=block.section,
                chapter=block.chapter,
                chapter_title=block.chapter_title,
                article=block.article,
                article_title=block.article_title,
                paragraph=block.paragraph,
                label=label,
                part=part_no if len(parts) > 1 else 0,
                defines=defined_terms(text),
            )
            chunks.append(Chunk(doc.doc_id, len(chunks), text, f"{header}\n{text}", meta))
    return chunks


def prose_chunks(doc: Document, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Chunks of consecutive paragraphs under `max_words`, labelled with a paragraph range."""
    doc_short = short_title(doc)
    # a heading keeps its words without the marks; a bare "#" holds no text
    paras = [q for p in split_paragraphs(doc.text) if (q := p.lstrip("#").strip() if HEADING.match(p) else p)]
    chunks: list[Chunk] = []
    for part in _split_long(paras, max_words):
        first, last = part[0][0] + 1, part[-1][0] + 1
        text = _join(part)
        label = f"{doc_short}, para. {first}" if first == last else f"{doc_short}, paras {first}-{last}"
        meta = _base_meta(doc, "prose")
        meta.update(
            section="body", chapter="", chapter_title="", article=0, article_title="",
            paragraph=first, paragraph_end=last, label=label, part=0, defines=defined_terms(text),
        )
        chunks.append(Chunk(doc.doc_id, len(chunks), text, f"{doc_short}\n{text}", meta))
    return chunks


def chunk_document(doc: Document, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Pick the treaty or prose chunker by the document's shape."""
    treaty = looks_like_treaty(doc.text)
    return treaty_chunks(doc, max_words=max_words) if treaty else prose_chunks(doc, max_words=max_words)
