// filters.js: what narrows the whole view besides search and isolation: a date range (brushed
// on the timeline), the facets (a menu of ticks per source or other low-cardinality input
// column, chosen by report.py), and, after `topicmap update`, only the new items.
// Each item's day, facet values and newness are decoded here once.

const DAY_MS = 86400000;
const HOUR_MS = 3600000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/;

// "YYYY-MM-DD" (or "YYYY-MM-DDTHH", an hour) to milliseconds (UTC), or null when it is not a
// real calendar day and hour.
function parseDay(text) {
  const m = DAY_RE.exec(String(text));
  if (!m || Number(m[4] || 0) > 23) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] || 0));
  return new Date(ms).toISOString().slice(0, 10) === String(text).slice(0, 10) ? ms : null;
}

// A timeline's step: the hour when its bins are hours, else the day (see dates.timeline).
function stepMs(tl) {
  return tl && tl.unit === "hour" ? HOUR_MS : DAY_MS;
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
  const facets = (data.facets || []).filter((f) => pts.extra[f.column]).map((f, k) => facetData(pts.extra[f.column], f, k));
  const sourceFacet = facets.find((f) => f.column === "source") || null;
  let isNew = null;
  if (data.new) {
    isNew = new Uint8Array(n);
    for (const i of data.new.items) isNew[i] = 1;
  }
  const toDay = (text) => { const ms = startMs === null ? null : parseDay(text); return ms === null ? null : Math.floor((ms - startMs) / stepMs(tl)); };
  return {
    day, isNew,
    newCount: data.new ? data.new.items.length : 0,
    facets, sourceFacet,
    sources: sourceFacet ? sourceFacet.names : [],
    // Day number (hour number on an hourly timeline) from the timeline's start of "YYYY-MM-DD"
    // (or "YYYY-MM-DDTHH"), null if no day or no timeline; dayText is the reverse.
    toDay: (text) => toDay(text),
    // The same for the end of a range: a day without an hour on an hourly timeline runs to its
    // last hour ("to=2014-03-11" holds the whole of 11 March, as on a daily timeline).
    toEnd: (text) => {
      const d = toDay(text);
      return d !== null && stepMs(tl) === HOUR_MS && /^\d{4}-\d{2}-\d{2}$/.test(String(text)) ? d + 23 : d;
    },
    dayText: (d) => new Date(startMs + d * stepMs(tl)).toISOString().slice(0, stepMs(tl) === HOUR_MS ? 13 : 10),
  };
}

// A facet column: its names (the distinct values, each merged value split into its parts, so
// "ClaimsJournal.com; Reuters" counts for both), key (its name in the link: "source", or
// "f.<column>"), lookup (name -> code) and tokensOf(i), the codes of item i's names.
function facetData(col, spec, index) {
  const names = [], lookup = new Map();
  const code = (name) => {
    if (!lookup.has(name)) { lookup.set(name, names.length); names.push(name); }
    return lookup.get(name);
  };
  const valueTokens = col.values.map((v) => {
    const parts = spec.split ? String(v).split(spec.split).map((p) => p.trim()).filter(Boolean) : [String(v)];
    return Int32Array.from(new Set((parts.length ? parts : [""]).map(code)));
  });
  const codes = col.codes;
  const label = spec.column === "source" ? "Sources" : columnTitle(spec.column);
  return {
    column: spec.column, key: spec.column === "source" ? "source" : "f." + spec.column, index, label, names, lookup,
    tokensOf: codes ? (i) => valueTokens[codes[i]] : () => valueTokens[0],
  };
}

// Whether item i has one of the `chosen` names of facet f.
function facetPasses(f, chosen, i) {
  for (const t of f.tokensOf(i)) if (chosen.has(t)) return true;
  return false;
}

// The predicates of the filters in `view` ({from, to, facets, onlyNew}); null: no filter.
// facets: [{f, chosen}] for each facet whose ticks narrow the view (an empty set: nothing).
function filterTests(fd, view) {
  const facets = fd.facets.filter((f) => view.facets && view.facets[f.key]).map((f) => ({ f, chosen: view.facets[f.key] }));
  return {
    date: view.from === null ? null : (i) => fd.day[i] >= 0 && fd.day[i] >= view.from && fd.day[i] <= view.to,
    facets: facets.length ? facets : null,
    fresh: view.onlyNew ? (i) => fd.isNew[i] === 1 : null,
  };
}

