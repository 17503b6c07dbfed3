// color.js: colour the map by topic (the default), by source, by any input column with few
// values (a label the user brought) or by date, with a legend whose entries hide and show
// their items. The colouring is part of the view and of the link (#color=source).

// Tableau 10 with a dark teal for its cyan, which sat too near its teal (the first ten topic
// colours, report.py's PALETTE): the commonest values; the rest share OTHER, missing ones NONE.
const CATEGORY_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#005f50"];
const COLOR_OTHER = "#8d8d8d";
const COLOR_NONE = "#d4d4d4";
// Columns with more distinct values than this (sources aside) are not offered as colours.
const COLOR_MAX_VALUES = 50;
// Date colours: at most this many spans of consecutive timeline bins, early to late.
const DATE_SPANS = 12;
const DATE_RAMP = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

function rampColor(t) {
  const k = Math.min(DATE_RAMP.length - 2, Math.floor(t * (DATE_RAMP.length - 1)));
  const f = t * (DATE_RAMP.length - 1) - k;
  const rgb = (h) => [1, 3, 5].map((o) => parseInt(h.slice(o, o + 2), 16));
  const a = rgb(DATE_RAMP[k]), b = rgb(DATE_RAMP[k + 1]);
  return "#" + a.map((v, j) => Math.round(v + (b[j] - v) * f).toString(16).padStart(2, "0")).join("");
}

// The colourings this page offers: [{key, label}], topic first, then columns, then date.
function colorOptions(data, model) {
  const options = [{ key: "topic", label: columnTitle(model.word("topic")) }];  // the top level's colours
  const dateColumn = model.timeline ? model.timeline.column : null;
  for (const [name, col] of Object.entries(data.points.extra)) {
    if (name === dateColumn || name === "date" || name === "published" || !col.codes) continue;
    if (name !== "source" && col.values.length > COLOR_MAX_VALUES) continue;
    options.push({ key: name, label: columnTitle(name) });
  }
  if (model.timeline) options.push({ key: "date", label: "Date" });
  return options;
}

// A column's colouring: {key, categories: [{name, color, count}], cat: Int32Array (the
// category of each item)}. The commonest values get their own colour, the rest "Other".
function columnColoring(key, col, n) {
  const counts = new Array(col.values.length).fill(0);
  for (let i = 0; i < n; i++) counts[col.codes[i]] += 1;
  const order = col.values.map((_, k) => k).filter((k) => col.values[k] !== "").sort((a, b) => counts[b] - counts[a] || a - b);
  const own = order.length > CATEGORY_COLORS.length ? CATEGORY_COLORS.length - 1 : order.length;
  const categories = order.slice(0, own).map((k, c) => ({ name: col.values[k], color: CATEGORY_COLORS[c], count: counts[k] }));
  const codeCat = new Int32Array(col.values.length);
  order.forEach((k, r) => { codeCat[k] = Math.min(r, own); });
  if (order.length > own) {
    categories.push({ name: "Other (" + fmt(order.length - own) + " values)", color: COLOR_OTHER, count: order.slice(own).reduce((s, k) => s + counts[k], 0), other: true });
  }
  const empty = col.values.indexOf("");
  if (empty >= 0) {
    codeCat[empty] = categories.length;
    categories.push({ name: "(none)", color: COLOR_NONE, count: counts[empty], none: true });
  }
  const cat = new Int32Array(n);
  for (let i = 0; i < n; i++) cat[i] = codeCat[col.codes[i]];
  return { key, categories, cat };
}

// The source column with a merged value ("Reuters; AP", one story syndicated) read as its first
// source, so the legend lists sources as the Sources filter does, not their combinations.
function firstSources(col) {
  const values = [], index = new Map();
  const codeOf = col.values.map((v) => {
    const first = String(v).split("; ")[0].trim();
    if (!index.has(first)) { index.set(first, values.length); values.push(first); }
    return index.get(first);
  });
  return { values, codes: Int32Array.from(col.codes, (c) => codeOf[c]) };
}

