// ConductLens: keyboard shortcuts for the review queue and decisions. No dependencies.
(function () {
  "use strict";
  // Keys are ignored only while the reviewer types text; a ticked radio button or checkbox
  // must not swallow them (that trapped the keyboard after r, n or c).
  function typing(target) {
    if (!target || !target.tagName) { return false; }
    if (target.tagName === "INPUT") {
      return !/^(radio|checkbox|button|submit)$/.test(target.type);
    }
    return /^(TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }
  function go(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.assign(link.getAttribute("href")); }
  }
  // e and t put the keyboard in the escalation or tag form; Esc gives it back to the page.
  function focusField(key) {
    var field = document.querySelector('[data-key-focus="' + key + '"]');
    if (field) { field.focus(); }
    return !!field;
  }
  function leaveField(e) {
    if (e.key !== "Escape" || !typing(e.target)) { return false; }
    e.target.blur();
    e.preventDefault();
    return true;
  }
  function helpKeys() {
    var help = document.querySelector("[data-keys-help]");
    return function (e) {
      if (!help) { return false; }
      if (e.key === "?") { help.hidden = !help.hidden; return true; }
      if (e.key === "Escape" && !help.hidden) { help.hidden = true; return true; }
      return false;
    };
  }
  function queueKeys(list, help) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li.finding"));
    var at = -1;
    function select(i) {
      if (!items.length) { return; }
      at = Math.max(0, Math.min(items.length - 1, i));
      items.forEach(function (el) { el.classList.remove("selected"); });
      items[at].classList.add("selected");
      items[at].querySelector("a").focus();
    }
    document.addEventListener("keydown", function (e) {
      if (leaveField(e) || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (help(e)) { e.preventDefault(); return; }
      if ((e.key === "t" && focusField("t")) || (e.key === "e" && at >= 0)) {
        e.preventDefault();
        if (e.key === "e") {  // escalate the selected finding: its page, at the form
          window.location.assign(items[at].querySelector("a").getAttribute("href") + "#escalate");
        }
        return;
      }
      if (e.key === "]") { go('a[rel="next"]'); }
      if (e.key === "j") { select(at + 1); e.preventDefault(); }
      if (e.key === "k") { select(at - 1); e.preventDefault(); }
      if (e.key === "x" && at >= 0) {
        var box = items[at].querySelector("input[data-pick]");
        if (box) { box.checked = !box.checked; }
        e.preventDefault();
      }
      if (DECIDE[e.key] && at >= 0 && decideSelected(items, at, DECIDE[e.key])) {
        e.preventDefault();
      }
    });
    resumeAfterDecision(items, select);
  }
  var DECIDE = {r: "relevant", n: "not_relevant", c: "needs_context"};
  var RESUME = "conductlens-queue-decided";
  // r/n/c in the queue: the ticked findings, or else the selected one, get that decision
  // through the bulk form; the queue comes back with the selection on the next finding.
  function decideSelected(items, at, decision) {
    var bulk = document.getElementById("bulk");
    var choice = bulk ? bulk.querySelector('select[name="decision"]') : null;
    if (!choice) { return false; }
    var ticked = document.querySelectorAll("input[data-pick]:checked");
    if (!ticked.length) {
      var box = items[at].querySelector("input[data-pick]");
      if (!box) { return false; }
      box.checked = true;
    }
    choice.value = decision;
    try { window.sessionStorage.setItem(RESUME, JSON.stringify({id: items[at].id, at: at})); }
    catch (err) { /* storage off: the queue simply comes back unselected */ }
    if (bulk.requestSubmit) { bulk.requestSubmit(); } else { bulk.submit(); }
    return true;
  }
  function resumeAfterDecision(items, select) {
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(RESUME) || "null");
      window.sessionStorage.removeItem(RESUME);
    } catch (err) { saved = null; }
    if (!saved || !items.length) { return; }
    var still = items.map(function (el) { return el.id; }).indexOf(saved.id);
    select(still >= 0 ? still + 1 : saved.at);  // decided row kept: the one after it
  }
  function decideKeys(form, help) {
    if (window.location.hash === "#escalate") { focusField("e"); }
    document.addEventListener("keydown", function (e) {
      if (leaveField(e) || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (help(e)) { e.preventDefault(); return; }
      if ((e.key === "e" || e.key === "t") && focusField(e.key)) { e.preventDefault(); return; }
      var radio = form ? form.querySelector('input[data-key="' + e.key + '"]') : null;
      if (radio) {
        radio.checked = true;
        // Keep focus off the radio group so every other key still works.
        if (document.activeElement && document.activeElement !== document.body) {
          document.activeElement.blur();
        }
        e.preventDefault();
        return;
      }
      if (e.key === "]" || e.key === "j") { go("[data-key-next]"); }
      if (e.key === "[" || e.key === "k") { go("[data-key-previous]"); }
      if (e.key === "Enter" && form && document.activeElement === document.body
          && form.querySelector('input[name="decision"]:checked')) {
        e.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var help = helpKeys();
    var list = document.querySelector('[data-keys="queue"]');
    if (list) { queueKeys(list, help); return; }
    var form = document.querySelector('[data-keys="decide"]');
    if (form || document.querySelector("[data-key-next], [data-key-previous]")) {
      decideKeys(form, help);
    }
  });
}());
