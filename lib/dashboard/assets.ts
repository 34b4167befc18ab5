/** @module The dashboard's style sheet and its small script, served as static text (no build step, no user data). */

/** The style sheet, served at `/dashboard/assets/style.css`. */
export const STYLE_CSS = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --bad: #b91c1c; --good: #15803d; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid #8884; }
header .brand { font-weight: 700; }
header nav { display: flex; gap: 1rem; flex: 1; }
header nav a { text-decoration: none; color: inherit; }
header nav a[aria-current=page] { color: var(--accent); font-weight: 600; }
main { padding: 1rem 1.2rem 3rem; max-width: 72rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #8883; vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
code, pre, textarea { font: 13px/1.4 ui-monospace, monospace; }
pre, .log { background: #8881; padding: .6rem; overflow: auto; max-height: 24rem; white-space: pre-wrap; word-break: break-all; }
textarea { width: 100%; min-height: 14rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .8rem; }
.card { border: 1px solid #8884; border-radius: .4rem; padding: .6rem .8rem; }
.card .value { font-size: 1.3rem; font-weight: 600; }
.card .label { color: var(--muted); }
.ok { color: var(--good); } .bad { color: var(--bad); }
.notice { padding: .5rem .8rem; border-left: 4px solid var(--accent); background: #2563eb14; margin: .5rem 0 1rem; }
.error { padding: .5rem .8rem; border-left: 4px solid var(--bad); background: #b91c1c14; margin: .5rem 0 1rem; }
.readonly { padding: .3rem 1.2rem; background: #f59e0b22; }
form.inline { display: inline; }
button { font: inherit; padding: .25rem .8rem; cursor: pointer; }
label { display: block; margin: .5rem 0 .2rem; font-weight: 600; }
input[type=text], input[type=password] { font: inherit; width: 24rem; max-width: 100%; padding: .25rem .4rem; }
.log { font: 13px/1.4 ui-monospace, monospace; }
.log-line.stderr { color: var(--bad); } .log-line.platform { color: var(--muted); }
[data-state=live]::before { content: "live"; color: var(--good); font-weight: 600; display: block; }
`;

/**
 * The dashboard's script, served at `/dashboard/assets/app.js`: the live log tail (Server-Sent Events), sample events
 * put into the test-invoke form, and the form sent without leaving the page. It reads what it needs from `data-`
 * attributes and a JSON block; the pages work without it.
 */
export const APP_JS = `"use strict";
(() => {
  const appendLine = (box, record) => {
    const line = document.createElement("div");
    line.className = "log-line " + record.stream;
    line.textContent = record.time + "  " + record.message;
    box.append(line);
    while (box.childElementCount > 500) box.firstElementChild.remove();
    box.scrollTop = box.scrollHeight;
  };
  for (const box of document.querySelectorAll("[data-log-stream]")) {
    const source = new EventSource(box.dataset.logStream);
    box.dataset.state = "connecting";
    source.addEventListener("open", () => { box.dataset.state = "live"; });
    source.addEventListener("error", () => { box.dataset.state = "reconnecting"; });
    source.addEventListener("message", (event) => appendLine(box, JSON.parse(event.data)));
  }
  const samplesNode = document.getElementById("sample-events");
  const select = document.querySelector("select[name=sample]");
  const payload = document.querySelector("textarea[name=payload]");
  if (samplesNode && select && payload) {
    const samples = JSON.parse(samplesNode.textContent);
    for (const button of document.querySelectorAll("[data-without-script]")) button.hidden = true;
    select.addEventListener("change", () => {
      if (select.value in samples) payload.value = JSON.stringify(samples[select.value], null, 2);
    });
  }
  const form = document.querySelector("form[data-invoke]");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = document.getElementById("invoke-status");
      const response = document.getElementById("invoke-response");
      const log = document.getElementById("invoke-log");
      status.textContent = "invoking…";
      status.className = "";
      try {
        const answer = await fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          headers: { accept: "application/json" },
          credentials: "same-origin",
        });
        const result = await answer.json();
        status.textContent = result.summary;
        status.className = result.ok ? "ok" : "bad";
        response.textContent = result.response ?? "";
        log.textContent = result.log ?? "";
      } catch (error) {
        status.textContent = "the request failed: " + error;
        status.className = "bad";
      }
    });
  }
})();
`;
