"""The widget on second-origin host pages in real headless Chromium: phones whatever the host's
viewport, hidden with one console warning on a refused origin, greeting and suggestions,
a stop that ends the LLM stream server-side, per-tab memory across pages and its clear
button, `data-lang`, ratings, and axe-core.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_support import AXE_CONTEXT, WIDGET, PacedLLM, axe_violations, box
from .web_fixtures import browser, get_json, serve_app, serve_folder, web_container  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.browser]
QUESTION = "What does Article 25 say?"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host {name}</title>{meta}</head>
<body><main><h1>Host page {name}</h1><p><a href="{other}">Another page</a></p></main>
<script src="{app}/widget.js" {attrs} async></script></body></html>"""
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.fixture(scope="module")
def origins(tmp_path_factory):
    folder = tmp_path_factory.mktemp("widget-hosts")
    with serve_folder(folder) as allowed, serve_folder(folder) as refused:
        yield allowed, refused, folder


def host_page(folder, name: str, app: str, attrs: str = "", meta: str = VIEWPORT, other: str = "two.html") -> str:
    (folder / f"{name}.html").write_text(PAGE.format(name=name, app=app, attrs=attrs, meta=meta, other=other))
    return f"{name}.html"


@pytest.fixture(scope="module")
def app_url(settings, embedder, origins, tmp_path_factory):
    from assistant.web import build_app

    db = tmp_path_factory.mktemp("widget-feedback") / "feedback.sqlite"
    container = web_container(settings, embedder, allowed_origins=origins[0], rate_limit="1000/minute", feedback_db=db)
    with serve_app(build_app(container)) as url:
        for name in ("one", "two"):
            host_page(origins[2], name, url, other="one.html" if name == "two" else "two.html")
        host_page(origins[2], "nometa", url, meta="")
        host_page(origins[2], "custom", url, 'data-greeting="Welcome, delegates." '
                  'data-suggestions="What is Article 2?|Who can sign?|What is Article 25?|Where is the secretariat?|Fifth"')
        host_page(origins[2], "fr", url, 'data-lang="fr" data-title="Assistant"')
        host_page(origins[2], "ar", url, 'data-lang="ar" data-title="Assistant"')
        url_db = (url, db)
        yield url_db


def shadow(page, selector: str):
    return page.locator(f"{WIDGET} {selector}")


def open_widget(page, url: str):
    page.goto(url)
    shadow(page, "button.bubble").click()
    page.wait_for_function(f"() => document.querySelector('{WIDGET}').shadowRoot.querySelector('.panel:not([hidden])')")


def ask(page, question: str) -> None:
    before = shadow(page, ".msg.bot .tools, .msg.err").count()
    shadow(page, "textarea#tw-q").fill(question)
    shadow(page, "textarea#tw-q").press("Enter")
    page.wait_for_function(
        f"n => document.querySelector('{WIDGET}').shadowRoot.querySelectorAll('.msg.bot .tools, .msg.err').length > n",
        arg=before, timeout=60000)


def test_greeting_and_suggestions_default_to_the_servers_and_chips_ask(browser, app_url, origins):  # noqa: F811
    url, _ = app_url
    defaults = get_json(f"{url}/api/examples")
    page = browser.new_page()
    open_widget(page, f"{origins[0]}/one.html")
    assert shadow(page, ".greeting .text").inner_text() == defaults["greeting"]
    assert shadow(page, ".greeting .chip").all_inner_texts() == defaults["suggestions"][:4]
    shadow(page, ".greeting .chip").first.click()
    page.wait_for_function(f"() => document.querySelector('{WIDGET}').shadowRoot.querySelector('.msg.bot .tools')")
    assert shadow(page, ".msg.me").inner_text() == defaults["suggestions"][0]
    assert shadow(page, ".greeting").count() == 0 and shadow(page, "a.cite").count() >= 1
    page.goto(f"{origins[0]}/custom.html")
    shadow(page, "button.clear").click()
    assert shadow(page, ".greeting .text").inner_text() == "Welcome, delegates."
    assert shadow(page, ".greeting .chip").all_inner_texts() == [
        "What is Article 2?", "Who can sign?", "What is Article 25?", "Where is the secretariat?"]
    page.close()


