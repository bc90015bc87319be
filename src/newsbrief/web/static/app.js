// "No time to read? Get a summary": fetch the summary in place instead of reloading the page.
// Without JavaScript the same forms submit and the server renders the summary (see article.html).
(function () {
  "use strict";
  const section = document.getElementById("summary");
  if (!section) return;
  const lengths = { short: 2, medium: 3, long: 5 };

  function highlight(index) {
    document.querySelectorAll(".sentence.highlight").forEach((el) => el.classList.remove("highlight"));
    const target = document.getElementById("s-" + index);
    if (!target) return;
    target.classList.add("highlight");
    target.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  function show(summary) {
    section.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = "Summary";
    section.append(heading);
    const list = document.createElement(summary.style === "paragraph" ? "p" : "ul");
    for (const point of summary.sentences) {
      const link = document.createElement("a");
      link.href = "#s-" + point.index;
      link.dataset.sentence = String(point.index);
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
    note.textContent = "Sentences chosen by " + summary.engine + "; select one to see it in the article.";
    section.append(note);
    section.hidden = false;
    section.focus({ preventScroll: true });
  }

  document.querySelectorAll("form.summary-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
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
        section.scrollIntoView({ behavior: "smooth", block: "start" });
      } catch (error) {
        section.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Sorry, no summary: " + error.message }));
        section.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  });

  section.setAttribute("tabindex", "-1");
  section.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-sentence]");
    if (!link) return;
    event.preventDefault();
    highlight(link.dataset.sentence);
    history.replaceState(null, "", "#s-" + link.dataset.sentence);
  });
  if (location.hash.startsWith("#s-")) highlight(location.hash.slice(3));
})();
