// newsbrief widget: <script src="https://YOUR-NEWSBRIEF/widget.js" data-article-url="https://site/story"></script>
// or data-send-html="true" to summarize the page's own HTML. Renders in a shadow root: host CSS cannot reach it.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script) return;
  const api = script.dataset.api || new URL(script.src, location.href).origin;
  const sentences = script.dataset.sentences || "3";
  const host = document.createElement("div");
  host.className = "newsbrief-widget";
  script.after(host);
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>:host{all:initial;display:block;margin:1em 0;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a}" +
    "button{all:revert;font:600 1rem system-ui,sans-serif;padding:.5em 1em;border-radius:4px;border:1px solid #0b57d0;" +
    "background:#0b57d0;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #f9ab00;outline-offset:2px}" +
    "section{border-left:4px solid #0b57d0;background:#f8faff;padding:.25em 1em;margin-top:.75em}" +
    "li{color:#1a1a1a;list-style:disc;margin:.3em 0}.error{color:#a50e0e}</style>" +
    '<button type="button" aria-expanded="false">No time to read? Get a summary</button>' +
    '<section hidden aria-live="polite"></section>';
  const button = root.querySelector("button");
  const output = root.querySelector("section");

  function request() {
    if (script.dataset.sendHtml === "true") {
      return fetch(api + "/api/v1/summarize", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ html: document.documentElement.outerHTML, url: location.href, sentences: Number(sentences) }),
      });
    }
    const url = script.dataset.articleUrl || location.href;
    return fetch(api + "/api/v1/summary?" + new URLSearchParams({ url: url, sentences: sentences }));
  }

  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-expanded") === "true") {
      output.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    button.disabled = true;
    try {
      const response = await request();
      const body = await response.json();
      if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
      const list = document.createElement("ul");
      for (const point of body.sentences) {
        const item = document.createElement("li");
        item.textContent = point.text;
        list.append(item);
      }
      output.replaceChildren(list);
    } catch (error) {
      const message = document.createElement("p");
      message.className = "error";
      message.textContent = "Sorry, no summary: " + error.message;
      output.replaceChildren(message);
    } finally {
      output.hidden = false;
      button.disabled = false;
      button.setAttribute("aria-expanded", "true");
    }
  });
})();