def test_conversation_survives_navigation_until_cleared(browser, app_url, origins):  # noqa: F811
    ctx = browser.new_context()
    page = ctx.new_page()
    open_widget(page, f"{origins[0]}/one.html")
    ask(page, QUESTION)
    answer = shadow(page, ".msg.bot .text").last.inner_text()
    page.click("text=Another page")  # a real navigation to another page of the site
    page.wait_for_url("**/two.html")  # the widget shows up once its async script and CORS check are done: wait
    expect(shadow(page, ".panel")).to_be_visible(timeout=15000)  # the panel was open: it still is
    expect(shadow(page, ".msg.me")).to_have_text([QUESTION], use_inner_text=True)
    expect(shadow(page, ".msg.bot .text").last).to_have_text(answer, use_inner_text=True)
    expect(shadow(page, ".msg.bot a").first).to_have_attribute(
        "href", re.compile("^" + re.escape(f"{app_url[0]}/api/sources/")))
    ask(page, "And paragraph 2?")  # the restored conversation is the follow-up's history
    assert "Art. 25(2)" in shadow(page, ".msg.bot").last.locator(".cites").inner_text()
    shadow(page, "button.clear").click()
    assert shadow(page, ".msg.me").count() == 0 and shadow(page, ".greeting").count() == 1
    page.reload()
    expect(shadow(page, ".greeting")).to_have_count(1)  # rendered (so the next check is not vacuous)
    assert shadow(page, ".msg.me").count() == 0
    other_tab = ctx.new_page()  # sessionStorage is per tab
    other_tab.goto(f"{origins[0]}/one.html")
    shadow(other_tab, "button.bubble").wait_for()
    assert shadow(other_tab, ".panel").is_hidden()
    ctx.close()


def test_refused_origin_hides_the_widget_with_one_console_warning(browser, app_url, origins):  # noqa: F811
    page = browser.new_page()
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    with page.expect_console_message(lambda m: m.type == "warning", timeout=15000):
        page.goto(f"{origins[1]}/one.html")
    page.wait_for_timeout(1000)
    assert [w for w in warnings if "Treaty Assistant" in w] == [
        f"Treaty Assistant widget hidden: {origins[1]} is not allowed by {app_url[0]}/. "
        "The site owner must add it to TREATY_ALLOWED_ORIGINS on the assistant's server."]
    assert page.locator(WIDGET).count() == 0
    page.close()


def test_phone_without_a_viewport_meta_gets_a_full_size_widget(browser, app_url, origins, tmp_path):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{origins[0]}/nometa.html")
    bubble = shadow(page, "button.bubble")
    bubble.wait_for()
    scale = page.evaluate("() => screen.width / window.innerWidth")  # screen px per CSS px
    assert scale < 0.6  # the host page really is laid out wide and zoomed out
    assert box(bubble)["width"] * scale >= 50  # 56 px on the screen, as with a viewport meta
    bubble.tap()
    panel = box(shadow(page, ".panel"))
    inner = page.evaluate("() => [window.innerWidth, window.innerHeight]")
    assert (round(panel["x"]), round(panel["y"])) == (0, 0)
    assert abs(panel["width"] - inner[0]) <= 2 and abs(panel["height"] - inner[1]) <= 2
    font = shadow(page, "textarea#tw-q").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize) * (e.currentCSSZoom || 1)")
    assert font * scale >= 14  # legible on the screen
    page.screenshot(path=str(tmp_path / "widget-phone.png"))
    ctx.close()


def test_stop_ends_the_answer_and_the_llm_stream_on_the_server(browser, settings, embedder, origins):  # noqa: F811
    from assistant.web import build_app

    with PacedLLM(delay=0.5) as llm:
        container = web_container(settings, embedder, allowed_origins=origins[0], generator="openai",
                                  llm_base_url=llm.url, rate_limit="1000/minute")
        with serve_app(build_app(container)) as url:
            page = browser.new_page()
            open_widget(page, f"{origins[0]}/{host_page(origins[2], 'stop', url)}")
            shadow(page, "textarea#tw-q").fill(QUESTION)
            shadow(page, "textarea#tw-q").press("Enter")
            send = shadow(page, "button.send")
            assert send.inner_text() == "Stop" and send.get_attribute("aria-label") == "Stop the answer"
            for _ in range(200):  # until the server is reading the LLM's stream
                if llm.requests:
                    break
                page.wait_for_timeout(100)
            page.wait_for_timeout(1000)
            assert not llm.hung_up.is_set()
            send.click()
            assert shadow(page, ".msg.bot .text").last.inner_text().endswith("(stopped)")
            assert send.inner_text() == "Send"
            assert llm.hung_up.wait(20), "the server kept reading the LLM stream after the stop"
            llm.delay = 0.0
            ask(page, QUESTION)  # the widget is usable again
            assert shadow(page, ".msg.bot").last.locator("a.cite").count() >= 1
            page.close()


