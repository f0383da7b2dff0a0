/* Treaty Assistant chat page behaviour (loaded by Gradio's head; no inline script anywhere):
 * the copy button copies plain text with the sources listed; [n] links preview their quote
 * (hover or focus; on touch screens the first tap previews, the second opens the paragraph);
 * suggestion chips ask their question. Works on messages added later (event delegation). */
(function () {
  "use strict";
  var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  var tipCount = 0;

  function closeTips(except) {
    document.querySelectorAll("a.tw-cite.tw-open").forEach(function (a) {
      if (a !== except) { a.classList.remove("tw-open"); a.setAttribute("aria-expanded", "false"); }
    });
  }

  function linkTips(root) { // the sanitizer drops aria-describedby: add it back here
    root.querySelectorAll("a.tw-cite:not([aria-describedby])").forEach(function (a) {
      var tip = a.nextElementSibling;
      if (tip && tip.classList.contains("tw-tip")) {
        tip.id = tip.id || "tw-tip-" + (++tipCount);
        a.setAttribute("aria-describedby", tip.id);
      }
    });
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "tw-plain";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  }

  function ask(question) {
    var box = document.querySelector("#tw-input textarea");
    if (!box) return;
    box.value = question;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () {
      var submit = document.querySelector('#tw-input [data-testid="submit-button"]') ||
        document.querySelector("#tw-input button");
      if (submit) submit.click();
    }, 50);
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    var cite = t.closest && t.closest("a.tw-cite");
    if (cite && touch && !cite.classList.contains("tw-open")) {
      e.preventDefault(); // first tap: preview; the next tap follows the link
      closeTips(cite);
      cite.classList.add("tw-open");
      cite.setAttribute("aria-expanded", "true");
      return;
    }
    if (!cite) closeTips(null);
    var btn = t.closest && t.closest(".tw-copy");
    if (btn) {
      var answer = btn.closest(".tw-answer");
      var text = answer && answer.querySelector(".tw-copytext");
      copy(text ? text.textContent : "").then(function () {
        btn.textContent = "Copied";
        setTimeout(function () { btn.textContent = "Copy"; }, 2000);
      }, function () { btn.textContent = "Copy failed: select the text instead"; });
      return;
    }
    var chip = t.closest && t.closest(".tw-chip");
    if (chip) ask(chip.textContent);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeTips(null); });

  function fixRoles(root) { // Gradio's example list holds buttons, not list items: a group says what it is
    root.querySelectorAll('.examples[role="list"]').forEach(function (list) {
      list.setAttribute("role", "group");
      list.setAttribute("aria-label", "Example questions");
    });
  }

  new MutationObserver(function () { linkTips(document); fixRoles(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.documentElement.setAttribute("data-tw-chat", "ready"); // lets tests wait for this script
})();
