// newsbrief widget: <script src="https://YOUR-NEWSBRIEF/widget.js" data-article-url="https://site/story"></script>
// Options (data- attributes of the script tag):
//   data-article-url  the stored article's URL (default: this page's address)
//   data-send-html    "true": always summarize this page's own HTML; "fallback": do so when the service has
//                     no stored article at the URL; absent: only stored articles
//   data-sentences    how many key points (default 3); data-api: the service's origin (default: the script's)
// Readers never see a service error: when no summary can be had, the button is not shown, and the reason is
// logged to the console (console.info) for the publisher. Renders in a shadow root: host CSS cannot reach it.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script) return;
  const api = script.dataset.api || new URL(script.src, location.href).origin;
  const sentences = script.dataset.sentences || "3";
  const sendHtml = (script.dataset.sendHtml || "").toLowerCase();
  const articleUrl = script.dataset.articleUrl || location.href;

  function tell(reason) {
    console.info("newsbrief widget: no summary button on this page: " + reason);
  }

  function summarizePage() {
    return fetch(api + "/api/v1/summarize", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ html: document.documentElement.outerHTML, url: location.href, sentences: Number(sentences) }),
    });
  }

  function storedSummary() {
    return fetch(api + "/api/v1/summary?" + new URLSearchParams({ url: articleUrl, sentences: sentences }));
  }

  async function errorOf(response) {
    try {
      const body = await response.json();
      return body.error || { code: "http_" + response.status, message: response.statusText };
    } catch (ignored) {
      return { code: "http_" + response.status, message: response.statusText };
    }
  }

  // What the button will show, decided before it is drawn: a summary already fetched (stored article), or
  // a function that summarizes this page's HTML on demand. null: no button (the reason was logged).
  async function source() {
    try {
      if (sendHtml === "true") {
        // Nothing to fetch before the click; a cheap probe shows the service answers this origin (CORS).
        const probe = await fetch(api + "/healthz");
        if (!probe.ok) throw new Error("the service answered " + probe.status + " to /healthz");
        return { later: summarizePage };
      }
      const response = await storedSummary();
      if (response.ok) return { ready: await response.json() };
      const error = await errorOf(response);
      if (error.code === "not_found" && sendHtml === "fallback") return { later: summarizePage };
      if (error.code === "not_found") {
        tell("the service has no stored article at " + articleUrl + " (store it first, or add data-send-html=\"fallback\" to summarize the page itself)");
      } else {
        tell("the service refused: " + error.message + " [" + error.code + "]");
      }
    } catch (error) {
      // fetch() rejects on network errors and on CORS refusals alike, and the browser hides which.
      tell("cannot reach " + api + " from " + location.origin + ": it is down, or this origin is not in its NEWSBRIEF_CORS_ORIGINS (" + error.message + ")");
    }
    return null;
  }

  function draw(origin) {
    const host = document.createElement("div");
    host.className = "newsbrief-widget";
    script.after(host);
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML =
      "<style>:host{all:initial;display:block;margin:1em 0;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a}" +
      "button{all:revert;font:600 1rem system-ui,sans-serif;padding:.5em 1em;border-radius:4px;border:1px solid #0b57d0;" +
      "background:#0b57d0;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #f9ab00;outline-offset:2px}" +
      "section{border-left:4px solid #0b57d0;background:#f8faff;padding:.25em 1em;margin-top:.75em}" +
      "li{color:#1a1a1a;list-style:disc;margin:.3em 0}p{margin:.5em 0}.note{font-size:.85em;color:#555}</style>" +
      '<button type="button" aria-expanded="false">No time to read? Get a summary</button>' +
      '<section hidden aria-live="polite"></section>';
    const button = root.querySelector("button");
    const output = root.querySelector("section");
    let summary = origin.ready || null;

    function show(body) {
      const list = document.createElement("ul");
      for (const point of body.sentences) {
        const item = document.createElement("li");
        item.textContent = point.text; // text, never HTML
        list.append(item);
      }
      const note = document.createElement("p");
      note.className = "note";
      // A summary the newsroom pinned says so (and it may hold the editors' own words).
      note.textContent = body.edited ? "Edited by the newsroom." : "Key sentences from the article.";
      output.replaceChildren(list, note);
    }

    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-expanded") === "true") {
        output.hidden = true;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      button.disabled = true;
      try {
        if (summary === null) {
          const response = await origin.later();
          if (!response.ok) {
            const error = await errorOf(response);
            throw new Error(error.message + " [" + error.code + "]");
          }
          summary = await response.json();
        }
        show(summary);
        output.hidden = false;
        button.setAttribute("aria-expanded", "true");
      } catch (error) {
        // The page could not be summarized after all: the reader gets a plain sentence, the publisher the cause.
        console.info("newsbrief widget: this page could not be summarized: " + error.message);
        const message = document.createElement("p");
        message.textContent = "Sorry, this page has no summary.";
        output.replaceChildren(message);
        output.hidden = false;
        button.hidden = true;
      } finally {
        button.disabled = false;
      }
    });
  }

  source().then((origin) => {
    if (origin !== null) draw(origin);
  });
})();
