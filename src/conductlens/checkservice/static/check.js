// Sends the message to POST /v1/check and shows the nudge and findings; nothing is kept.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("check-form");
  const box = document.getElementById("text");
  const result = document.getElementById("result");
  function line(tag, text, cls) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }
  function marked(text, spans) {
    const p = document.createElement("p");
    let last = 0;
    for (const [a, b] of spans) {
      p.append(text.slice(last, a), line("mark", text.slice(a, b)));
      last = b;
    }
    p.append(text.slice(last));
    return p;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value;
    result.replaceChildren(line("p", "Checking..."));
    const response = await fetch("/v1/check", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({text}),
    });
    const body = await response.json();
    if (!response.ok) {
      result.replaceChildren(line("p", body.detail || "The check failed."));
      return;
    }
    const parts = [line("p", body.nudge)];
    for (const f of body.findings) {
      const item = document.createElement("div");
      item.className = "finding " + f.severity;
      item.append(line("h3", f.category + " (" + f.severity + ")"),
                  line("p", "Standards: " + f.standards.join("; ")),
                  marked(text, f.spans), line("p", f.explanation));
      parts.push(item);
    }
    result.replaceChildren(...parts);
  });
});
