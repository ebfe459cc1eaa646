// ConductLens: keyboard shortcuts for the review queue and decisions. No dependencies.
(function () {
  "use strict";
  function typing(target) {
    return target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }
  function queueKeys(list) {
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
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (e.key === "j") { select(at + 1); e.preventDefault(); }
      if (e.key === "k") { select(at - 1); e.preventDefault(); }
    });
  }
  function decideKeys(form) {
    document.addEventListener("keydown", function (e) {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var radio = form.querySelector('input[data-key="' + e.key + '"]');
      if (radio) { radio.checked = true; radio.focus(); e.preventDefault(); }
      if (e.key === "]") {
        var next = document.querySelector("[data-key-next]");
        if (next) { window.location.assign(next.getAttribute("href")); }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector('[data-keys="queue"]');
    if (list) { queueKeys(list); }
    var form = document.querySelector('[data-keys="decide"]');
    if (form) { decideKeys(form); }
  });
}());
