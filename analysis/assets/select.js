// select.js: box and lasso selection on the map, the panel that lists the selected items with
// their count per topic, and the selection as a CSV file made in the page (no network).

const SELECTION_PAGE = 100;
// A spreadsheet runs a cell that starts with one of these as a formula: such text gets a quote.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = String(value);
  if (FORMULA_START.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

// The export's columns that the page holds, for the items `indices`, as CSV text.
function selectionCsv(model, fd, indices) {
  const topicName = (t) => (t >= 0 && model.topicById.has(t) ? model.topicById.get(t).name : "");
  const storyName = (s) => (s >= 0 && model.storyById.has(s) ? model.storyById.get(s).name : "");
  const columns = [
    ["doc_id", (i) => model.docId(i)], ["kind", (i) => model.kind(i)], ["text", (i) => model.text[i]],
    ["topic", (i) => model.topic[i]], ["topic_label", (i) => topicName(model.topic[i])],
    ["x", (i) => model.x[i]], ["y", (i) => model.y[i]],
  ];
  if (model.twoLevels) columns.push(["story", (i) => model.story[i]], ["story_label", (i) => storyName(model.story[i])]);
  if (fd.isNew) columns.push(["new", (i) => fd.isNew[i] === 1]);
  for (const extra of model.extras) columns.push([extra.name, (i) => extra.get(i)]);
  const lines = [columns.map(([name]) => csvCell(name)).join(",")];
  for (const i of indices) lines.push(columns.map(([, get]) => csvCell(get(i))).join(","));
  return lines.join("\r\n") + "\r\n";
}

function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { attrs: { href: url, download: name }, style: { display: "none" } });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// One selected item: text, then topic, story, source and date.
function selectionEntry(model, i) {
  const t = model.topicById.get(model.topic[i]) || model.noise;
  const meta = [el("span", { className: "item-topic" }, swatch(t.color), t.name)];
  if (model.twoLevels && model.storyById.has(model.story[i])) meta.push(el("span", { text: "story: " + model.storyById.get(model.story[i]).name }));
  const facts = model.extras.map((e) => e.get(i)).filter(Boolean);
  if (facts.length) meta.push(el("span", { text: facts.join(" · ") }));
  return el("li", { className: "item" }, el("span", { className: "item-text", text: model.text[i] }),
    el("span", { className: "item-meta" }, ...meta));
}

// handlers: {selectItems(indices or null), select(level, id)}; map: the map from createMap.
function createSelection(model, fd, map, handlers) {
  const gd = document.getElementById("map");
  const control = document.getElementById("drag-control");
  const title = document.getElementById("selection-title");
  const counts = document.getElementById("selection-topics");
  let shown = [];

  function setDragmode(mode) {
    for (const b of control.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
    return Plotly.relayout(gd, { dragmode: mode });
  }
  for (const b of control.querySelectorAll("button")) b.addEventListener("click", () => setDragmode(b.dataset.mode));

  // Plotly's own selection look (outline, dimmed points) is cleared: the page draws the
  // selected items on top as it draws search matches.
  function clearPlotlySelection() {
    return Plotly.update(gd, { selectedpoints: [null] }, { selections: [] });
  }
  gd.on("plotly_selected", (ev) => {
    if (!ev || !ev.points) return;
    const chosen = new Set();
    for (const p of ev.points) {
      const i = map.groups[p.curveNumber] && map.groups[p.curveNumber][p.pointNumber];
      if (i !== undefined) chosen.add(i);
    }
    clearPlotlySelection().then(() => handlers.selectItems(Array.from(chosen).sort((a, b) => a - b)));
  });
  gd.on("plotly_deselect", () => { clearPlotlySelection(); handlers.selectItems(null); });

  document.getElementById("selection-clear").addEventListener("click", () => handlers.selectItems(null));
  document.getElementById("selection-csv").addEventListener("click", () =>
    download(selectionCsv(model, fd, shown), "selection.csv", "text/csv;charset=utf-8"));

  // indices: the selected items the filters let through (null: no selection).
  function update(indices) {
    shown = indices || [];
    if (!indices) return;
    title.textContent = plural(indices.length, "selected item");
    const perTopic = new Map();
    for (const i of indices) perTopic.set(model.topic[i], (perTopic.get(model.topic[i]) || 0) + 1);
    const rows = Array.from(perTopic, ([id, k]) => [model.topicById.get(id) || model.noise, k])
      .sort((a, b) => b[1] - a[1] || a[0].id - b[0].id);
    counts.replaceChildren(...rows.map(([t, k]) => activate(
      el("li", { className: "story" }, el("span", {}, swatch(t.color), t.name), el("span", { className: "size", text: fmt(k) })),
      () => handlers.select("topic", t.id))));
    document.getElementById("selection-csv").disabled = indices.length === 0;
    pagedList(document.getElementById("selection-items"), document.getElementById("selection-more"), indices,
      (i) => selectionEntry(model, i), SELECTION_PAGE);
  }
  return { update, setDragmode };
}
