"""File loaders: Markdown (+ YAML front matter), plain text, HTML and PDF -> `Document`.

Each loader returns the body text and metadata; it raises `UnreadableFile` with a message
that says what to do. Page furniture (excerpt markers, avatar URLs, comment prompts) is
removed here so that no later step embeds it. Structure parsing is left to `treaty.py`.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import UnreadableFile
from .models import Document

SUPPORTED = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html", ".pdf": "pdf"}

# Lines that are page chrome, not document text.
_FURNITURE = [
    re.compile(r"^\[\s*…?\.{0,3}\s*excerpt ends here\s*…?\.{0,3}\s*\]$", re.I),
    re.compile(r"^https?://\S*avatar\S*$", re.I),
    re.compile(r"^\d+\s+comments?$", re.I),
    re.compile(r"^write the first comment.*$", re.I),
    re.compile(r"^comments?$", re.I),
]


def strip_furniture(text: str) -> str:
    """Drop lines that are page furniture; keep everything else verbatim."""
    kept = [ln for ln in text.splitlines() if not any(p.match(ln.strip()) for p in _FURNITURE)]
    return "\n".join(kept).strip()


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFile(str(path), "file is empty: add text to it or remove it from the corpus")
    if b"\x00" in data[:8192]:
        raise UnreadableFile(str(path), "looks like a binary file, not text: remove it or convert it to .md/.txt")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            str(path), f"not valid UTF-8 (byte {exc.start}): re-save the file as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def _split_front_matter(path: Path, text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    import yaml  # pyyaml: a top-level requirement

    m = re.match(r"^---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", text, re.S)
    if not m:
        raise UnreadableFile(
            str(path), "front matter is not closed: add a line '---' after the metadata block"
        )
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: a value YAML reads as a date that is none ("date: 2024-13-45")
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" (line {line + 2})" if line is not None else f" ({exc})" if isinstance(exc, ValueError) else ""
        raise UnreadableFile(
            str(path), f"broken YAML front matter{where}: fix the metadata between the '---' lines"
        ) from None
    if not isinstance(meta, dict):
        raise UnreadableFile(
            str(path), "front matter is not a key: value mapping: fix the metadata between the '---' lines"
        )
    return {str(k): v for k, v in meta.items()}, text[m.end():]


_HTML_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "th", "dd", "dt")


def _inside_block(node, root) -> bool:
    parent = node.parent
    while parent is not None and parent != root:
        if parent.tag in _HTML_BLOCKS:
            return True
        parent = parent.parent
    return False


def _html_text(path: Path, raw: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(raw)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for sel in ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg"):
        for node in tree.css(sel):
            node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    blocks = []
    for node in root.css(", ".join(_HTML_BLOCKS)):
        if _inside_block(node, root):
            continue  # its text is already in the enclosing block (<li><p>, <blockquote><p>)
        t = " ".join(node.text(separator=" ").split())
        if t:
            blocks.append(t)
    if not blocks and root is not None:
        blocks = [" ".join(root.text(separator=" ").split())]
    return title, "\n\n".join(b for b in blocks if b)


def _pdf_text(path: Path) -> str:
    import logging

    from pypdf import PdfReader

    # pypdf logs warnings ("EOF marker not found") for damaged files; our reason says it all
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        pages = [(page.extract_text() or "") for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for damaged files
        raise UnreadableFile(
            str(path), f"cannot read this PDF ({type(exc).__name__}): re-export it, or convert it to text"
        ) from None
    finally:
        pypdf_log.setLevel(level)
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise UnreadableFile(str(path), "PDF has no text layer (scanned?): run OCR on it first, or add a .txt version")
    return text


def _str(meta: dict, key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value).strip()


def load_file(path: Path, doc_id: str | None = None) -> Document:
    """Load one supported file into a `Document`; raise `UnreadableFile` on bad input."""
    path = Path(path)
    suffix = path.suffix.lower()
    fmt = SUPPORTED.get(suffix)
    if fmt is None:
        raise UnreadableFile(str(path), f"unsupported file type '{suffix or path.name}': use .md, .txt, .html or .pdf")
    doc_id = doc_id or path.stem
    meta: dict = {}
    title = ""
    if fmt == "pdf":
        if path.stat().st_size == 0:
            raise UnreadableFile(str(path), "file is empty: add text to it or remove it from the corpus")
        body = _pdf_text(path)
    else:
        raw = _read_text(path)
        if fmt == "markdown":
            meta, body = _split_front_matter(path, raw)
        elif fmt == "html":
            title, body = _html_text(path, raw)
        else:
            body = raw
    body = strip_furniture(body)
    if not body.strip():
        raise UnreadableFile(str(path), "no text left after removing metadata and page furniture: add text or remove the file")
    title = _str(meta, "title") or title or _first_line(body) or doc_id
    date = _str(meta, "date") or _str(meta, "date_adopted")
    return Document(
        doc_id=doc_id,
        title=title,
        text=body,
        path=path,
        kind=_str(meta, "kind") or "document",
        source_url=_str(meta, "source_url").split(" ")[0],
        date=date,
        short_title=_str(meta, "short_title"),
        meta=meta,
    )
