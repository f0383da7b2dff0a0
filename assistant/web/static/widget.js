/* Treaty Assistant chat widget: a bubble that opens a small chat panel talking to
 * /api/ask/stream on the server this script comes from. Everything lives in a shadow root,
 * so no styles leak in or out; every string from the server is set with textContent.
 *
 * <script src="https://HOST/widget.js" data-title="Ask the treaty" data-position="bottom-right"
 *         data-theme="light" data-lang="en" data-greeting="..." data-suggestions="Q1|Q2" async></script>
 *
 * The bubble appears only once the server has answered this page's origin (CORS); on an
 * origin it does not allow the widget stays hidden and logs one console warning. The
 * conversation is kept per tab (sessionStorage) across page navigations until cleared.
 * Labels come in en, fr, es, ru, ar, zh (non-ASCII escaped: the file works whatever charset serves
 * it): data-lang's, or else each answer's labels in the answer's `lang` (Arabic right to left).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__treatyAssistantWidget) return;
  window.__treatyAssistantWidget = true;

  var STRINGS = {
    en: { open: "Open chat: ", close: "Close chat", closeTo: "Close chat: ", clear: "Clear", clearLabel: "Clear the conversation",
      question: "Your question", placeholder: "Ask about the Convention\u2026", send: "Send", stop: "Stop",
      stopLabel: "Stop the answer", stopped: "(stopped)", note: "Answers quote the documents; follow the numbered sources.",
      log: "Conversation", sources: "Sources", source: "Source ", suggested: "Suggested questions",
      up: "Helpful", down: "Not helpful", comment: "Comment (optional)", commentSend: "Send comment",
      thanks: "Thanks for your feedback.", copy: "Copy", copied: "Copied",
      tooMany: "Too many questions: wait {n} seconds and ask again.", unreachable: "The assistant cannot be reached: try again later.",
      failed: "The assistant answered with HTTP {n}." },
    fr: { open: "Ouvrir le chat : ", close: "Fermer le chat", closeTo: "Fermer le chat : ", clear: "Effacer",
      clearLabel: "Effacer la conversation", question: "Votre question", placeholder: "Posez une question sur la Convention\u2026",
      send: "Envoyer", stop: "Arr\u00eater", stopLabel: "Arr\u00eater la r\u00e9ponse", stopped: "(interrompu)",
      note: "Les r\u00e9ponses citent les documents ; suivez les sources num\u00e9rot\u00e9es.", log: "Conversation",
      sources: "Sources", source: "Source ", suggested: "Questions sugg\u00e9r\u00e9es", up: "Utile", down: "Pas utile",
      comment: "Commentaire (facultatif)", commentSend: "Envoyer le commentaire", thanks: "Merci pour votre avis.",
      copy: "Copier", copied: "Copi\u00e9", tooMany: "Trop de questions : attendez {n} secondes puis r\u00e9essayez.",
      unreachable: "L\u2019assistant est injoignable : r\u00e9essayez plus tard.", failed: "L\u2019assistant a r\u00e9pondu HTTP {n}." },
    es: { open: "Abrir el chat: ", close: "Cerrar el chat", closeTo: "Cerrar el chat: ", clear: "Borrar",
      clearLabel: "Borrar la conversaci\u00f3n", question: "Su pregunta", placeholder: "Pregunte sobre la Convenci\u00f3n\u2026",
      send: "Enviar", stop: "Detener", stopLabel: "Detener la respuesta", stopped: "(detenida)",
      note: "Las respuestas citan los documentos; siga las fuentes numeradas.", log: "Conversaci\u00f3n",
      sources: "Fuentes", source: "Fuente ", suggested: "Preguntas sugeridas", up: "\u00datil", down: "No es \u00fatil",
      comment: "Comentario (opcional)", commentSend: "Enviar comentario", thanks: "Gracias por su opini\u00f3n.",
      copy: "Copiar", copied: "Copiado", tooMany: "Demasiadas preguntas: espere {n} segundos y vuelva a preguntar.",
      unreachable: "No se puede contactar con el asistente: int\u00e9ntelo m\u00e1s tarde.", failed: "El asistente respondi\u00f3 HTTP {n}." },
    ru: { open: "\u041e\u0442\u043a\u0440\u044b\u0442\u044c \u0447\u0430\u0442: ",
      close: "\u0417\u0430\u043a\u0440\u044b\u0442\u044c \u0447\u0430\u0442",
      closeTo: "\u0417\u0430\u043a\u0440\u044b\u0442\u044c \u0447\u0430\u0442: ",
      clear: "\u041e\u0447\u0438\u0441\u0442\u0438\u0442\u044c",
      clearLabel: "\u041e\u0447\u0438\u0441\u0442\u0438\u0442\u044c \u0434\u0438\u0430\u043b\u043e\u0433",
      question: "\u0412\u0430\u0448 \u0432\u043e\u043f\u0440\u043e\u0441",
      placeholder: "\u0417\u0430\u0434\u0430\u0439\u0442\u0435 \u0432\u043e\u043f\u0440\u043e\u0441 \u043e \u041a\u043e\u043d\u0432\u0435\u043d\u0446\u0438\u0438\u2026",
      send: "\u041e\u0442\u043f\u0440\u0430\u0432\u0438\u0442\u044c",
      stop: "\u041e\u0441\u0442\u0430\u043d\u043e\u0432\u0438\u0442\u044c",
      stopLabel: "\u041e\u0441\u0442\u0430\u043d\u043e\u0432\u0438\u0442\u044c \u043e\u0442\u0432\u0435\u0442",
      stopped: "(\u043e\u0441\u0442\u0430\u043d\u043e\u0432\u043b\u0435\u043d\u043e)",
      note: "\u041e\u0442\u0432\u0435\u0442\u044b \u0446\u0438\u0442\u0438\u0440\u0443\u044e\u0442 \u0434\u043e\u043a\u0443\u043c\u0435\u043d\u0442\u044b; \u0441\u043c\u043e\u0442\u0440\u0438\u0442\u0435 \u043f\u0440\u043e\u043d\u0443\u043c\u0435\u0440\u043e\u0432\u0430\u043d\u043d\u044b\u0435 \u0438\u0441\u0442\u043e\u0447\u043d\u0438\u043a\u0438.",
      log: "\u0414\u0438\u0430\u043b\u043e\u0433", sources: "\u0418\u0441\u0442\u043e\u0447\u043d\u0438\u043a\u0438",
      source: "\u0418\u0441\u0442\u043e\u0447\u043d\u0438\u043a ",
      suggested: "\u041f\u0440\u0438\u043c\u0435\u0440\u044b \u0432\u043e\u043f\u0440\u043e\u0441\u043e\u0432",
      up: "\u041f\u043e\u043b\u0435\u0437\u043d\u043e",
      down: "\u0411\u0435\u0441\u043f\u043e\u043b\u0435\u0437\u043d\u043e",
      comment: "\u041a\u043e\u043c\u043c\u0435\u043d\u0442\u0430\u0440\u0438\u0439 (\u043d\u0435\u043e\u0431\u044f\u0437\u0430\u0442\u0435\u043b\u044c\u043d\u043e)",
      commentSend: "\u041e\u0442\u043f\u0440\u0430\u0432\u0438\u0442\u044c \u043a\u043e\u043c\u043c\u0435\u043d\u0442\u0430\u0440\u0438\u0439",
      thanks: "\u0421\u043f\u0430\u0441\u0438\u0431\u043e \u0437\u0430 \u043e\u0442\u0437\u044b\u0432.",
      copy: "\u041a\u043e\u043f\u0438\u0440\u043e\u0432\u0430\u0442\u044c",
      copied: "\u0421\u043a\u043e\u043f\u0438\u0440\u043e\u0432\u0430\u043d\u043e",
      tooMany: "\u0421\u043b\u0438\u0448\u043a\u043e\u043c \u043c\u043d\u043e\u0433\u043e \u0432\u043e\u043f\u0440\u043e\u0441\u043e\u0432: \u043f\u043e\u0434\u043e\u0436\u0434\u0438\u0442\u0435 {n} \u0441 \u0438 \u043f\u043e\u0432\u0442\u043e\u0440\u0438\u0442\u0435 \u043f\u043e\u043f\u044b\u0442\u043a\u0443.",
      unreachable: "\u0410\u0441\u0441\u0438\u0441\u0442\u0435\u043d\u0442 \u043d\u0435\u0434\u043e\u0441\u0442\u0443\u043f\u0435\u043d: \u043f\u043e\u0432\u0442\u043e\u0440\u0438\u0442\u0435 \u043f\u043e\u043f\u044b\u0442\u043a\u0443 \u043f\u043e\u0437\u0436\u0435.",
      failed: "\u0410\u0441\u0441\u0438\u0441\u0442\u0435\u043d\u0442 \u043e\u0442\u0432\u0435\u0442\u0438\u043b \u043a\u043e\u0434\u043e\u043c HTTP {n}." },
    ar: { open: "\u0641\u062a\u062d \u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0629: ",
      close: "\u0625\u063a\u0644\u0627\u0642 \u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0629",
      closeTo: "\u0625\u063a\u0644\u0627\u0642 \u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0629: ",
      clear: "\u0645\u0633\u062d", clearLabel: "\u0645\u0633\u062d \u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0629",
      question: "\u0633\u0624\u0627\u0644\u0643",
      placeholder: "\u0627\u0637\u0631\u062d \u0633\u0624\u0627\u0644\u0627\u064b \u0639\u0646 \u0627\u0644\u0627\u062a\u0641\u0627\u0642\u064a\u0629\u2026",
      send: "\u0625\u0631\u0633\u0627\u0644", stop: "\u0625\u064a\u0642\u0627\u0641",
      stopLabel: "\u0625\u064a\u0642\u0627\u0641 \u0627\u0644\u0625\u062c\u0627\u0628\u0629",
      stopped: "(\u0623\u064f\u0648\u0642\u0641\u062a)",
      note: "\u062a\u0642\u062a\u0628\u0633 \u0627\u0644\u0625\u062c\u0627\u0628\u0627\u062a \u0645\u0646 \u0627\u0644\u0648\u062b\u0627\u0626\u0642\u061b \u0631\u0627\u062c\u0639 \u0627\u0644\u0645\u0635\u0627\u062f\u0631 \u0627\u0644\u0645\u0631\u0642\u0651\u0645\u0629.",
      log: "\u0627\u0644\u0645\u062d\u0627\u062f\u062b\u0629", sources: "\u0627\u0644\u0645\u0635\u0627\u062f\u0631",
      source: "\u0627\u0644\u0645\u0635\u062f\u0631 ",
      suggested: "\u0623\u0633\u0626\u0644\u0629 \u0645\u0642\u062a\u0631\u062d\u0629",
      up: "\u0645\u0641\u064a\u062f\u0629", down: "\u063a\u064a\u0631 \u0645\u0641\u064a\u062f\u0629",
      comment: "\u062a\u0639\u0644\u064a\u0642 (\u0627\u062e\u062a\u064a\u0627\u0631\u064a)",
      commentSend: "\u0625\u0631\u0633\u0627\u0644 \u0627\u0644\u062a\u0639\u0644\u064a\u0642",
      thanks: "\u0634\u0643\u0631\u0627\u064b \u0639\u0644\u0649 \u0645\u0644\u0627\u062d\u0638\u0627\u062a\u0643.",
      copy: "\u0646\u0633\u062e", copied: "\u062a\u0645 \u0627\u0644\u0646\u0633\u062e",
      tooMany: "\u0639\u062f\u062f \u0627\u0644\u0623\u0633\u0626\u0644\u0629 \u0643\u0628\u064a\u0631 \u062c\u062f\u0627\u064b: \u0627\u0646\u062a\u0638\u0631 {n} \u062b\u0627\u0646\u064a\u0629 \u062b\u0645 \u0623\u0639\u062f \u0627\u0644\u0645\u062d\u0627\u0648\u0644\u0629.",
      unreachable: "\u062a\u0639\u0630\u0651\u0631 \u0627\u0644\u0648\u0635\u0648\u0644 \u0625\u0644\u0649 \u0627\u0644\u0645\u0633\u0627\u0639\u062f: \u0623\u0639\u062f \u0627\u0644\u0645\u062d\u0627\u0648\u0644\u0629 \u0644\u0627\u062d\u0642\u0627\u064b.",
      failed: "\u0623\u062c\u0627\u0628 \u0627\u0644\u0645\u0633\u0627\u0639\u062f \u0628\u0631\u0645\u0632 HTTP {n}." },
    zh: { open: "\u6253\u5f00\u5bf9\u8bdd\uff1a", close: "\u5173\u95ed\u5bf9\u8bdd",
      closeTo: "\u5173\u95ed\u5bf9\u8bdd\uff1a", clear: "\u6e05\u9664", clearLabel: "\u6e05\u9664\u5bf9\u8bdd",
      question: "\u60a8\u7684\u95ee\u9898", placeholder: "\u8bf7\u5c31\u516c\u7ea6\u63d0\u95ee\u2026\u2026",
      send: "\u53d1\u9001", stop: "\u505c\u6b62", stopLabel: "\u505c\u6b62\u56de\u7b54",
      stopped: "\uff08\u5df2\u505c\u6b62\uff09",
      note: "\u56de\u7b54\u5f15\u7528\u6587\u4ef6\u539f\u6587\uff1b\u8bf7\u67e5\u770b\u7f16\u53f7\u7684\u6765\u6e90\u3002",
      log: "\u5bf9\u8bdd", sources: "\u6765\u6e90", source: "\u6765\u6e90 ", suggested: "\u63a8\u8350\u95ee\u9898",
      up: "\u6709\u5e2e\u52a9", down: "\u6ca1\u6709\u5e2e\u52a9", comment: "\u8bc4\u8bba\uff08\u53ef\u9009\uff09",
      commentSend: "\u53d1\u9001\u8bc4\u8bba", thanks: "\u611f\u8c22\u60a8\u7684\u53cd\u9988\u3002",
      copy: "\u590d\u5236", copied: "\u5df2\u590d\u5236",
      tooMany: "\u63d0\u95ee\u8fc7\u4e8e\u9891\u7e41\uff1a\u8bf7\u7b49\u5f85{n}\u79d2\u540e\u91cd\u8bd5\u3002",
      unreachable: "\u65e0\u6cd5\u8fde\u63a5\u52a9\u624b\uff1a\u8bf7\u7a0d\u540e\u91cd\u8bd5\u3002",
      failed: "\u52a9\u624b\u8fd4\u56de\u4e86 HTTP {n}\u3002" }
  };

  function attr(name) { return (script.getAttribute("data-" + name) || "").trim(); }
  var base = new URL(".", script.src).href; // the server (and any path prefix) serving widget.js
  var fixedLang = attr("lang").toLowerCase().split("-")[0];
  var lang = STRINGS[fixedLang] ? fixedLang : "en";
  var T = STRINGS[lang];
  function dirOf(code) { return code === "ar" ? "rtl" : "ltr"; }
  var title = attr("title") || "Treaty Assistant";
  var position = /^(top|bottom)-(left|right)$/.test(attr("position")) ? attr("position") : "bottom-right";
  var theme = attr("theme") === "dark" ? "dark" : "light";
  var storeKey = "treaty-assistant-widget:" + base;
  var state = load() || { open: false, messages: [] }; // messages: {role: "me"|"bot"|"err", text, ...}
  var greeting = attr("greeting"), suggestions = attr("suggestions") ? attr("suggestions").split("|") : null;
  var controller = null;

  function load() { try { return JSON.parse(sessionStorage.getItem(storeKey)); } catch (e) { return null; } }
  function save() { try { sessionStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* storage off */ } }
  function api(path) { return new URL(path, base).href; }
  function fill(s, n) { return s.replace("{n}", n); }

  var CSS = [
    ":host{all:initial;position:fixed;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}",
    ":host(.bottom-right){right:20px;bottom:20px}:host(.bottom-left){left:20px;bottom:20px}",
    ":host(.top-right){right:20px;top:20px}:host(.top-left){left:20px;top:20px}",
    ".w{--bg:#fff;--fg:#1b1b1b;--muted:#555;--line:#c9c9c9;--accent:#0b5cad;--me:#e8f0fb;--bot:#f3f3f3;color:var(--fg)}",
    ".w.dark{--bg:#1e1f22;--fg:#ececec;--muted:#b4b4b4;--line:#4a4b4f;--accent:#8cbcf7;--me:#26384f;--bot:#2a2b2f}",
    "*{box-sizing:border-box}",
    ".bubble{width:56px;height:56px;border-radius:50%;border:0;background:var(--accent);color:#fff;cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center;padding:0}",
    ".w.dark .bubble,.w.dark .send{color:#111}.bubble svg{width:28px;height:28px;fill:currentColor}",
    "button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}",
    ".panel{position:absolute;width:min(380px,calc(100vw - 40px));height:min(580px,calc(100vh - 110px));",
    "background:var(--bg);border:1px solid var(--line);border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.28);",
    "display:flex;flex-direction:column;overflow:hidden}.panel[hidden]{display:none}",
    ":host(.bottom-right) .panel{right:0;bottom:68px}:host(.bottom-left) .panel{left:0;bottom:68px}",
    ":host(.top-right) .panel{right:0;top:68px}:host(.top-left) .panel{left:0;top:68px}",
    "header{display:flex;align-items:center;gap:4px;padding:8px 8px 8px 12px;border-bottom:1px solid var(--line)}",
    "h2{font-size:16px;margin:0;flex:1;font-weight:600;color:var(--fg)}",
    ".hbtn{background:none;border:0;color:var(--fg);cursor:pointer;padding:6px 8px;border-radius:6px;font:inherit;font-size:13px}",
    ".close{font-size:22px;line-height:1}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}",
    ".msg{padding:8px 10px;border-radius:10px;overflow-wrap:anywhere;max-width:92%}",
    ".text{white-space:pre-wrap}",
    ".me{background:var(--me);align-self:flex-end}.bot{background:var(--bot);align-self:flex-start}",
    ".err{background:none;border:1px solid #c0392b;color:var(--fg)}",
    "a{color:var(--accent)}ol{margin:8px 0 0;padding-left:0;list-style:none;font-size:13px}",
    "li{margin-top:6px}q{display:block;color:var(--muted);margin-top:2px}",
    ".chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}",
    ".chip{font:inherit;font-size:13px;text-align:left;padding:5px 10px;border-radius:14px;cursor:pointer;",
    "border:1px solid var(--accent);background:var(--bg);color:var(--fg)}",
    ".tools{display:flex;gap:4px;align-items:center;margin-top:6px;font-size:13px;color:var(--muted)}",
    ".tool{font:inherit;font-size:13px;background:none;border:1px solid var(--line);color:var(--fg);border-radius:6px;",
    "padding:2px 8px;cursor:pointer;min-height:28px}.tool[aria-pressed=true]{background:var(--accent);color:var(--bg)}",
    ".cform{display:flex;gap:6px;margin-top:6px}.cform textarea{min-height:32px}",
    "form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid var(--line)}",
    "textarea{flex:1;resize:none;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:8px}",
    ".send{background:var(--accent);color:#fff;border:0;border-radius:8px;padding:0 14px;font:inherit;cursor:pointer;min-width:64px}",
    ".send.stop{background:#a4262c;color:#fff}",
    ".note{margin:0;padding:0 12px 8px;font-size:12px;color:var(--muted)}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    ".phone .panel{position:fixed;left:0;top:0;right:auto;bottom:auto;width:var(--vw);height:var(--vh);border-radius:0;border:0}",
    ".phone .panel:not([hidden])+.bubble{display:none}"
  ].join("\n");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function sourceLink(c) {
    var anchor = c.chunk_id || (c.article ? "art-" + c.article : c.section || "");
    return api("api/sources/" + encodeURIComponent(c.doc_id)) + "#" + encodeURIComponent(anchor);
  }
  function sourceName(c) { var t = c.doc_short_title || c.doc_title || c.doc_id; return c.label ? c.label + ", " + t : t; }

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

  var wrap = el("div", { "class": "w " + theme, lang: lang, dir: dirOf(lang) });
  var bubble = el("button", { "class": "bubble", type: "button", "aria-expanded": "false",
    "aria-controls": "tw-panel", "aria-label": T.open + title });
  bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>'; // constant markup, no data
  var panel = el("section", { "class": "panel", id: "tw-panel", role: "dialog", "aria-labelledby": "tw-title" });
  panel.hidden = true;
  var header = el("header");
  header.appendChild(el("h2", { id: "tw-title" }, title));
  var clear = el("button", { "class": "hbtn clear", type: "button", "aria-label": T.clearLabel }, T.clear);
  var close = el("button", { "class": "hbtn close", type: "button", "aria-label": T.close }, "\u00d7");
  header.appendChild(clear); header.appendChild(close);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  var form = el("form");
  var label = el("label", { "class": "sr", "for": "tw-q" }, T.question);
  var input = el("textarea", { id: "tw-q", rows: "2", maxlength: "2000", placeholder: T.placeholder });
  var send = el("button", { "class": "send", type: "submit" }, T.send);
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  var note = el("p", { "class": "note" }, T.note);
  panel.appendChild(header); panel.appendChild(log); panel.appendChild(form); panel.appendChild(note);
  wrap.appendChild(panel); wrap.appendChild(bubble);
  root.appendChild(wrap);

  // Phones: a host page without a viewport meta is laid out ~980px wide and shown zoomed out;
  // zooming the widget by layout width / screen width keeps it at its normal size on the screen.
  function fit() {
    var phone = Math.min(screen.width, screen.height) <= 500 || window.innerWidth <= 480;
    var z = phone ? Math.max(1, window.innerWidth / screen.width) : 1;
    host.style.zoom = z > 1.05 ? String(z) : "";
    z = z > 1.05 ? z : 1;
    wrap.classList.toggle("phone", phone);
    wrap.style.setProperty("--vw", window.innerWidth / z + "px");
    wrap.style.setProperty("--vh", window.innerHeight / z + "px");
  }
  window.addEventListener("resize", fit);

  function setOpen(open) {
    panel.hidden = !open;
    state.open = open; save();
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", (open ? T.closeTo : T.open) + title);
    (open ? input : bubble).focus();
  }
  bubble.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  clear.addEventListener("click", function () {
    if (controller) controller.abort();
    state.messages = []; save(); renderAll(); input.focus();
  });
  wrap.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) setOpen(false); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });

  function scroll() { log.scrollTop = log.scrollHeight; }

  // The labels around answer m: data-lang's if set, else the answer's language (when one of ours).
  function labelsOf(m) { return (!fixedLang && m && STRINGS[m.lang]) || T; }

  function chips(box, questions, L) {
    var list = (questions || []).filter(function (q) { return q && q.trim(); }).slice(0, 4);
    if (!list.length) return;
    var group = el("div", { "class": "chips", role: "group", "aria-label": (L || T).suggested });
    list.forEach(function (q) {
      var chip = el("button", { "class": "chip", type: "button" }, q.trim());
      chip.addEventListener("click", function () { submit(q.trim()); });
      group.appendChild(chip);
    });
    box.appendChild(group);
  }

  // The answer text with each [n] turned into a link to citation n's paragraph (quote on hover).
  function renderAnswer(box, text, citations, L) {
    var byN = {};
    citations.forEach(function (c) { byN[c.n] = c; });
    box.textContent = "";
    text.split(/(\[\d+\])/).forEach(function (part) {
      var m = /^\[(\d+)\]$/.exec(part), c = m && byN[m[1]];
      if (c) {
        box.appendChild(el("a", { href: sourceLink(c), target: "_blank", rel: "noopener noreferrer", title: c.quote || "",
          "aria-label": L.source + m[1] + ": " + sourceName(c) }, part));
      } else {
        box.appendChild(document.createTextNode(part));
      }
    });
  }

  function renderCitations(msg, citations, L, quoted) {
    if (!citations.length) return;
    var list = el("ol", { "class": "cites", "aria-label": L.sources });
    citations.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("a", { href: sourceLink(c), target: "_blank", rel: "noopener noreferrer", "class": "cite" },
        "[" + c.n + "] " + c.label + " \u2014 " + (c.doc_short_title || c.doc_title)));
      var q = c.quote || "";
      li.appendChild(el("q", quoted || {}, q.length > 220 ? q.slice(0, 220) + "\u2026" : q));
      list.appendChild(li);
    });
    msg.appendChild(list);
  }

  function copyText(m) {
    return m.text.trim() + (m.citations.length ? "\n\n" + m.citations.map(function (c) {
      return "[" + c.n + "] " + sourceName(c);
    }).join("\n") : "");
  }

  function rate(m, rating, comment) {
    return fetch(api("api/feedback"), { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer_id: m.id, rating: rating, comment: comment || "", question: m.question,
        history: m.history, answer: { answer: m.text, citations: m.citations, refused: !!m.refused,
          corpus_version: m.corpus_version || "", generator: m.generator || "" } }) });
  }

  function tools(box, m, L) {
    var bar = el("div", { "class": "tools" });
    var copy = el("button", { "class": "tool copy", type: "button" }, L.copy);
    copy.addEventListener("click", function () {
      if (!navigator.clipboard) return; // a host page that is not https: nothing to write to
      navigator.clipboard.writeText(copyText(m)).then(function () { copy.textContent = L.copied; });
    });
    bar.appendChild(copy);
    [["up", "\ud83d\udc4d", L.up], ["down", "\ud83d\udc4e", L.down]].forEach(function (r) {
      var b = el("button", { "class": "tool rate " + r[0], type: "button", "aria-label": r[2],
        "aria-pressed": String(m.rating === r[0]) }, r[1]);
      b.addEventListener("click", function () {
        m.rating = m.rating === r[0] ? null : r[0]; save();
        rate(m, m.rating || "none", m.comment).catch(function () { /* shown as not pressed on reload */ });
        bar.querySelectorAll(".rate").forEach(function (x) {
          x.setAttribute("aria-pressed", String(x.classList.contains(m.rating)));
        });
        if (m.rating && !box.querySelector(".cform")) commentForm(box, m, L);
      });
      bar.appendChild(b);
    });
    box.appendChild(bar);
  }

  function commentForm(box, m, L) {
    var f = el("form", { "class": "cform" });
    var ta = el("textarea", { rows: "1", maxlength: "2000", "aria-label": L.comment, placeholder: L.comment });
    f.appendChild(ta); f.appendChild(el("button", { "class": "tool", type: "submit" }, L.commentSend));
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      m.comment = ta.value.trim(); save();
      rate(m, m.rating || "none", m.comment).then(function (res) {
        if (res.ok) f.replaceWith(el("p", { "class": "note thanks" }, L.thanks));
      });
    });
    box.appendChild(f);
  }

  function renderMessage(m) {
    var box = el("div", { "class": "msg " + m.role });
    var text = el("div", { "class": "text" });
    box.appendChild(text);
    if (m.role === "bot") {
      var L = labelsOf(m), other = STRINGS[m.lang] && m.lang !== lang;
      if (other) { box.setAttribute("lang", m.lang); box.setAttribute("dir", dirOf(m.lang)); }
      renderAnswer(text, m.text + (m.stopped ? " " + L.stopped : ""), m.citations || [], L);
      // the quotes are the documents' English, whatever the answer's language
      renderCitations(box, m.citations || [], L, other && m.lang !== "en" ? { lang: "en", dir: "ltr" } : null);
      if (!m.stopped) { tools(box, m, L); chips(box, m.suggestions, L); }
    } else {
      text.textContent = m.text;
      text.setAttribute("dir", "auto"); // a question in Arabic reads right to left in any widget
      if (m.role === "err") box.setAttribute("role", "alert");
    }
    log.appendChild(box);
    return box;
  }

  function renderAll() {
    log.textContent = "";
    if (!state.messages.length) {
      var hello = el("div", { "class": "msg bot greeting" });
      hello.appendChild(el("div", { "class": "text" }, greeting));
      chips(hello, suggestions);
      log.appendChild(hello);
    }
    state.messages.forEach(renderMessage);
    scroll();
  }

  function conversation() { // [{role, content}] for follow-ups: answered exchanges only
    var turns = [];
    state.messages.forEach(function (m, i) {
      var next = state.messages[i + 1];
      if (m.role === "me" && next && next.role === "bot" && !next.stopped) {
        turns.push({ role: "user", content: m.text }, { role: "assistant", content: next.text });
      }
    });
    return turns.slice(-20);
  }

  async function errorFrom(res) {
    var message = fill(T.failed, res.status);
    try { message = (await res.json()).error || message; } catch (e) { /* not JSON */ }
    if (res.status === 429) message = fill(T.tooMany, res.headers.get("Retry-After") || "60");
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

  function busy(on) {
    send.classList.toggle("stop", on);
    send.textContent = on ? T.stop : T.send;
    if (on) send.setAttribute("aria-label", T.stopLabel); else send.removeAttribute("aria-label");
  }

  async function submit(question) {
    if (controller) return;
    var history = conversation();
    state.messages.push({ role: "me", text: question }); save();
    renderAll();
    var box = el("div", { "class": "msg bot", "aria-busy": "true" });
    var textBox = el("div", { "class": "text" }, "\u2026");
    box.appendChild(textBox); log.appendChild(box); scroll();
    var m = { role: "bot", id: "w" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10),
      text: "", citations: [], question: question, history: history };
    controller = new AbortController();
    busy(true);
    try {
      var res;
      try {
        res = await fetch(api("api/ask/stream"), { method: "POST", signal: controller.signal,
          headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
          body: JSON.stringify({ question: question, history: history }) });
      } catch (e) {
        if (e.name === "AbortError") throw e;
        throw new Error(T.unreachable);
      }
      if (!res.ok) throw new Error(await errorFrom(res));
      await readEvents(res, function (name, data) {
        if (name === "delta") { m.text += data.text; textBox.textContent = m.text; scroll(); }
        else if (name === "citations") m.citations = data.citations || [];
        else if (name === "done") {
          var a = data.answer;
          m.text = a.answer; m.refused = a.refused; m.corpus_version = a.corpus_version;
          m.generator = a.generator; m.suggestions = a.suggestions || []; m.lang = a.lang;
        } else if (name === "error") throw new Error(data.error);
      });
      state.messages.push(m);
    } catch (e) {
      if (e.name === "AbortError") { m.stopped = true; state.messages.push(m); }
      else state.messages.push({ role: "err", text: e.message || String(e) });
    } finally {
      controller = null;
      busy(false);
      save(); renderAll();
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (controller) { controller.abort(); return; } // the button is Stop while an answer streams
    var question = input.value.trim();
    if (!question) return;
    input.value = "";
    submit(question).then(function () { input.focus(); });
  });

  function mount(defaults) {
    greeting = greeting || defaults.greeting || "";
    suggestions = suggestions || defaults.suggestions || [];
    fit();
    renderAll(); // the conversation and open panel restored from sessionStorage (state) before the host is in the page
    if (state.open) { panel.hidden = false; bubble.setAttribute("aria-expanded", "true");
      bubble.setAttribute("aria-label", T.closeTo + title); }
    document.body.appendChild(host);
  }

  // One CORS request decides: allowed origins get the bubble, others one console warning.
  fetch(api("api/examples"), { cache: "no-store" }).then(function (res) {
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  }).then(function (defaults) {
    if (document.body) mount(defaults); else document.addEventListener("DOMContentLoaded", function () { mount(defaults); });
  }, function () {
    // a script fetch needs no CORS grant: if it works, the server is up and refused this origin
    fetch(api("widget.js"), { mode: "no-cors", cache: "no-store" }).then(function () {
      console.warn("Treaty Assistant widget hidden: " + location.origin + " is not allowed by " + base +
        ". The site owner must add it to TREATY_ALLOWED_ORIGINS on the assistant's server.");
    }, function () {
      console.warn("Treaty Assistant widget hidden: the assistant at " + base + " cannot be reached.");
    });
  });
})();
