"""`/api/sources/{doc_id}`: one indexed document as an HTML page with an anchor per passage.

Every passage (chunk) gets `id="<chunk_id>"`; the first passage of an article also carries
`art-N` (annex notes `annex`, other sections their name), so a citation link
`/api/sources/<doc_id>#<chunk_id>` lands on the quoted paragraph, highlighted by `:target`.
Every document string is escaped; the page runs no script (its CSP forbids any).
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_STYLE = """
body{font:16px/1.55 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem 1.25rem 40vh;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem;margin:1.5rem 0 .25rem}
.meta{color:#555;font-size:.9rem}.p{white-space:pre-wrap;padding:.35rem .6rem;border-left:3px solid transparent;
scroll-margin-top:2rem}.p:target{background:#fff3b0;border-left-color:#d9a400}
.label{font-size:.8rem;color:#555;text-decoration:none;display:block}ul{padding-left:1.2rem}
"""


def chunk_position(chunk_id: str) -> int:
    """Chunk ids are "<doc_id>:<position>:<hash>"."""
    parts = chunk_id.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def document_rows(index, doc_id: str) -> list[int]:
    """Index rows of one document, in document order."""
    rows = [i for i, m in enumerate(index.metadatas) if m.get("doc_id") == doc_id]
    return sorted(rows, key=lambda r: chunk_position(index.ids[r]))


def _page(title: str, body: str) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_CSP})


def _heading(meta: dict, seen: set[str]) -> tuple[str, str]:
    """(anchor, heading html) when this passage opens a new chapter, article or section."""
    out, anchor = [], ""
    section = meta.get("section") or "body"
    chapter = meta.get("chapter") or ""
    if section == "article" and chapter and f"chapter-{chapter}" not in seen:
        seen.add(f"chapter-{chapter}")
        title = f"Chapter {chapter}. {meta.get('chapter_title') or ''}".strip(". ")
        out.append(f'<h2 id="chapter-{escape(str(chapter))}">{escape(title)}</h2>')
    if section == "article" and meta.get("article"):
        key = f"art-{int(meta['article'])}"
        if key not in seen:
            seen.add(key)
            anchor = key
            title = f"Article {int(meta['article'])}. {meta.get('article_title') or ''}".strip(". ")
            out.append(f"<h3>{escape(title)}</h3>")
    elif section not in seen and section != "body":
        seen.add(section)
        anchor = section
        out.append(f"<h2>{escape(section.capitalize())}</h2>")
    return anchor, "".join(out)


def render_document(index, doc_id: str) -> HTMLResponse:
    rows = document_rows(index, doc_id)
    if not rows:
        raise HTTPException(404, f"No document {doc_id!r} in the index: see /api/sources for the list.")
    first = index.metadatas[rows[0]]
    title = first.get("doc_title") or doc_id
    parts = [f"<h1>{escape(title)}</h1><p class='meta'>Document id <code>{escape(doc_id)}</code>"
             f" · corpus version {escape(index.version)}"]
    url = first.get("source_url") or ""
    if url.startswith(("https://", "http://")):
        parts.append(f' · <a href="{escape(url)}" rel="noopener noreferrer">original source</a>')
    parts.append("</p>")
    seen: set[str] = set()
    for row in rows:
        meta, chunk_id = index.metadatas[row], index.ids[row]
        anchor, heading = _heading(meta, seen)
        parts.append(heading)
        if anchor:  # an empty marker so `#art-N` lands on the article's first passage
            parts.append(f'<span id="{escape(anchor)}"></span>')
        label = meta.get("label") or ""
        parts.append(
            f'<div class="p" id="{escape(chunk_id)}"><a class="label" href="#{escape(chunk_id)}">'
            f"{escape(label)}</a>{escape(index.texts[row].strip())}</div>"
        )
    return _page(title, "".join(parts))


def render_listing(index) -> HTMLResponse:
    docs: dict[str, str] = {}
    for m in index.metadatas:
        docs.setdefault(m.get("doc_id", ""), m.get("doc_title") or m.get("doc_id", ""))
    items = "".join(
        f'<li><a href="/api/sources/{escape(quote(d))}">{escape(t)}</a></li>' for d, t in sorted(docs.items())
    )
    return _page("Sources", f"<h1>Sources</h1><p class='meta'>Corpus version {escape(index.version)}</p><ul>{items}</ul>")


def sources_router(container) -> APIRouter:
    router = APIRouter(tags=["sources"])

    @router.get("/api/sources", response_class=HTMLResponse, summary="List the indexed documents")
    def list_sources() -> HTMLResponse:
        return render_listing(container.index())

    @router.get("/api/sources/{doc_id}", response_class=HTMLResponse,
                summary="One document with an anchor per article and passage")
    def get_source(doc_id: str) -> HTMLResponse:
        return render_document(container.index(), doc_id)

    return router
