"""The Gradio chat: streamed answers, follow-ups, and each answer's sources as expandable cards.

Every string from documents or the model is escaped for Markdown and HTML before Gradio
renders it, so it shows as text; only our own `<mark>` and links are markup. Gradio is
imported inside `build_chat`, so importing this module stays cheap.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

EXAMPLES = [
    "What does Article 25 say about confiscation?",
    "Which offences must States parties criminalize?",
    "How does the Convention protect human rights?",
    "What is the Budapest Convention?",
]
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")
_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~$])")


def md_text(text: str) -> str:
    """Text that Gradio's Markdown renderer shows verbatim (no formatting, no HTML)."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)


def md_untext(markdown: str) -> str:
    """Inverse of `md_text`: recovers the original text (for the conversation history)."""
    return _MD_ESCAPED.sub(r"\1", html.unescape(markdown))


def source_link(citation: dict) -> str:
    """`/api/sources/<doc_id>#<chunk_id>`: the quoted paragraph on the document page."""
    anchor = citation.get("chunk_id") or (f"art-{citation['article']}" if citation.get("article") else citation.get("section", ""))
    return f"/api/sources/{quote(citation['doc_id'], safe='')}#{quote(anchor, safe=':')}"


def highlight(passage: str, quote_text: str) -> str:
    """The passage as safe Markdown with each part of the quote (joined by " … ") in <mark>."""
    spans = []
    for part in filter(None, (p.strip() for p in quote_text.split(" … "))):
        m = re.search(r"\s+".join(map(re.escape, part.split())), passage)
        if m:
            spans.append(m.span())
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(md_text(passage[pos:start]))
        # marks never span a line break: Markdown would end the inline HTML there
        out.append("\n".join(f"<mark>{md_text(line)}</mark>" if line.strip() else line
                             for line in passage[start:end].split("\n")))
        pos = end
    out.append(md_text(passage[pos:]))
    if not spans and quote_text:
        out.append(f"\n\n> Quoted: {md_text(quote_text)}")
    return "".join(out).strip()


def source_messages(answer: dict, turn: str) -> list[dict]:
    """A "Sources" group (titled with the corpus version) holding one collapsed card per citation."""
    cites = answer.get("citations", [])
    version = answer.get("corpus_version", "")
    group = f"sources-{turn}"
    title = f"Sources ({len(cites)}) · corpus version {version}" if cites else f"No sources · corpus version {version}"
    body = "Open a card to read the quoted passage in its paragraph." if cites else "This answer quotes no passage."
    # no status: the group starts open, showing one collapsed card per citation
    out = [{"role": "assistant", "content": body, "metadata": {"title": md_text(title), "id": group}}]
    for c in cites:
        card = (f"{highlight(c.get('passage') or c.get('quote', ''), c.get('quote', ''))}\n\n"
                f"[Open {md_text(c.get('label') or 'the passage')} in the source document]({source_link(c)})")
        out.append({"role": "assistant", "content": card, "metadata": {
            "title": md_text(f"[{c['n']}] {c.get('label', '')} — {c.get('doc_short_title') or c.get('doc_title', '')}"),
            "id": f"{group}-{c['n']}", "parent_id": group, "status": "done"}})
    return out


def plain_history(messages: list[dict]) -> list[dict]:
    """Chatbot messages -> the pipeline's [{role, content}] turns (source cards left out)."""
    turns = []
    for msg in messages:
        if (msg.get("metadata") or {}).get("title"):
            continue
        content = msg.get("content")
        parts = content if isinstance(content, list) else [content]
        text = " ".join(p.get("text", "") if isinstance(p, dict) else p for p in parts if isinstance(p, (str, dict)))
        if msg.get("role") == "assistant":
            text = md_untext(text)
        if text.strip():
            turns.append({"role": msg.get("role"), "content": text})
    return turns


def event_request():
    """The request behind the current Gradio event (its client and origin spend the quotas)."""
    from gradio.context import LocalContext

    return LocalContext.request.get(None)


def build_chat(answerer):
    """The chat as a `gr.Blocks` (not launched)."""
    import gradio as gr

    from ..errors import EXPECTED_ERRORS
    from .api import public_message

    def respond(message: str, history: list[dict]):
        text = ""
        try:
            message, turns = answerer.admit(event_request(), message, plain_history(history))
            for event in answerer.pipeline().stream(message, turns):
                if event["type"] == "delta":
                    text += event["text"]
                    yield [{"role": "assistant", "content": md_text(text)}]
                elif event["type"] == "done":
                    yield [{"role": "assistant", "content": md_text(text)},
                           *source_messages(event["answer"], str(len(history)))]
        except EXPECTED_ERRORS as exc:
            raise gr.Error(public_message(exc)) from None

    def corpus_line() -> str:
        try:
            return f"Corpus version {md_text(answerer.container.index().version)}"
        except EXPECTED_ERRORS as exc:
            return md_text(public_message(exc))

    chatbot = gr.Chatbot(
        label="Treaty Assistant", height="65vh", latex_delimiters=[], sanitize_html=True, allow_tags=False,
        placeholder="Ask about the UN Convention against Cybercrime. Answers quote the treaty and cite it.",
        feedback_options=None, buttons=["copy"],
    )
    with gr.Blocks(title="Treaty Assistant", fill_height=True) as demo:
        gr.Markdown("## Treaty Assistant — UN Convention against Cybercrime")
        gr.ChatInterface(respond, chatbot=chatbot, examples=EXAMPLES, concurrency_limit=8, fill_height=True,
                         api_name="chat")
        version = gr.Markdown(elem_id="corpus-version")
        demo.load(corpus_line, outputs=version, api_visibility="private")
    return demo
