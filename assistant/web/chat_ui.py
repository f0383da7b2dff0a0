"""The Gradio chat: streamed answers as one message each (linked `[n]`, quote previews, source
cards, copy, suggestion chips), errors as messages, thumbs up/down with a comment, and a
named `/ask` endpoint for `gradio_client` returning the same JSON as `POST /api/ask`.

Message HTML comes from `chat_render` (everything escaped there); behaviour and looks come
from /ui/chat.js and /ui/chat.css (`CHAT_HEAD`), never inline. Gradio is imported inside
`build_chat`, so importing this module stays cheap.
"""

import logging
import threading
from collections import OrderedDict

from ..i18n import question_lang
from .chat_render import answer_html, answer_id_of, error_html, new_answer_id, plain_history
from .ui_routes import EXAMPLES, greeting

log = logging.getLogger(__name__)
CHAT_HEAD = '<link rel="stylesheet" href="/ui/chat.css"><script src="/ui/chat.js" defer></script>'
MOUNT_OPTIONS = {"head": CHAT_HEAD}  # passed to gr.mount_gradio_app by app.py
FAILED = "The answer failed on the server: try again."
KEEP_RECORDS = 1000  # recent answers that can still be rated (oldest forgotten first)


class RecentAnswers:
    """answer id -> {question, history, answer}: what a thumb click refers to, bounded in memory."""

    def __init__(self, size: int = KEEP_RECORDS):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def add(self, aid: str, record: dict) -> None:
        with self._lock:
            self._items[aid] = record
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, aid: str | None) -> dict | None:
        with self._lock:
            return self._items.get(aid)


def event_request():
    """The request behind the current Gradio event (its client and origin spend the quotas)."""
    from gradio.context import LocalContext

    return LocalContext.request.get(None)


def answer_stream(answerer, message: str, history: list[dict], records: RecentAnswers):
    """Message HTML while the answer streams; an error ends it as a message."""
    from ..errors import EXPECTED_ERRORS
    from .api import public_message

    aid, text, turns = new_answer_id(), "", plain_history(history)
    try:
        message, turns = answerer.admit(event_request(), message, turns)
        lang = question_lang(message, turns)  # what the answer's `lang` will say, known before it ends
        for event in answerer.pipeline().stream(message, turns):
            if event["type"] == "delta":
                text += event["text"]
                yield answer_html(aid, text, streaming=True, lang=lang)
            elif event["type"] == "done":
                answer = event["answer"]
                records.add(aid, {"question": message, "history": turns, "answer": answer})
                yield answer_html(aid, answer.get("answer", text), answer.get("citations", []),
                                  answer.get("suggestions") or [], lang=answer.get("lang") or lang)
    except EXPECTED_ERRORS as exc:
        yield error_html(public_message(exc))
    except Exception:
        log.exception("chat answer failed")
        yield error_html(FAILED)


def save_rating(store, records: RecentAnswers, like) -> tuple[str | None, str]:
    """A thumb clicked on message `like.value`: (answer id awaiting a comment, status line)."""
    from ..feedback import FeedbackEntry, FeedbackError

    aid = answer_id_of(like.value)
    record = records.get(aid)
    if record is None:
        return None, "This answer can no longer be rated (the server has restarted since): ask again to rate it."
    answer = record["answer"]
    try:
        if like.liked not in (True, False):  # the same thumb clicked again: withdrawn
            store.remove(aid)
            return None, "Rating withdrawn."
        store.rate(FeedbackEntry(
            answer_id=aid, rating="up" if like.liked else "down", question=record["question"],
            history=record["history"], answer=answer.get("answer", ""), citations=answer.get("citations", []),
            refused=bool(answer.get("refused")), corpus_version=answer.get("corpus_version", ""),
            generator=answer.get("generator", ""), channel="chat"))
    except FeedbackError as exc:
        return None, str(exc)
    return aid, "Thanks for rating this answer. Add a comment if you like:"


