// select.js: box and lasso selection on the map, the panel that lists the selected items with
// their count per topic, and the selection as a CSV file made in the page (no network).

const SELECTION_PAGE = 100;
// A spreadsheet runs a cell that starts with one of these as a formula: such text gets a quote,
// unless it is a plain number ("-3", "+0.5"), which a spreadsheet reads as the number.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function csvCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

// The export's columns that the page holds, in the export's order, for the items `indices`,
// as CSV text: doc_id, kind, text, each shown level's id and name (theme, theme_label, topic,
// topic_label, story, story_label), x, y, new, the input's columns.
function selectionCsv(model, fd, indices) {
  const columns = [["doc_id", (i) => model.docId(i)], ["kind", (i) => model.kind(i)], ["text", (i) => model.text[i]]];
  for (const key of model.keys) {
    const labels = model.labels(key), name = model.name(key);
    const label = (i) => { const r = labels[i] >= 0 ? model.record(key, labels[i]) : null; return r ? r.name : ""; };
    columns.push([name, (i) => labels[i]], [name + "_label", label]);
  }
  columns.push(["x", (i) => model.x[i]], ["y", (i) => model.y[i]]);
  if (fd.isNew) columns.push(["new", (i) => fd.isNew[i] === 1]);
  for (const extra of model.columns) columns.push([extra.name, (i) => extra.get(i)]);
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

// One selected item: text, then its topic at each level, source and date.
function selectionEntry(model, i) {
  const t = model.topicById.get(model.topic[i]) || model.noise;
  const meta = [el("span", { className: "item-topic" }, swatch(t.color), t.name)];
  for (const key of model.keys.slice(1)) {
    const r = model.record(key, model.labels(key)[i]);
    if (r) meta.push(el("span", { text: model.word(key) + ": " + r.name }));
  }
  const facts = model.extras.map((e) => e.get(i)).filter(Boolean);
  if (facts.length) meta.push(el("span", { className: "item-facts" }, ...isolatedJoin(facts, " · ")));
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

  // Box and lasso are drawn and resolved by the page itself (one pass over the drawn items),
  // not by plotly, whose selection redraws the whole scene as the shape moves: plotly only
  // pans (and never sees the drags of the page's box and lasso).
  let mode = "pan";
  const plotlyMode = (m) => (m === "pan" ? "pan" : "select");
  function setDragmode(next) {
    mode = next === "select" || next === "lasso" ? next : "pan";
    gd.style.touchAction = mode === "pan" ? "" : "none";  // on a touch screen, drawing does not scroll the page
    for (const b of control.querySelectorAll("button[data-mode]")) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
    return Plotly.relayout(gd, { dragmode: plotlyMode(mode) });
  }
  for (const b of control.querySelectorAll("button[data-mode]")) b.addEventListener("click", () => setDragmode(b.dataset.mode));
  gd.on("plotly_relayout", (ev) => {
    // A mode picked on plotly's toolbar (zoom, pan) ends the page's box or lasso.
    if (ev && ev.dragmode && mode !== "pan" && ev.dragmode !== plotlyMode(mode)) {
      mode = "pan";
      gd.style.touchAction = "";
      for (const b of control.querySelectorAll("button[data-mode]")) b.setAttribute("aria-pressed", String(ev.dragmode === b.dataset.mode));
    }
  });
  const shape = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  shape.setAttribute("class", "select-shape");
  shape.append(document.createElementNS("http://www.w3.org/2000/svg", "path"));
  gd.parentNode.append(shape);
  let path = null;  // the pointer's positions in map pixels while drawing
  const local = (e) => { const r = gd.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  function outline() {
    if (mode === "select") {
      const [a, b] = [path[0], path[path.length - 1]];
      return [a, [b[0], a[1]], b, [a[0], b[1]]];
    }
    return path;
  }
  function drawShape() {
    const pts = outline();
    shape.firstChild.setAttribute("d", "M" + pts.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join("L") + "Z");
    shape.style.display = "block";
  }
  const onPlot = (e) => mode !== "pan" && e.target === gd.querySelector(".nsewdrag");
  gd.addEventListener("pointerdown", (e) => {
    if (!onPlot(e) || e.button !== 0) return;
    e.preventDefault();  // no mousedown follows: plotly does not start a drag of its own
    e.stopPropagation();
    path = [local(e)];
    gd.setPointerCapture(e.pointerId);
    document.getElementById("tooltip").hidden = true;
  }, true);
  for (const type of ["mousedown", "touchstart"]) gd.addEventListener(type, (e) => { if (onPlot(e)) e.stopPropagation(); }, true);
  gd.addEventListener("pointermove", (e) => {
    if (!path) return;
    const p = local(e), last = path[path.length - 1];
    if (mode === "select") path[1] = p;
    else if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 3) path.push(p);
    drawShape();
  }, true);
  const finish = (e) => {
    if (!path) return;
    if (e.type === "pointerup") path.push(local(e));
    const pts = outline();
    path = null;
    shape.style.display = "none";
    if (e.type === "pointerup" && pts.length >= 3) handlers.selectItems(itemsInside(pts));
  };
  gd.addEventListener("pointerup", finish, true);
  gd.addEventListener("pointercancel", finish, true);

  // The drawn items (not those the filters hide) inside polygon `pts` (map pixels), sorted.
  function itemsInside(pts) {
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const xs = pts.map((p) => xa.p2l(p[0] - xa._offset)), ys = pts.map((p) => ya.p2l(p[1] - ya._offset));
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const box = mode === "select";
    const out = [];
    for (let k = 0; k < map.groups.length - 1; k++) {
      for (const i of map.groups[k]) {
        const x = model.x[i], y = model.y[i];
        if (x < x0 || x > x1 || y < y0 || y > y1) continue;
        if (box) { out.push(i); continue; }
        let inside = false;  // even-odd rule
        for (let a = 0, b = xs.length - 1; a < xs.length; b = a++) {
          if ((ys[a] > y) !== (ys[b] > y) && x < ((xs[b] - xs[a]) * (y - ys[a])) / (ys[b] - ys[a]) + xs[a]) inside = !inside;
        }
        if (inside) out.push(i);
      }
    }
    return out.sort((a, b) => a - b);
  }

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

  // Clearing hides the Selection tab and this button: the focus goes to the tab now chosen,
  // else the first topic card, not to the top of the page.
  const clear = document.getElementById("selection-clear");
  clear.addEventListener("click", () => {
    const had = document.activeElement === clear;
    handlers.selectItems(null);
    if (!had) return;
    const next = [...document.querySelectorAll("#panel-tabs:not([hidden]) [role=tab][aria-selected=true], #topic-list .topic-card")][0];
    if (next) next.focus();
  });
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

// The selection in the link: sel=N.rRUNS or sel=N.bBITS, where N is the page's item count (a
// link made for another page is dropped), RUNS alternate gap and run lengths of the sorted
// item indices in base 36 ("r0.3.7.1": items 0-2 and 10) and BITS is a bitset in base64url;
// the shorter of the two is written. A link is untrusted: anything malformed selects nothing.
const SEL_MAX_CHARS = 400000;
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encodeSelection(indices, n) {
  const runs = [];
  let end = 0;
  for (let k = 0; k < indices.length;) {
    let j = k;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    runs.push((indices[k] - end).toString(36), (j - k + 1).toString(36));
    end = indices[j] + 1;
    k = j + 1;
  }
  const byRuns = "r" + runs.join(".");
  if (byRuns.length * 6 < n) return n + "." + byRuns;  // shorter than any bitset
  const bytes = new Uint8Array(Math.ceil(n / 8));
  for (const i of indices) bytes[i >> 3] |= 1 << (i & 7);
  let bits = "";
  for (let b = 0; b < bytes.length; b += 3) {
    const v = (bytes[b] << 16) | ((bytes[b + 1] || 0) << 8) | (bytes[b + 2] || 0);
    const chars = b + 2 < bytes.length ? 4 : b + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) bits += B64URL[(v >> (18 - 6 * c)) & 63];
  }
  return n + "." + (bits.length + 1 < byRuns.length ? "b" + bits : byRuns);
}

// The sorted item indices of a sel value, or null when it is not a valid one for n items.
function decodeSelection(text, n) {
  if (typeof text !== "string" || text.length > SEL_MAX_CHARS) return null;
  const m = /^(\d{1,9})\.(?:r([0-9a-z]{1,7}(?:\.[0-9a-z]{1,7})*)|b([A-Za-z0-9_-]*))$/.exec(text);
  if (!m || Number(m[1]) !== n) return null;
  const out = [];
  if (m[2] !== undefined) {
    const parts = m[2].split(".").map((p) => parseInt(p, 36));
    if (parts.length % 2) return null;
    let at = 0;
    for (let k = 0; k < parts.length; k += 2) {
      at += parts[k];
      if (parts[k + 1] < 1 || at + parts[k + 1] > n) return null;
      for (let q = 0; q < parts[k + 1]; q++) out.push(at + q);
      at += parts[k + 1];
    }
  } else {
    const bytes = Math.ceil(n / 8);
    if (m[3].length !== Math.ceil((bytes * 4) / 3)) return null;
    for (let c = 0; c < m[3].length; c++) {
      const v = B64URL.indexOf(m[3][c]);
      for (let b = 0; b < 6; b++) {
        const bit = c * 6 + b, byte = bit >> 3, i = byte * 8 + (7 - (bit & 7));
        if (v & (32 >> b) && byte < bytes) { if (i >= n) return null; out.push(i); }
      }
    }
    out.sort((a, b) => a - b);
  }
  return out.length ? out : null;
}

// The colouring and the selection a link asks for: {color (a key colorValid accepts, else
// "topic"), selection (sorted indices or null)}.
// The colouring, its hidden legend entries (hide=<entry name>, unknown names dropped; `coloring`
// gives a colouring's categories, see color.js) and the selection of a fragment.
function readLinkExtras(hash, n, colorValid, coloring) {
  const params = fragmentParams(hash);
  const asked = params.get("color");
  const color = asked !== null && colorValid(asked) ? asked : "topic";
  const categories = color === "topic" ? [] : coloring(color).categories;
  const hidden = new Set(params.getAll("hide").map((name) => categories.findIndex((c) => c.name === name)).filter((k) => k >= 0));
  return { color, hidden: hidden.size ? hidden : null, selection: decodeSelection(params.get("sel"), n) };
}

// A fragment (see writeFragment) with the colouring, the names of its hidden legend entries
// (`hiddenNames`) and the selection added.
function writeLinkExtras(fragment, view, n, hiddenNames) {
  const params = new URLSearchParams(fragment);
  if (view.color && view.color !== "topic") params.set("color", view.color);
  for (const name of hiddenNames) params.append("hide", name);
  if (view.selection) params.set("sel", encodeSelection(view.selection, n));
  return params.toString();
}
