// "No time to read? Get a summary": fetch the summary in place instead of reloading the page.
// Without JavaScript the same forms submit and the server renders the summary (see article.html).
(function () {
  "use strict";
  const section = document.getElementById("summary");
  if (!section) return;
  const lengths = { short: 2, medium: 3, long: 5 };
  const forms = Array.from(document.querySelectorAll("form.summary-form"));

  // A new summary: no highlight, and no #s-N target left from the last one (the :target style).
  function clearHighlights() {
    document.querySelectorAll(".sentence.highlight").forEach((el) => el.classList.remove("highlight"));
    if (location.hash.startsWith("#s-")) history.replaceState(null, "", location.pathname + location.search);
  }

  // Highlight sentence `index` and, inside it, each kept piece of a compressed key point: `spans` are
  // article offsets ([[start, end], ...]) and `end` the sentence's end offset, so a piece sits at
  // span - (end - sentence length) in the sentence's text.
  function highlight(index, spans, end) {
    document.querySelectorAll(".sentence.highlight").forEach((el) => {
      el.classList.remove("highlight");
      el.textContent = el.textContent; // drops the kept-piece marks, keeps the text
    });
    const target = document.getElementById("s-" + index);
    if (!target) return;
    target.classList.add("highlight");
    const text = target.textContent;
    const start = Number(end) - text.length;
    if (Array.isArray(spans) && spans.length && Number.isFinite(start)) {
      const parts = [];
      let cursor = 0;
      for (const [from, to] of spans) {
        const a = from - start;
        const b = to - start;
        if (a < cursor || b > text.length || a >= b) continue;
        if (a > cursor) parts.push(text.slice(cursor, a));
        const mark = document.createElement("mark");
        mark.className = "kept";
        mark.textContent = text.slice(a, b); // text, never HTML
        parts.push(mark);
        cursor = b;
      }
      if (cursor < text.length) parts.push(text.slice(cursor));
      if (parts.length) target.replaceChildren(...parts);
    }
    target.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  function spansOf(link) {
    try {
      return JSON.parse(link.dataset.spans || "[]");
    } catch (error) {
      return [];
    }
  }

  function show(summary) {
    section.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = "Summary";
    section.append(heading);
    const list = document.createElement(summary.style === "paragraph" ? "p" : "ul");
    for (const point of summary.sentences) {
      // A point the newsroom wrote (index null) stands in no sentence: plain text, no link.
      const link = document.createElement(point.index == null ? "span" : "a");
      link.href = "#s-" + point.index;
      link.dataset.sentence = String(point.index);
      link.dataset.end = String(point.end);
      link.dataset.spans = JSON.stringify(point.spans || []);
      link.textContent = point.text; // text, never HTML: article text cannot inject markup
      if (summary.style === "paragraph") {
        list.append(link, " ");
      } else {
        const item = document.createElement("li");
        item.append(link);
        list.append(item);
      }
    }
    section.append(list);
    const note = document.createElement("p");
    note.className = "provenance";
    // A model's text (llm.v1, not its extractive fallback) is not the article's sentences: say so.
    const written = summary.generation && !summary.fallback_reason;
    note.textContent = summary.edited
      ? "Edited by the newsroom; select a point to see where it stands in the article."
      : written
        ? "Written by a language model, each point checked against the article; select one to see what supports it."
        : "Key sentences from the article; select one to see it in the article.";
    if (summary.edited) note.classList.add("edited");
    section.append(note);
    clearHighlights();
    section.hidden = false;
    section.focus({ preventScroll: true });
  }

  // The summary opens under the button that was pressed: the one under the article keeps a reader who
  // finished reading where they are (moving the section changes nothing above the visible part).
  function openAt(form) {
    if (form.nextElementSibling !== section) form.after(section);
  }

  forms.forEach((form) => {
    // Both forms say the same: a length or style chosen in one shows in the other.
    form.addEventListener("change", (event) => {
      const field = event.target;
      if (!field.name) return;
      for (const other of forms) {
        // querySelector, not other.elements[name]: elements.length is the count of fields, not "length".
        const twin = other === form ? null : other.querySelector('[name="' + field.name + '"]');
        if (twin) twin.value = field.value;
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      openAt(form);
      const data = new FormData(form);
      const params = new URLSearchParams({
        sentences: String(lengths[data.get("length")] || 3),
        style: String(data.get("style") || "bullets"),
      });
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const response = await fetch("/api/v1/articles/" + form.dataset.article + "/summary?" + params, {
          headers: { Accept: "application/json" },
        });
        const body = await response.json();
        if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
        show(body);
        section.scrollIntoView({ behavior: "smooth", block: "nearest" });
      } catch (error) {
        clearHighlights();
        section.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Sorry, no summary: " + error.message }));
        section.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  });

  section.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-sentence]");
    if (!link) return;
    event.preventDefault();
    highlight(link.dataset.sentence, spansOf(link), link.dataset.end);
    history.replaceState(null, "", "#s-" + link.dataset.sentence);
  });
  if (location.hash.startsWith("#s-")) {
    const link = section.querySelector('a[data-sentence="' + CSS.escape(location.hash.slice(3)) + '"]');
    highlight(location.hash.slice(3), link ? spansOf(link) : [], link ? link.dataset.end : undefined);
  }
})();
