/* Treaty Assistant chat widget: a bubble that opens a small chat panel talking to
 * /api/ask/stream on the server this script comes from. Everything lives in a shadow root,
 * so no styles leak in or out; every string from the server is set with textContent.
 *
 * <script src="https://HOST/widget.js" data-title="Ask the treaty" data-position="bottom-right"
 *         data-theme="light" async></script>
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__treatyAssistantWidget) return;
  window.__treatyAssistantWidget = true;

  var base = new URL(".", script.src).href; // the server (and any path prefix) serving widget.js
  var title = script.getAttribute("data-title") || "Treaty Assistant";
  var position = /^(top|bottom)-(left|right)$/.test(script.getAttribute("data-position") || "")
    ? script.getAttribute("data-position") : "bottom-right";
  var theme = script.getAttribute("data-theme") === "dark" ? "dark" : "light";
  var history = []; // [{role, content}] sent with each question for follow-ups

  var CSS = [
    ":host{all:initial;position:fixed;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}",
    ":host(.bottom-right){right:20px;bottom:20px}:host(.bottom-left){left:20px;bottom:20px}",
    ":host(.top-right){right:20px;top:20px}:host(.top-left){left:20px;top:20px}",
    ".w{--bg:#fff;--fg:#1b1b1b;--muted:#5a5a5a;--line:#d6d6d6;--accent:#0b5cad;--me:#e8f0fb;--bot:#f4f4f4;color:var(--fg)}",
    ".w.dark{--bg:#1e1f22;--fg:#ececec;--muted:#a9a9a9;--line:#3a3b3f;--accent:#7db3f5;--me:#26384f;--bot:#2a2b2f}",
    "*{box-sizing:border-box}",
    ".bubble{width:56px;height:56px;border-radius:50%;border:0;background:var(--accent);color:#fff;cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center;padding:0}",
    ".w.dark .bubble{color:#111}",
    ".bubble svg{width:28px;height:28px;fill:currentColor}",
    "button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}",
    ".panel{position:absolute;width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 110px));",
    "background:var(--bg);border:1px solid var(--line);border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.28);",
    "display:flex;flex-direction:column;overflow:hidden}",
    ".panel[hidden]{display:none}",
    ":host(.bottom-right) .panel{right:0;bottom:68px}:host(.bottom-left) .panel{left:0;bottom:68px}",
    ":host(.top-right) .panel{right:0;top:68px}:host(.top-left) .panel{left:0;top:68px}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;border-bottom:1px solid var(--line)}",
    "h2{font-size:16px;margin:0;flex:1;font-weight:600}",
    ".close{background:none;border:0;color:var(--fg);font-size:22px;line-height:1;cursor:pointer;padding:4px 8px;border-radius:6px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}",
    ".msg{padding:8px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere;max-width:92%}",
    ".me{background:var(--me);align-self:flex-end}.bot{background:var(--bot);align-self:flex-start}",
    ".err{background:none;border:1px solid #c0392b;color:var(--fg)}",
    "a{color:var(--accent)}ol{margin:8px 0 0;padding-left:0;list-style:none;font-size:13px}",
    "li{margin-top:6px}q{display:block;color:var(--muted);margin-top:2px}",
    "form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid var(--line)}",
    "textarea{flex:1;resize:none;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:8px}",
    ".send{background:var(--accent);color:#fff;border:0;border-radius:8px;padding:0 14px;font:inherit;cursor:pointer}",
    ".w.dark .send{color:#111}.send:disabled{opacity:.5;cursor:default}",
    ".note{margin:0;padding:0 12px 8px;font-size:12px;color:var(--muted)}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.panel{position:fixed;inset:0!important;width:auto;height:auto;border-radius:0;border:0}",
    ".panel:not([hidden])+.bubble{display:none}}"
  ].join("\n");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function api(path) { return new URL(path, base).href; }

  function sourceLink(c) {
    var anchor = c.chunk_id || (c.article ? "art-" + c.article : c.section || "");
    return api("api/sources/" + encodeURIComponent(c.doc_id)) + "#" + encodeURIComponent(anchor);
  }

  var host = document.createElement("treaty-assistant-widget");
  host.className = position;
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
    var sheet = new CSSStyleSheet(); // not subject to the host page's style-src CSP
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.appendChild(el("style", {}, CSS));
  }

  var wrap = el("div", { "class": "w " + theme });
  var bubble = el("button", { "class": "bubble", type: "button", "aria-expanded": "false",
    "aria-controls": "tw-panel", "aria-label": "Open chat: " + title });
  bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>'; // constant markup, no data
  var panel = el("section", { "class": "panel", id: "tw-panel", role: "dialog", "aria-labelledby": "tw-title" });
  panel.hidden = true;
  var header = el("header");
  header.appendChild(el("h2", { id: "tw-title" }, title));
  var close = el("button", { "class": "close", type: "button", "aria-label": "Close chat" }, "\u00d7");
  header.appendChild(close);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var form = el("form");
  var label = el("label", { "class": "sr", "for": "tw-q" }, "Your question");
  var input = el("textarea", { id: "tw-q", rows: "2", maxlength: "2000", placeholder: "Ask about the Convention\u2026" });
  var send = el("button", { "class": "send", type: "submit" }, "Send");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  var note = el("p", { "class": "note" }, "Answers quote the documents; follow the numbered sources.");
  panel.appendChild(header); panel.appendChild(log); panel.appendChild(form); panel.appendChild(note);
  wrap.appendChild(panel); wrap.appendChild(bubble);
  root.appendChild(wrap);

  function setOpen(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", (open ? "Close chat: " : "Open chat: ") + title);
    (open ? input : bubble).focus();
  }
  bubble.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  wrap.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) setOpen(false); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });

  function addMessage(cls, text) {
    var m = el("div", { "class": "msg " + cls }, text);
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
    return m;
  }

  // The answer text with each [n] turned into a link to citation n's source.
  function renderAnswer(box, text, citations) {
    var byN = {};
    citations.forEach(function (c) { byN[c.n] = c; });
    box.textContent = "";
    text.split(/(\[\d+\])/).forEach(function (part) {
      var m = /^\[(\d+)\]$/.exec(part);
      if (m && byN[m[1]]) {
        box.appendChild(el("a", { href: sourceLink(byN[m[1]]), target: "_blank", rel: "noopener noreferrer",
          "aria-label": "Source " + m[1] + ": " + byN[m[1]].label }, part));
      } else {
        box.appendChild(document.createTextNode(part));
      }
    });
  }

  function renderCitations(msg, citations) {
    if (!citations.length) return;
    var list = el("ol", { "class": "cites", "aria-label": "Sources" });
    citations.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("a", { href: sourceLink(c), target: "_blank", rel: "noopener noreferrer", "class": "cite" },
        "[" + c.n + "] " + c.label + " \u2014 " + (c.doc_short_title || c.doc_title)));
      var q = c.quote || "";
      li.appendChild(el("q", {}, q.length > 220 ? q.slice(0, 220) + "\u2026" : q));
      list.appendChild(li);
    });
    msg.appendChild(list);
  }

  async function failureMessage() {
    try { // a script fetch needs no CORS grant: if it works the server is up and refused this origin
      await fetch(api("widget.js"), { mode: "no-cors", cache: "no-store" });
      return "This website (" + location.origin + ") is not allowed to use this assistant. " +
        "The site owner must add it to TREATY_ALLOWED_ORIGINS on the assistant's server.";
    } catch (e) {
      return "The assistant at " + base + " cannot be reached. Try again later.";
    }
  }

  async function errorFrom(res) {
    var message = "The assistant answered with HTTP " + res.status + ".";
    try { message = (await res.json()).error || message; } catch (e) { /* not JSON */ }
    if (res.status === 429) {
      var wait = res.headers.get("Retry-After");
      message = "Too many questions: wait " + (wait || "a few") + " seconds and ask again.";
    }
    return message;
  }

  // Parse a server-sent-events body; calls onEvent(name, data) per event.
  async function readEvents(res, onEvent) {
    var reader = res.body.getReader(), decoder = new TextDecoder(), buf = "", m;
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      while ((m = /\r\n\r\n|\n\n|\r\r/.exec(buf))) {
        var block = buf.slice(0, m.index), name = "message", data = [];
        buf = buf.slice(m.index + m[0].length);
        block.split(/\r\n|\r|\n/).forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  async function ask(question) {
    addMessage("me", question);
    var msg = addMessage("bot", "");
    var box = el("div", { "class": "text" }, "\u2026");
    msg.appendChild(box);
    msg.setAttribute("aria-busy", "true");
    var text = "", citations = [], res;
    try {
      try {
        res = await fetch(api("api/ask/stream"), {
          method: "POST", headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
          body: JSON.stringify({ question: question, history: history.slice(-20) })
        });
      } catch (e) {
        throw new Error(await failureMessage());
      }
      if (!res.ok) throw new Error(await errorFrom(res));
      await readEvents(res, function (name, data) {
        if (name === "delta") { text += data.text; box.textContent = text; log.scrollTop = log.scrollHeight; }
        else if (name === "citations") citations = data.citations || [];
        else if (name === "done") text = data.answer.answer;
        else if (name === "error") throw new Error(data.error);
      });
      renderAnswer(box, text, citations);
      renderCitations(msg, citations);
      history.push({ role: "user", content: question }, { role: "assistant", content: text });
    } catch (e) {
      msg.className = "msg bot err";
      box.textContent = e.message || String(e);
      msg.setAttribute("role", "alert");
    } finally {
      msg.removeAttribute("aria-busy");
      log.scrollTop = log.scrollHeight;
    }
  }

  form.addEventListener("submit", async function (e) {
    e.preventDefault();
    var question = input.value.trim();
    if (!question || send.disabled) return;
    input.value = "";
    send.disabled = true;
    try { await ask(question); } finally { send.disabled = false; input.focus(); }
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