def build_chat(answerer, store):
    """The chat as a `gr.Blocks` (not launched); ratings go to `store` (a FeedbackStore)."""
    import gradio as gr

    from ..errors import EXPECTED_ERRORS
    from ..feedback import FeedbackError
    from .api import public_message

    records = RecentAnswers()

    def respond(message: str, history: list[dict]):
        yield from answer_stream(answerer, message, history, records)

    def ask(question: str, history: list[dict] | None = None) -> dict:
        """The answer as JSON (answer text, structured citations, refused, corpus_version...), as POST /api/ask."""
        try:
            question, turns = answerer.admit(event_request(), question, history)
            return answerer.pipeline().ask(question, turns).as_dict()
        except EXPECTED_ERRORS as exc:
            raise gr.Error(public_message(exc), print_exception=False) from None

    def on_like(like: gr.LikeData):
        aid, status = save_rating(store, records, like)
        return aid, gr.update(value=status, visible=True), gr.update(visible=aid is not None), ""

    def on_comment(aid: str | None, comment: str):
        if not aid or not comment.strip():
            return gr.update(visible=False), gr.update(value="No comment sent.", visible=True)
        try:
            saved = store.comment(aid, comment.strip()[:2000])
        except FeedbackError as exc:
            return gr.update(visible=True), gr.update(value=str(exc), visible=True)
        return gr.update(visible=False), gr.update(value="Comment saved: thank you." if saved else
                                                   "Rate the answer first, then comment.", visible=True)

    def corpus_line() -> str:
        try:
            return f"Corpus version {answerer.container.index().version}"
        except EXPECTED_ERRORS as exc:
            return public_message(exc)

    # fixed text: document strings never go into Gradio's page config (an inline script)
    title = "UN Convention against Cybercrime"
    with gr.Blocks(title="Treaty Assistant", fill_height=True, elem_id="tw-app") as demo:
        # Markdown, not gr.HTML: Gradio evaluates gr.HTML as a JavaScript template (`new Function`),
        # which the page's content policy (no 'unsafe-eval') rightly blocks
        gr.Markdown(f'<header class="tw-header"><h1>Treaty Assistant</h1><p>{title}: answers quote the documents '
                    'and cite them</p></header>', elem_id="tw-header", sanitize_html=True)
        chatbot = gr.Chatbot(
            label="Conversation", show_label=False, height="68vh", min_height=320, elem_id="tw-chat",
            latex_delimiters=[], sanitize_html=True, render_markdown=False, allow_tags=False, buttons=[],
            placeholder=greeting(title), feedback_options=("Like", "Dislike"), autoscroll=True,
        )
        gr.ChatInterface(respond, chatbot=chatbot, examples=EXAMPLES, concurrency_limit=8, fill_height=True,
                         api_visibility="private",
                         textbox=gr.Textbox(placeholder="Ask about the Convention…", show_label=False,
                                            label="Your question", submit_btn="Ask", stop_btn="Stop",
                                            lines=1, max_lines=6, elem_id="tw-input"))
        pending = gr.State(None)
        status = gr.Markdown(visible=False, elem_id="tw-feedback-status")
        with gr.Row(visible=False, elem_id="tw-comment") as comment_row:
            comment = gr.Textbox(label="Comment (optional)", placeholder="What was right or wrong with this answer?",
                                 lines=1, max_lines=4, max_length=2000, scale=4)
            send = gr.Button("Send comment", scale=1, size="sm")
        chatbot.like(on_like, inputs=None, outputs=[pending, status, comment_row, comment], api_visibility="private")
        for trigger in (send.click, comment.submit):
            trigger(on_comment, inputs=[pending, comment], outputs=[comment_row, status], api_visibility="private")
        version = gr.Markdown(elem_id="corpus-version")
        demo.load(corpus_line, outputs=version, api_visibility="private")
        gr.api(ask, api_name="ask")
    return demo