// The facet menus in the filter bar, one per facet column: searchable, sorted by count, the
// top FACET_TOP shown with "more". onChange(key, Set of codes | null: all; an empty Set: none).
const FACET_TOP = 20;
function createFacets(fd, onChange) {
  const bar = document.getElementById("filter-bar"), before = document.getElementById("range-chip");
  const menus = fd.facets.map((f) => facetMenu(f, (chosen) => onChange(f.key, chosen)));
  for (const m of menus) bar.insertBefore(m.box, before);
  // counts[k][code]: facet k's items that pass every other filter; chosen: view.facets.
  return { update: (counts, chosen) => menus.forEach((m, k) => m.update(counts[k], chosen[fd.facets[k].key] || null)) };
}

function facetMenu(f, onChange) {
  const base = f.key === "source" ? "source" : "facet-" + f.index;
  const summary = el("span", { attrs: { id: base + "-summary" } });
  const list = el("div", { className: "facet-list", attrs: { id: base + "-list" } });
  const find = el("input", { className: "facet-find", attrs: { type: "search", id: base + "-find", placeholder: "Find " + f.label.toLowerCase(), "aria-label": "Find " + f.label.toLowerCase(), autocomplete: "off", spellcheck: "false" } });
  const more = el("button", { className: "more facet-more", attrs: { type: "button", id: base + "-more" } });
  const all = el("button", { text: "All", attrs: { type: "button", id: base + "-all" } });
  const none = el("button", { text: "None", attrs: { type: "button", id: base + "-none" } });
  const box = el("details", { className: "facet", attrs: { id: base + "-filter" }, data: { column: f.column } },
    el("summary", {}, f.label + ": ", summary),
    el("div", { className: "facet-pop" }, el("div", { className: "facet-actions" }, all, none),
      f.names.length > FACET_TOP ? find : null, list, more));
  // Escape or a press anywhere else closes the menu, as a menu does.
  box.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && box.open) { e.preventDefault(); box.open = false; box.querySelector("summary").focus(); }
  });
  document.addEventListener("pointerdown", (e) => { if (box.open && !box.contains(e.target)) box.open = false; });
  const rows = new Map();
  let counts = new Array(f.names.length).fill(0), chosen = null, limit = FACET_TOP;
  function row(code) {
    if (rows.has(code)) return rows.get(code);
    const name = f.names[code];
    const input = el("input", { attrs: { type: "checkbox" }, data: { code } });
    input.addEventListener("change", () => {
      const next = new Set(chosen === null ? f.names.keys() : chosen);
      if (input.checked) next.add(code); else next.delete(code);
      onChange(next.size === f.names.length ? null : next);
    });
    const count = el("span", { className: "size" });
    const label = el("label", { className: "facet-row" }, input, el("bdi", { className: name ? "name" : "name muted", text: name || "(none)" }), count);
    const r = { code, input, count, label, lower: (name || "(none)").toLowerCase() };
    rows.set(code, r);
    return r;
  }
  function render() {
    const q = find.value.trim().toLowerCase();
    const order = [];
    for (let c = 0; c < f.names.length; c++) if (!q || (f.names[c] || "(none)").toLowerCase().includes(q)) order.push(c);
    order.sort((a, b) => counts[b] - counts[a] || a - b);
    const shown = order.slice(0, limit).map(row);
    for (const r of shown) {
      r.input.checked = chosen === null || chosen.has(r.code);
      r.count.textContent = fmt(counts[r.code]);
      r.label.classList.toggle("empty", counts[r.code] === 0);
    }
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    list.replaceChildren(...shown.map((r) => r.label));
    if (focused && focused.isConnected) focused.focus();  // moved, not gone: a tick by keyboard keeps the focus
    const left = order.length - shown.length;
    more.hidden = left <= 0;
    more.textContent = "Show " + fmt(Math.min(left, FACET_TOP * 5)) + " more of " + fmt(left);
    summary.textContent = chosen === null ? "all " + fmt(f.names.length) : chosen.size === 0 ? "none" : fmt(chosen.size) + " of " + fmt(f.names.length);
  }
  all.addEventListener("click", () => onChange(null));
  none.addEventListener("click", () => onChange(new Set()));
  more.addEventListener("click", () => { limit += FACET_TOP * 5; render(); });
  find.addEventListener("input", () => { limit = FACET_TOP; render(); });
  return {
    box,
    update(nextCounts, nextChosen) {
      counts = nextCounts;
      chosen = nextChosen;
      render();
    },
  };
}
