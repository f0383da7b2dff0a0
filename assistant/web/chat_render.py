"""One chat message as safe HTML: the answer with linked `[n]` and quote previews, source cards,
a copy button, feedback target id, suggestion chips; and the plain text behind it.

Every string from documents, the model or the user is HTML-escaped here; the only markup is
ours. The labels around an answer are in its language (`lang`, Arabic right to left); the quotes
stay in the documents' English. Behaviour (copy, tap previews, chips) lives in static/chat.js, looks in static/chat.css.
Gradio renders the result with its sanitizer on and Markdown off.
"""
from __future__ import annotations

import html
import re
import uuid
from urllib.parse import quote

from ..i18n import direction, t

_MARK = re.compile(r"\[(\d+)\]")
_PLAIN = re.compile(r'<div class="tw-plain" hidden>(.*?)</div>', re.S)
_ANSWER_ID = re.compile(r'<div class="tw-answer[^"]*" id="(a-[0-9a-f]{32})"')
_ERROR = 'class="tw-answer tw-error"'
TIP_CHARS = 280


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def source_link(citation: dict) -> str:
    """`/api/sources/<doc_id>#<chunk_id>`: the quoted paragraph on the document page."""
    anchor = citation.get("chunk_id") or (f"art-{citation['article']}" if citation.get("article") else citation.get("section", ""))
    return f"/api/sources/{quote(citation['doc_id'], safe='')}#{quote(anchor, safe=':')}"


def source_name(c: dict) -> str:
    """"Art. 25(2), UN Convention against Cybercrime"."""
    title = c.get("doc_short_title") or c.get("doc_title") or c.get("doc_id", "")
    return f"{c['label']}, {title}" if c.get("label") else title


def copy_text(text: str, citations: list[dict]) -> str:
    """What the copy button copies: the answer, then one line per citation."""
    lines = [f"[{c['n']}] {source_name(c)}" for c in citations]
    return text.strip() + ("\n\n" + "\n".join(lines) if lines else "")


def highlight(passage: str, quote_text: str) -> str:
    """The passage as escaped HTML with each part of the quote (joined by " … ") in <mark>."""
    spans = []
    for part in filter(None, (p.strip() for p in quote_text.split(" … "))):
        m = re.search(r"\s+".join(map(re.escape, part.split())), passage)
        if m:
            spans.append(m.span())
    out, pos = [], 0
    for start, end in sorted(spans):
        if start >= pos:
            out += [esc(passage[pos:start]), f"<mark>{esc(passage[start:end])}</mark>"]
            pos = end
    out.append(esc(passage[pos:]))
    return "".join(out).strip() or f"<mark>{esc(quote_text)}</mark>"


def linked_text(text: str, citations: list[dict], lang: str = "en") -> str:
    """Answer text with each `[n]` a link to its paragraph carrying a preview of the quote."""
    by_n = {str(c["n"]): c for c in citations}
    out, pos = [], 0
    for m in _MARK.finditer(text):
        c = by_n.get(m.group(1))
        if c is None:
            continue
        q = c.get("quote", "")
        tip = q if len(q) <= TIP_CHARS else q[:TIP_CHARS].rsplit(" ", 1)[0] + " …"
        out += [esc(text[pos:m.start()]),
                f'<a class="tw-cite" href="{esc(source_link(c))}" '
                f'aria-label="{esc(t("source_n", lang, n=c["n"], label=source_name(c)))}">'
                f'[{c["n"]}]</a><span class="tw-tip" role="tooltip"><strong>{esc(source_name(c))}</strong> '
                f'{esc(tip)}</span>']
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def source_cards(citations: list[dict], lang: str = "en") -> str:
    if not citations:
        return ""
    quoted = "" if lang == "en" else ' lang="en" dir="ltr"'  # English passages inside another language
    cards = "".join(
        f'<details class="tw-card"><summary>[{c["n"]}] {esc(source_name(c))}</summary>'
        f'<blockquote{quoted}>{highlight(c.get("passage") or c.get("quote", ""), c.get("quote", ""))}</blockquote>'
        f'<a href="{esc(source_link(c))}">{esc(t("open_in_source", lang, label=c.get("label") or t("the_passage", lang)))}'
        '</a></details>'
        for c in citations)
    return f'<div class="tw-sources" role="group" aria-label="{esc(t("sources", lang))}">{cards}</div>'


def suggestion_chips(suggestions: list[str], lang: str = "en") -> str:
    chips = "".join(f'<button type="button" class="tw-chip">{esc(s)}</button>' for s in suggestions[:4] if s.strip())
    label = esc(t("suggested", lang))
    return f'<div class="tw-chips" role="group" aria-label="{label}">{chips}</div>' if chips else ""


def new_answer_id() -> str:
    return f"a-{uuid.uuid4().hex}"


def answer_html(answer_id: str, text: str, citations: list[dict] | None = None,
                suggestions: list[str] | None = None, streaming: bool = False, lang: str = "en") -> str:
    """A whole answer message; while `streaming`, the text only (links come with the citations).

    `lang` is the answer's language: its labels, and `lang`/`dir` on the message (English has neither)."""
    citations = citations or []
    body = esc(text) if streaming else linked_text(text, citations, lang)
    where = "" if lang == "en" else f' lang="{esc(lang)}" dir="{direction(lang)}"'
    parts = [f'<div class="tw-answer" id="{answer_id}"{where}><div class="tw-text">{body or "…"}</div>',
             f'<div class="tw-plain" hidden>{esc(text)}</div>']
    if not streaming:
        parts += [f'<div class="tw-copytext" hidden>{esc(copy_text(text, citations))}</div>',
                  f'<button type="button" class="tw-copy" aria-label="{esc(t("copy_label", lang))}">'
                  f'{esc(t("copy", lang))}</button>',
                  source_cards(citations, lang), suggestion_chips(suggestions or [], lang)]
    return "".join(parts) + "</div>"


def error_html(message: str) -> str:
    """An error shown as an assistant message (not part of the conversation sent back)."""
    return f'<div {_ERROR} role="alert"><div class="tw-text">{esc(message)}</div></div>'


def plain_history(messages: list[dict]) -> list[dict]:
    """Chatbot messages -> the pipeline's [{role, content}] turns; failed exchanges left out."""
    turns: list[dict] = []
    for msg in messages:
        content = msg.get("content")
        parts = content if isinstance(content, list) else [content]
        text = " ".join(p.get("text", "") if isinstance(p, dict) else p for p in parts if isinstance(p, (str, dict)))
        if msg.get("role") == "assistant":
            if _ERROR in text:
                if turns and turns[-1]["role"] == "user":
                    turns.pop()  # the question that failed is not part of the conversation
                continue
            m = _PLAIN.search(text)
            text = html.unescape(m.group(1)) if m else text
        if text.strip():
            turns.append({"role": msg.get("role"), "content": text})
    return turns


def answer_id_of(content: object) -> str | None:
    """The id inside an answer message's HTML (what a thumbs up/down refers to)."""
    parts = content if isinstance(content, list) else [content]
    text = " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in parts if p is not None)
    m = _ANSWER_ID.search(text)
    return m.group(1) if m else None