// Colour by date: spans of consecutive timeline bins on a ramp, undated items grey.
function dateColoring(model) {
  const labels = model.timeline.labels, bins = labels.length;
  const per = Math.ceil(bins / DATE_SPANS), spans = Math.ceil(bins / per);
  const categories = [];
  for (let s = 0; s < spans; s++) {
    const a = labels[s * per], b = labels[Math.min(bins, (s + 1) * per) - 1];
    categories.push({ name: a === b ? a : a + " – " + b, color: rampColor(spans > 1 ? s / (spans - 1) : 0), count: 0 });
  }
  const cat = new Int32Array(model.n);
  let undated = 0;
  for (let i = 0; i < model.n; i++) {
    const b = model.timeBin[i];
    cat[i] = b < 0 ? spans : Math.floor(b / per);
    if (b < 0) undated += 1; else categories[cat[i]].count += 1;
  }
  if (undated) categories.push({ name: "(no date)", color: COLOR_NONE, count: undated, none: true });
  return { key: "date", categories, cat };
}

// The colour menu and legend. onChange(key) picks a colouring; onToggle(Set of hidden
// category numbers, or null) hides legend entries.
function createColor(data, model, onChange, onToggle) {
  const options = colorOptions(data, model);
  const select = document.getElementById("color-by");
  const legend = document.getElementById("color-legend");
  const cache = new Map();
  document.getElementById("color-bar").hidden = options.length < 2;
  select.replaceChildren(...options.map((o) => el("option", { text: o.label, attrs: { value: o.key } })));
  select.addEventListener("change", () => onChange(select.value));

  const valid = (key) => options.some((o) => o.key === key);
  // The colouring of `key` (null for topic: the map keeps its topic colours).
  function coloring(key) {
    if (key === "topic" || !valid(key)) return null;
    if (!cache.has(key)) {
      const col = key === "source" ? firstSources(data.points.extra[key]) : data.points.extra[key];
      cache.set(key, key === "date" ? dateColoring(model) : columnColoring(key, col, model.n));
    }
    return cache.get(key);
  }
  // Each item's colour under `key`, or null for the topics' colours.
  function colorFn(key) {
    const c = coloring(key);
    if (!c) return null;
    const colors = c.categories.map((x) => x.color);
    return (i) => colors[c.cat[i]];
  }
  // The test that keeps the items of the shown legend entries (null: every entry shown).
  function test(key, hidden) {
    const c = coloring(key);
    if (!c || !hidden || !hidden.size) return null;
    return (i) => !hidden.has(c.cat[i]);
  }

  function update(key, hidden) {
    select.value = key;
    const c = coloring(key);
    legend.hidden = !c;
    if (!c) { legend.replaceChildren(); return; }
    const focused = legend.contains(document.activeElement) ? document.activeElement.dataset.cat : null;
    legend.replaceChildren(...c.categories.map((cat, k) => {
      const on = !hidden || !hidden.has(k);
      const button = el("button", {
        className: "legend-entry" + (cat.none ? " none" : ""), title: (on ? "Hide " : "Show ") + cat.name,
        attrs: { type: "button", "aria-pressed": String(on) }, data: { cat: k },
        on: {
          click: () => {
            const next = new Set(hidden || []);
            if (next.has(k)) next.delete(k); else next.add(k);
            onToggle(next.size ? next : null);
          },
        },
      }, swatch(cat.color), el("span", { className: "name", text: cat.name }), el("span", { className: "size", text: fmt(cat.count) }));
      return button;
    }));
    if (focused != null) {  // the entries are new: the keyboard's focus stays on the one it was on
      const again = legend.querySelector(`[data-cat="${focused}"]`);
      if (again) again.focus();
    }
  }
  return { options, valid, coloring, colorFn, test, update };
}