def test_data_lang_sets_the_interface_strings(browser, app_url, origins):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{origins[0]}/fr.html")
    assert shadow(page, "button.bubble").get_attribute("aria-label") == "Ouvrir le chat : Assistant"
    shadow(page, "button.bubble").click()
    assert shadow(page, "textarea#tw-q").get_attribute("placeholder") == "Posez une question sur la Convention…"
    assert shadow(page, "button.send").inner_text() == "Envoyer"
    assert shadow(page, "button.clear").inner_text() == "Effacer"
    assert shadow(page, ".w").get_attribute("lang") == "fr"
    page.close()


def test_answers_carry_their_languages_labels_and_direction(browser, app_url, origins):  # noqa: F811
    """No data-lang: an Arabic question's answer renders right to left with Arabic labels (the
    quotes marked English), a Chinese one gets Chinese labels; the widget's own labels stay English."""
    page = browser.new_page()
    open_widget(page, f"{origins[0]}/one.html")
    shadow(page, "button.clear").click()
    ask(page, "ماذا تنص المادة ٤٧؟")
    bot = shadow(page, ".msg.bot").last
    assert (bot.get_attribute("lang"), bot.get_attribute("dir")) == ("ar", "rtl")
    assert bot.evaluate("b => getComputedStyle(b).direction") == "rtl"
    assert bot.locator(".text").evaluate("t => getComputedStyle(t).direction") == "rtl"
    assert bot.locator(".text").inner_text().startswith("الوثائق باللغة الإنجليزية")  # the lead line, then quotes
    assert bot.locator("button.copy").inner_text() == "نسخ"
    assert bot.locator("ol.cites").get_attribute("aria-label") == "المصادر"
    assert bot.locator("button.rate.up").get_attribute("aria-label") == "مفيدة"
    assert bot.locator("a.cite").first.inner_text().startswith("[1] Art. 47")
    quote = bot.locator("ol.cites q").first
    assert (quote.get_attribute("lang"), quote.evaluate("q => getComputedStyle(q).direction")) == ("en", "ltr")
    assert shadow(page, ".msg.me .text").last.evaluate("t => getComputedStyle(t).direction") == "rtl"  # dir=auto
    ask(page, "第六十三条规定了什么？")
    bot = shadow(page, ".msg.bot").last
    assert (bot.get_attribute("lang"), bot.get_attribute("dir")) == ("zh", "ltr")
    assert bot.locator("button.copy").inner_text() == "复制"
    assert bot.locator("ol.cites").get_attribute("aria-label") == "来源"
    assert bot.locator("button.rate.down").get_attribute("aria-label") == "没有帮助"
    assert shadow(page, "button.send").inner_text() == "Send" and shadow(page, ".w").get_attribute("lang") == "en"
    first = shadow(page, ".msg.bot").first  # the earlier answer keeps its own language after re-rendering
    assert (first.get_attribute("dir"), first.locator("button.copy").inner_text()) == ("rtl", "نسخ")
    page.goto(f"{origins[0]}/ar.html")  # data-lang="ar": the whole widget right to left
    shadow(page, "button.bubble").wait_for()
    assert shadow(page, ".w").evaluate("w => [w.lang, w.dir, getComputedStyle(w).direction]") == ["ar", "rtl", "rtl"]
    assert shadow(page, "button.bubble").get_attribute("aria-label") == "إغلاق المحادثة: Assistant"  # still open
    page.close()


def test_thumbs_down_and_comment_are_stored(browser, app_url, origins):  # noqa: F811
    from assistant.feedback import FeedbackStore

    url, db = app_url
    page = browser.new_page()
    open_widget(page, f"{origins[0]}/one.html")
    shadow(page, "button.clear").click()
    ask(page, QUESTION)
    answer = shadow(page, ".msg.bot .text").last.inner_text()
    shadow(page, "button.rate.down").last.click()
    assert shadow(page, "button.rate.down").last.get_attribute("aria-pressed") == "true"
    shadow(page, ".cform textarea").fill("Too long.")
    shadow(page, ".cform button").click()
    shadow(page, ".thanks").wait_for()
    entries = [e for e in FeedbackStore(db).entries() if e.comment == "Too long."]
    assert [(e.rating, e.question, e.channel, e.answer) for e in entries] == [("down", QUESTION, "widget", answer)]
    assert entries[0].citations and entries[0].corpus_version
    page.close()


def test_widget_passes_axe_open_with_an_answer(browser, app_url):  # noqa: F811
    page = browser.new_page(**AXE_CONTEXT)
    open_widget(page, f"{app_url[0]}/widget-demo")
    assert axe_violations(page) == []
    ask(page, QUESTION)
    assert axe_violations(page) == []
    page.close()
