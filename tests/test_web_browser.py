"""The chat, the widget and the source pages in real headless Chromium (Playwright, Debian
Chromium): streamed answers with citation cards, the widget on an allowed origin, keyboard use, a phone-sized screen, and hostile document markup shown as text.

One uvicorn server per configuration (bundled corpus; hostile corpus), one browser, and
static host pages on two other loopback origins: `allowed` is in TREATY_ALLOWED_ORIGINS.
"""
from __future__ import annotations

import pytest

from .conftest import UN
from .web_fixtures import (  # noqa: F401
    XSS_IMG,
    XSS_QUESTION,
    XSS_SCRIPT,
    browser,
    post_json,
    serve_app,
    serve_folder,
    web_container,
    xss_index,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TEXTBOX = 'textarea[data-testid="textbox"]'
STOP = '[data-testid="stop-button"]'
BOT = '[data-testid="bot"]'
WIDGET = "treaty-assistant-widget"
QUESTION = "What does Article 25 say?"
HOST_PAGE = """<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ font-family: serif; color: rgb(200, 0, 0); }} button, textarea {{ font-family: monospace !important; }}
.panel {{ outline: 9px solid lime; }}</style></head>
<body><h1>Host page</h1><div class="panel" id="host-panel">the host's own .panel</div>
<script src="{app}/widget.js" data-title="Ask the treaty" data-position="bottom-left" data-theme="dark" async></script>
</body></html>"""


@pytest.fixture(scope="module")
def origins(tmp_path_factory):
    """Two static servers for host pages: (allowed origin, refused origin, folder)."""
    folder = tmp_path_factory.mktemp("host-pages")
    with serve_folder(folder) as allowed, serve_folder(folder) as refused:
        yield allowed, refused, folder


@pytest.fixture(scope="module")
def app_url(settings, embedder, origins):
    from assistant.web import build_app

    container = web_container(settings, embedder, allowed_origins=origins[0], rate_limit="1000/minute")
    with serve_app(build_app(container)) as url:
        post_json(f"{url}/api/ask", {"question": QUESTION})  # warm the pipeline outside the timed tests
        (origins[2] / "main.html").write_text(HOST_PAGE.format(app=url))
        yield url


@pytest.fixture(scope="module")
def xss_url(settings, embedder, origins, xss_index):  # noqa: F811
    from assistant.web import build_app

    container = web_container(settings, embedder, index_dir=xss_index, allowed_origins=origins[0],
                              rate_limit="1000/minute", primary_doc="evil-notes")
    with serve_app(build_app(container)) as url:
        (origins[2] / "xss.html").write_text(HOST_PAGE.format(app=url))
        yield url


@pytest.fixture
def context(browser):  # noqa: F811
    """A fresh browser context whose pages record every dialog (an alert would mean script ran)."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    ctx.dialogs = []
    ctx.on("page", lambda page: page.on("dialog", lambda d: (ctx.dialogs.append(d.message), d.dismiss())))
    yield ctx
    ctx.close()


def injected(page, root: str = "document") -> int:
    """Elements the hostile strings would have created had they been parsed as HTML."""
    return page.evaluate(
        f"() => {{ const r = {root}; return [...r.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x')"
        ".length + [...r.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length; }")


def chat_ask(page, question: str) -> None:
    page.fill(TEXTBOX, question)
    page.keyboard.press("Enter")
    page.wait_for_selector(STOP, state="visible", timeout=15000)  # the reply is streaming
    page.wait_for_selector(STOP, state="hidden", timeout=30000)
    page.wait_for_selector(f"{BOT} .tw-copy, {BOT} .tw-error", timeout=30000)


def widget_ask(page, question: str) -> None:
    bubble = page.locator(f"{WIDGET} button.bubble")
    bubble.focus()
    page.keyboard.press("Enter")  # keyboard: the bubble opens the panel and focuses the input
    assert page.locator(f"{WIDGET} textarea").evaluate("el => el.getRootNode().activeElement === el")
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => {{ const r = document.querySelector('{WIDGET}').shadowRoot;"
        " return r.querySelector('.cites') || r.querySelector('.err'); }", timeout=30000)


def test_chat_streams_an_answer_with_citation_cards_and_follow_ups(context, app_url):
    page = context.new_page()
    page.goto(app_url + "/")
    version = post_json(f"{app_url}/api/ask", {"question": QUESTION})["corpus_version"]
    chat_ask(page, QUESTION)
    answer = page.locator(BOT).first
    assert "[1]" in answer.locator(".tw-text").inner_text()
    assert page.locator("#corpus-version").inner_text() == f"Corpus version {version}"
    card = page.locator(f"{BOT} .tw-card summary").first
    assert card.inner_text().startswith("[1] Art. 25(")
    card.click()  # expands the card: the paragraph with the quote highlighted, and the source link
    assert page.locator(f"{BOT} .tw-card mark").first.inner_text().strip()
    link = page.locator(f'{BOT} .tw-card a[href^="/api/sources/{UN}#{UN}:"]').first
    assert link.inner_text().startswith("Open Art. 25(")
    chat_ask(page, "And paragraph 2?")  # a follow-up: only the conversation says which article
    assert page.get_by_text("Art. 25(2)").count() >= 1
    page.locator('button[aria-label="Clear"]').first.click()
    page.wait_for_function(f"() => document.querySelectorAll('{BOT}').length === 0")
    assert context.dialogs == []


def test_widget_on_an_allowed_origin_answers_and_links_to_the_paragraph(context, app_url, origins):
    page = context.new_page()
    page.goto(f"{origins[0]}/main.html")
    widget_ask(page, QUESTION)
    log = page.locator(f"{WIDGET} .log")
    assert "[1]" in log.inner_text()
    cite = page.locator(f"{WIDGET} a.cite").first
    assert cite.inner_text().startswith("[1] Art. 25(")
    with context.expect_page() as opened:
        cite.click()
    source = opened.value
    source.wait_for_load_state()
    assert source.url.startswith(f"{app_url}/api/sources/{UN}#")
    target = source.locator(":target")
    assert target.get_attribute("id").startswith(f"{UN}:")
    assert target.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 243, 176)"
    assert target.is_visible()
    page.keyboard.press("Escape")  # closes the panel, focus back on the bubble
    assert page.locator(f"{WIDGET} .panel").is_hidden()
    assert page.locator(f"{WIDGET} button.bubble").evaluate("el => el.getRootNode().activeElement === el")


def test_widget_styles_neither_leak_nor_inherit(context, app_url, origins):
    page = context.new_page()
    page.goto(f"{origins[0]}/main.html")
    page.locator(f"{WIDGET} button.bubble").click()
    textarea = page.locator(f"{WIDGET} textarea")
    assert "monospace" not in textarea.evaluate("el => getComputedStyle(el).fontFamily")
    assert textarea.evaluate("el => getComputedStyle(el.closest('.w')).color") != "rgb(200, 0, 0)"
    assert page.locator(f"{WIDGET} .panel").evaluate("el => getComputedStyle(el).outlineStyle") == "none"
    host_panel = page.locator("#host-panel")  # the widget's .panel rules do not reach the host page
    assert host_panel.evaluate("el => getComputedStyle(el).position") == "static"
    assert host_panel.evaluate("el => getComputedStyle(el).outlineColor") == "rgb(0, 255, 0)"


def test_widget_fills_a_phone_screen(browser, app_url):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(f"{app_url}/widget-demo")
        page.locator(f"{WIDGET} button.bubble").tap()
        box = page.locator(f"{WIDGET} .panel").bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 667)
        assert page.locator(f"{WIDGET} textarea").is_visible() and page.locator(f"{WIDGET} .close").is_visible()
        page.locator(f"{WIDGET} .close").tap()
        assert page.locator(f"{WIDGET} button.bubble").is_visible()
    finally:
        ctx.close()


def test_hostile_markup_shows_as_text_everywhere(context, xss_url, origins):
    chat = context.new_page()
    chat.goto(xss_url + "/")
    chat_ask(chat, XSS_QUESTION)
    chat.locator(f"{BOT} .tw-card summary").first.click()
    text = " ".join(chat.locator(BOT).all_inner_texts())
    assert XSS_SCRIPT in text and XSS_IMG in text
    assert injected(chat) == 0

    host = context.new_page()
    host.goto(f"{origins[0]}/xss.html")
    widget_ask(host, XSS_QUESTION)
    log = host.locator(f"{WIDGET} .log").inner_text()
    assert XSS_SCRIPT in log and XSS_IMG in log
    assert injected(host, f"document.querySelector('{WIDGET}').shadowRoot") == 0

    with context.expect_page() as opened:
        host.locator(f"{WIDGET} a.cite").first.click()
    source = opened.value
    source.wait_for_load_state()
    assert XSS_SCRIPT in source.locator(":target").inner_text()
    assert XSS_IMG in source.locator("body").inner_text()
    assert source.title() == f"Retention notes {XSS_SCRIPT}"
    assert injected(source) == 0
    assert context.dialogs == []
