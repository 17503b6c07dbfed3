// filters.js: what narrows the whole view besides search and isolation: a date range (brushed
// on the timeline), a source facet, and, after `topicmap update`, only the new items.
// Each item's day, source and newness are decoded here once.

const DAY_MS = 86400000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// "YYYY-MM-DD" to milliseconds (UTC midnight), or null when it is not a real calendar day.
function parseDay(text) {
  const m = DAY_RE.exec(String(text));
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : null;
}

function filterData(data, model) {
  const pts = data.points, tl = data.timeline, n = model.n;
  let day = null, startMs = null;
  if (tl) {
    const col = pts.extra[tl.column];
    startMs = parseDay(tl.start);
    day = new Int32Array(n);
    for (let i = 0; i < n; i++) day[i] = tl.value_days[col.codes ? col.codes[i] : 0];
  }
  const source = pts.extra.source && pts.extra.source.codes ? pts.extra.source : null;
  let isNew = null;
  if (data.new) {
    isNew = new Uint8Array(n);
    for (const i of data.new.items) isNew[i] = 1;
  }
  return {
    day, isNew,
    newCount: data.new ? data.new.items.length : 0,
    sources: source ? source.values : [],
    sourceCode: source ? (i) => source.codes[i] : null,
    // Day number (from the timeline's first date) of "YYYY-MM-DD", null if no day or no timeline.
    toDay: (text) => { const ms = startMs === null ? null : parseDay(text); return ms === null ? null : Math.round((ms - startMs) / DAY_MS); },
    dayText: (d) => new Date(startMs + d * DAY_MS).toISOString().slice(0, 10),
  };
}

// The predicates of the filters in `view` ({from, to, sources, onlyNew}); null: no filter.
function filterTests(fd, view) {
  return {
    date: view.from === null ? null : (i) => fd.day[i] >= view.from && fd.day[i] <= view.to,
    source: view.sources === null ? null : (i) => view.sources.has(fd.sourceCode(i)),
    fresh: view.onlyNew ? (i) => fd.isNew[i] === 1 : null,
  };
}

// The source facet: a checkbox per source with its count; onChange(Set of codes, or null: all).
function createSourceFacet(fd, onChange) {
  const box = document.getElementById("source-filter");
  if (!fd.sources.length) return { update() {} };
  box.hidden = false;
  const list = document.getElementById("source-list");
  const summary = document.getElementById("source-summary");
  const rows = fd.sources.map((name, code) => {
    const input = el("input", { attrs: { type: "checkbox" }, data: { code } });
    input.checked = true;
    input.addEventListener("change", changed);
    const count = el("span", { className: "size" });
    const label = el("label", { className: "facet-row" }, input, el("span", { className: name ? "name" : "name muted", text: name || "(no source)" }), count);
    return { code, input, count, label };
  });
  function changed() {
    const on = rows.filter((r) => r.input.checked).map((r) => r.code);
    onChange(on.length === rows.length ? null : new Set(on));
  }
  function setAll(checked) {
    for (const r of rows) r.input.checked = checked;
    changed();
  }
  document.getElementById("source-all").addEventListener("click", () => setAll(true));
  document.getElementById("source-none").addEventListener("click", () => setAll(false));

  // counts[code]: the items of each source that pass every other filter; chosen: the view's set.
  function update(counts, chosen) {
    const order = rows.slice().sort((a, b) => counts[b.code] - counts[a.code] || a.code - b.code);
    for (const r of order) {
      r.input.checked = chosen === null || chosen.has(r.code);
      r.count.textContent = fmt(counts[r.code]);
      r.label.classList.toggle("empty", counts[r.code] === 0);
    }
    list.replaceChildren(...order.map((r) => r.label));
    summary.textContent = chosen === null ? "all " + fmt(rows.length) : fmt(chosen.size) + " of " + fmt(rows.length);
  }
  return { update };
}
