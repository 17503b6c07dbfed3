// news.js: on a report written by `topicmap update`, the "New since ..." section that opens
// the page: how many items are new, the topics that grew most, the new topics, and a toggle
// that shows only the new items.

const GREW_SHOWN = 5;

function newsSummary(model, fd) {
  const perTopic = new Map();
  for (let i = 0; i < model.n; i++) if (fd.isNew[i]) perTopic.set(model.topic[i], (perTopic.get(model.topic[i]) || 0) + 1);
  const rows = model.topics.map((t) => ({ topic: t, added: perTopic.get(t.id) || 0 })).filter((r) => r.added > 0);
  const byGrowth = (a, b) => b.added - a.added || b.added / b.topic.size - a.added / a.topic.size || a.topic.id - b.topic.id;
  return {
    unclustered: perTopic.get(-1) || 0,
    // A topic whose every item is new was opened by the update (ids are never reused).
    fresh: rows.filter((r) => r.added === r.topic.size).sort(byGrowth),
    grew: rows.filter((r) => r.added < r.topic.size).sort(byGrowth),
  };
}

// A topic that grew shows what it gained; a new topic, its size.
function newsRow(row, onSelect) {
  const fresh = row.added === row.topic.size;
  const size = fresh ? plural(row.topic.size, "item") : "+" + fmt(row.added) + " · " + percent(row.added, row.topic.size) + " of " + fmt(row.topic.size);
  return activate(el("li", { className: "story" },
    el("span", {}, swatch(row.topic.color), row.topic.name),
    el("span", { className: "size", text: size })),
  () => onSelect("topic", row.topic.id));
}

// since: {since, basis} (data.new): what the new items are new since, and what that is ("the
// newest item in the saved map", "when the map was saved"); handlers: {select(level, id), onlyNew(on)}.
function createNews(model, fd, since, handlers) {
  const box = document.getElementById("whats-new");
  if (!fd.isNew) return { update() {} };
  box.hidden = false;
  const summary = newsSummary(model, fd);
  const when = since && since.since ? since.since + (since.basis ? ", " + since.basis : "") : "the saved map";
  document.getElementById("news-title").textContent = "New since " + when;
  document.getElementById("news-summary").textContent = plural(fd.newCount, "new item") + ": " +
    fmt(fd.newCount - summary.unclustered) + " in topics, " + fmt(summary.unclustered) + " unclustered; " +
    plural(summary.fresh.length, "new topic") + ".";
  const grew = summary.grew.slice(0, GREW_SHOWN);
  document.getElementById("news-grew-box").hidden = grew.length === 0;
  document.getElementById("news-grew").replaceChildren(...grew.map((r) => newsRow(r, handlers.select)));
  document.getElementById("news-fresh-box").hidden = summary.fresh.length === 0;
  document.getElementById("news-fresh").replaceChildren(...summary.fresh.map((r) => newsRow(r, handlers.select)));
  const toggle = document.getElementById("news-only");
  toggle.addEventListener("click", () => handlers.onlyNew(toggle.getAttribute("aria-pressed") !== "true"));
  return {
    update(onlyNew) {
      toggle.setAttribute("aria-pressed", String(onlyNew));
      toggle.textContent = onlyNew ? "Show every item" : "Show only the new items";
    },
  };
}
