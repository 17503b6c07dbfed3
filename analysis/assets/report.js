// report.js: the page's view (search, isolated topic or story, filters, selection) and the
// wiring between the map, the panel, the overview, the filters, the link in the URL fragment
// and the page API, window.topicmap.

// The search runs once typing pauses this long: longer on big maps, whose redraw (0.3 s at
// 40,000 items) would otherwise run on every key and fall behind the typing.
const SEARCH_DELAY_MS = (n) => (n > 20000 ? 350 : n > 5000 ? 150 : 60);

performance.mark("topicmap:start");
const data = JSON.parse(document.getElementById("topicmap-data").textContent);
performance.mark("topicmap:parsed");
const model = buildModel(data);
const fd = filterData(data, model);
performance.mark("topicmap:model");
// isolated: null or {level, id}, level a key of model.keys ("topic": the top level, "mid",
// "story"; see model.js), id -1: the unclustered items; from, to: a
// date range as day numbers (see filters.js) or null; facets: per facet key, the Set of its
// ticked codes (absent or null: every value; an empty Set: none, nothing shown); query: the
// search (search.js); selection: the item indices picked on the map, sorted, or null.
const view = { query: "", isolated: null, from: null, to: null, facets: {}, onlyNew: false, selection: null };
// color: how the map is coloured ("topic", a column, "date"; see color.js); hidden: the legend
// entries switched off (a Set of category numbers) or null.
Object.assign(view, { color: "topic", hidden: null });
let selectionMask = null;  // Uint8Array of view.selection
let visible = null;        // Uint8Array: 1 for the items the filters let through (null: no filter on)
let shownItems = null;     // the indices of those items
let matches = [];          // shown items whose text matches the query
let highlighted = null;    // shown items in focus (search, isolation, selection); null: no focus
let timelineItems = null;  // the items the timeline counts: every filter but the date range
let facetCounts = [];      // per facet, per name: the items that pass every filter but that facet
let drawn = { highlighted: null, visible: null };  // what the map shows now

// The search as a matcher (search.js), null when there is no query.
function queryMatcher() {
  const m = view.query ? compileQuery(view.query) : null;
  return m && !m.empty ? m : null;
}

function isMatch(i) {
  const m = queryMatcher();
  return (!m || m.test(model.text[i])) && (!selectionMask || selectionMask[i] === 1);
}

function isHighlighted(i) {
  const iso = view.isolated;
  const inIsolated = !iso || model.labels(iso.level)[i] === iso.id;
  return (!visible || visible[i] === 1) && inIsolated && isMatch(i);
}

function recompute() {
  if (view.query && compileQuery(view.query).empty) view.query = "";  // only operators or quotes: no search
  const tests = filterTests(fd, view);
  const legendTest = colorMenu.test(view.color, view.hidden), fresh = tests.fresh;  // hidden legend entries filter too
  if (legendTest) tests.fresh = fresh ? (i) => fresh(i) && legendTest(i) : legendTest;
  const filtered = Boolean(tests.date || tests.facets || tests.fresh);
  const focused = Boolean(view.query || view.isolated || view.selection);
  const matcher = queryMatcher(), texts = model.text;
  const iso = view.isolated, isoLabels = iso ? model.labels(iso.level) : null;
  const sel = selectionMask;
  const facetTests = tests.facets || [], nf = fd.facets.length;
  visible = filtered ? new Uint8Array(model.n) : null;
  shownItems = filtered ? [] : null;
  matches = [];
  highlighted = focused ? [] : null;
  timelineItems = tests.facets || tests.fresh || focused ? [] : null;
  facetCounts = fd.facets.map((f) => new Array(f.names.length).fill(0));
  for (let i = 0; i < model.n; i++) {
    const inDates = !tests.date || tests.date(i), isFresh = !tests.fresh || tests.fresh(i);
    let failed = -1, fails = 0;  // the facets item i fails: with one, it still counts in that one's menu
    for (const t of facetTests) if (!facetPasses(t.f, t.chosen, i)) { fails += 1; failed = t.f.index; }
    const inFacets = fails === 0;
    const matching = !matcher || matcher.test(texts[i]);
    const inFocus = matching && (!iso || isoLabels[i] === iso.id) && (!sel || sel[i] === 1);
    if (nf && fails <= 1 && inDates && isFresh && inFocus) {
      for (let k = 0; k < nf; k++) if (fails === 0 || failed === k) for (const c of fd.facets[k].tokensOf(i)) facetCounts[k][c] += 1;
    }
    if (timelineItems && inFacets && isFresh && inFocus) timelineItems.push(i);
    if (!(inDates && inFacets && isFresh)) continue;
    if (visible) { visible[i] = 1; shownItems.push(i); }
    if (matcher && matching) matches.push(i);
    if (highlighted && inFocus) highlighted.push(i);
  }
  return filtered;
}

const countEl = document.getElementById("search-count");
const searchEl = document.getElementById("search");
searchEl.maxLength = QUERY_MAX;  // the box holds no more than is searched (and the link carries)

// Recompute what is shown and highlighted, then redraw the map (moving it to `box` if
// given), the panel, the tree, the filters, the overview and the count, and store the link.
function refresh(box) {
  const filtered = recompute();
  const hi = highlighted === null && drawn.highlighted === null ? undefined : highlighted;
  const vis = visible === null && drawn.visible === null ? undefined : visible;
  const done = hi === undefined && vis === undefined && !box ? Promise.resolve() : map.show(hi, box || null, vis);
  drawn = { highlighted, visible };
  panel.update(view.isolated, view.query, view.query ? matches : shownItems || [], isMatch, filtered);
  tree.update(filtered || view.query || view.selection ? nodeCounts(highlighted || shownItems) : null, view.isolated);
  selection.update(view.selection ? highlighted : null);
  tabs.offer("selection", view.selection !== null);
  facetMenus.update(facetCounts, view.facets);
  news.update(view.onlyNew);
  showRange();
  overview.update({ timeline: timelineItems, bars: highlighted || shownItems, range: view.from === null ? null : { from: view.from, to: view.to } });
  countEl.textContent = view.query ? plural(highlighted.length, "match", "matches") : "";
  document.body.classList.toggle("filtering", highlighted !== null);
  table.update(highlighted || shownItems);
  colorMenu.update(view.color, view.hidden);
  storeFragment(writeLinkExtras(writeFragment(view, fd, model), view, model.n, hiddenNames()));
  return done;
}

// Items per tree node ("topic:id", "mid:id", "story:id") among `indices`.
function nodeCounts(indices) {
  const counts = new Map();
  const add = (key) => counts.set(key, (counts.get(key) || 0) + 1);
  const levels = model.keys.map((key) => [key + ":", model.labels(key)]);
  for (const i of indices) for (const [prefix, labels] of levels) add(prefix + labels[i]);
  return counts;
}

const rangeChip = document.getElementById("range-chip");
function showRange() {
  rangeChip.hidden = view.from === null;
  if (view.from === null) return;
  const from = view.from > -1e9 ? fd.dayText(view.from) : "…", to = view.to < 1e9 ? fd.dayText(view.to) : "…";
  document.getElementById("range-text").textContent = from === to ? from : from + " – " + to;
}

// Isolate a topic of level `level` (a key of model.keys) and zoom to it (again on the same
// one, or level null: show all).
function isolate(level, id) {
  const same = view.isolated && level && view.isolated.level === level && view.isolated.id === id;
  view.isolated = level && !same && model.record(level, id) ? { level, id } : null;
  return refresh(view.isolated ? model.record(level, id).box : "home");
}

function search(text) {
  view.query = normalizeQuery(text).slice(0, QUERY_MAX);
  return refresh();
}

// Select items (indices; null or none: clear) as the box and the lasso do.
function selectItems(indices) {
  view.selection = indices && indices.length ? indices : null;
  selectionMask = null;
  if (view.selection) {
    selectionMask = new Uint8Array(model.n);
    for (const i of view.selection) selectionMask[i] = 1;
    view.isolated = null;  // the selection is the new focus: its list replaces the topic's
  }
  const done = refresh();
  if (view.selection) tabs.show("selection");
  return done;
}

let docIndex = null;
function selectDocs(docIds) {
  docIndex = docIndex || new Map(Array.from({ length: model.n }, (_, i) => [model.docId(i), i]));
  const found = new Set();
  for (const id of docIds) if (docIndex.has(String(id))) found.add(docIndex.get(String(id)));
  return selectItems(Array.from(found).sort((a, b) => a - b));
}

// The date range as day numbers (null: none).
function brush(from, to) {
  view.from = from === null || from === undefined ? null : from;
  view.to = view.from === null ? null : to;
  return refresh();
}

function maskOf(indices) {
  const mask = new Uint8Array(model.n);
  for (const i of indices) mask[i] = 1;
  return mask;
}

// Colour the map by `key` (see color.js; an unknown key: by topic); shows every legend entry.
function setColor(key) {
  view.color = colorMenu.valid(key) ? key : "topic";
  view.hidden = null;
  map.setColors(colorMenu.colorFn(view.color));
  return refresh();
}

// Bring the map into view when it is mostly scrolled out (a phone's one column).
function revealMap() {
  const r = document.getElementById("map").getBoundingClientRect();
  const seen = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
  if (seen < r.height / 2) document.querySelector(".map-panel").scrollIntoView({ block: "start" });
}

// The names of the legend entries hidden now, in the legend's order ([]: none).
function hiddenNames() {
  const c = colorMenu.coloring(view.color);
  return c && view.hidden ? c.categories.filter((_, k) => view.hidden.has(k)).map((cat) => cat.name) : [];
}

function applyView(next) {
  const color = view.color;
  Object.assign(view, next);
  selectionMask = view.selection ? maskOf(view.selection) : null;
  if (view.color !== color) map.setColors(colorMenu.colorFn(view.color));
  searchEl.value = view.query;
  return refresh(view.isolated ? model.record(view.isolated.level, view.isolated.id).box : "home");
}

function reset() {
  searchEl.value = "";
  Object.assign(view, { query: "", isolated: null, from: null, to: null, facets: {}, onlyNew: false, selection: null, hidden: null });
  selectionMask = null;
  return refresh("home");
}

function summary() {
  const count = (key) => plural(model.records(key).length, model.word(key), model.word(key, true));
  const below = model.keys.slice(1).map(count).join(", ");
  return plural(model.n, "item") + " · " + count("topic") + (below ? " (" + below + ")" : "") + " · " +
    fmt(model.noise.size) + " unclustered (" + percent(model.noise.size, model.n) + ")";
}

// The page's words follow the levels it shows (Themes, Topics, Stories).
function applyWords() {
  const cap = (w) => w[0].toUpperCase() + w.slice(1);
  const top = model.word("topic"), tops = model.word("topic", true);
  const set = (selector, text) => { document.querySelector(selector).textContent = text; };
  set("#panel-tabs [data-view=topic-list]", cap(tops));
  set("#topic-list-title", cap(tops));
  set("#back", "← All " + tops);
  set("#selection-by", "By " + top);
  set("#sizes-caption", cap(top) + " sizes (click a bar to isolate the " + top + ")");
  set("#news-grew-title", cap(tops) + " that grew most");
  set("#news-fresh-title", "New " + tops);
  const levels = model.keys.map((k) => model.word(k, true));
  if (levels.length > 1) {  // (one level: no tree)
    set("#tree-hint", cap(levels.slice(0, -1).join(", ") + " and their " + levels[levels.length - 1]) +
      ": ▸ opens one, a name isolates it on the map.");
  }
}

const handlers = {
  select: (level, id) => { const done = isolate(level, id); if (view.isolated) revealMap(); return done; }, selected: () => view.isolated, selectItems, brush,
  visible: (i) => !visible || visible[i] === 1,
  onlyNew: (on) => { view.onlyNew = Boolean(on) && Boolean(fd.isNew); return refresh(); },
  // The first and last date of `items` ("dated 2018-05-14 to 2022-09-20"), null when none is
  // dated: a story of one event spans days, a recurring subject years.
  dateSpan: (items) => {
    if (!fd.day) return null;
    let lo = Infinity, hi = -Infinity;
    for (const i of items) if (fd.day[i] >= 0) { lo = Math.min(lo, fd.day[i]); hi = Math.max(hi, fd.day[i]); }
    if (lo > hi) return null;
    return "dated " + fd.dayText(lo) + (hi > lo ? " to " + fd.dayText(hi) : "");
  },
};
const map = createMap(model, handlers);
const panel = createPanel(model, handlers);
const tabs = createTabs();
const colorMenu = createColor(data, model, setColor, (hidden) => { view.hidden = hidden; refresh(); });
const table = createTable(model);
tabs.offer("tree", model.twoLevels);
const tree = createTree(model, handlers);
const selection = createSelection(model, fd, map, handlers);
const facetMenus = createFacets(fd, (key, codes) => { view.facets = { ...view.facets, [key]: codes }; refresh(); });
const news = createNews(model, fd, data.new, handlers);
// The overview's charts are drawn after the map has painted (see the end).
let overview = { update() {} };
document.getElementById("summary").textContent = summary();
applyWords();
// A link's view is read before the first paint; bad values in it are dropped (link.js).
Object.assign(view, readFragment(location.hash, model, fd), readLinkExtras(location.hash, model.n, colorMenu.valid, colorMenu.coloring));
if (view.selection) selectionMask = maskOf(view.selection);
searchEl.value = view.query;

const runSearch = debounce(() => search(searchEl.value), SEARCH_DELAY_MS(model.n));
searchEl.addEventListener("input", runSearch);
searchEl.addEventListener("keydown", (e) => {
  if (e.key === "Escape") { searchEl.value = ""; search(""); }
});
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && !(document.activeElement instanceof HTMLInputElement && document.activeElement.type !== "checkbox")) { e.preventDefault(); searchEl.focus(); }
});
document.getElementById("reset").addEventListener("click", reset);
document.getElementById("range-clear").addEventListener("click", () => brush(null));
window.addEventListener("hashchange", () => applyView({ ...readFragment(location.hash, model, fd), ...readLinkExtras(location.hash, model.n, colorMenu.valid, colorMenu.coloring) }));

const api = {
  data, model, isHighlighted, search, isolate, selectItems, reset, paintedAt: null, chartsAt: null,
  // {query, topic, story, from, to, sources, facets, selected}: the view as the link holds it,
  // plus the doc_ids of the selected items. topic, story and (on a page that shows themes)
  // theme: the id isolated at that level, else null. sources and each facets[column]: the
  // ticked names, null when every value is (no filter), [] when none is (nothing shown).
  state: () => ({
    query: view.query,
    ...isolatedState(),
    from: view.from !== null && view.from > -1e9 ? fd.dayText(view.from) : null,
    to: view.to !== null && view.to < 1e9 ? fd.dayText(view.to) : null,
    sources: fd.sourceFacet ? facetState(fd.sourceFacet) : null,
    facets: Object.fromEntries(fd.facets.map((f) => [f.column, facetState(f)])),
    selected: (view.selection || []).map(model.docId),
    color: view.color,
    hidden: hiddenNames(),
    onlyNew: view.onlyNew,
  }),
  // {level, id}: what is isolated, level the name of its level ("theme", "topic", "story"); null: nothing.
  isolated: () => (view.isolated ? { level: model.name(view.isolated.level), id: view.isolated.id } : null),
  // select(docIds) selects items as the lasso does; select(level, id) isolates topic `id` of
  // the level named `level` ("theme", "topic", "story": the levels the page shows), select(null)
  // shows all. The setters (see apiSetters) check their arguments.
  select: (what, id) => (Array.isArray(what) ? selectDocs(what) : apiIsolate(what, id)),
  highlighted: () => highlighted, matches: () => matches,
  plotted: () => map.groups.slice(0, -1).flat().sort((a, b) => a - b),
};
// Colour the map by "topic", "date" or a column (colorOptions() lists them).
Object.assign(api, {
  setColor: (key) => {
    if (!colorMenu.valid(key)) throw new RangeError("setColor(key): key is one of " + colorMenu.options.map((o) => JSON.stringify(o.key)).join(", "));
    return setColor(key);
  },
  colorOptions: () => colorMenu.options.map((o) => o.key),
});
window.topicmap = api;
Object.assign(api, apiSetters());
const afterPaint = (fn) => requestAnimationFrame(() => requestAnimationFrame(fn));
map.ready.then(() => {
  performance.mark("topicmap:map");
  if (view.color !== "topic") map.setColors(colorMenu.colorFn(view.color));
  refresh(view.isolated ? model.record(view.isolated.level, view.isolated.id).box : undefined);
  if (view.selection) tabs.show("selection");  // a link's selection opens on its list
  afterPaint(() => {
    performance.mark("topicmap:painted");
    api.paintedAt = performance.now();
    overview = createOverview(model, handlers);
    overview.ready.then(() => {
      refresh();
      afterPaint(() => {
        api.chartsAt = performance.now();
        document.body.dataset.ready = "true";
      });
    });
  });
});

// The page API's setters and readers beyond the view's basics. Every setter checks its
// arguments (a TypeError or RangeError names the problem) and refuses what this page does
// not hold, so state(), the link and what is shown stay in step.
function apiSetters() {
  return {
    isolate: (level, id) => apiIsolate(level, id),
    // Item indices (0 to n - 1); others are ignored; null or []: clear.
    selectItems: (indices) => selectItems(checkedIndices(indices)),
    search: (text) => {
      if (text !== null && text !== undefined && typeof text !== "string") throw new TypeError("search(text): text is a string");
      searchEl.value = text || "";  // the box shows what was searched, as a link's q= does
      return search(text || "");
    },
    // The date range as "YYYY-MM-DD" strings (null: open end; both null: no range).
    // On a map without dates a range narrows nothing: no range.
    setRange: (from, to) => {
      const open = (v) => v === null || v === undefined;
      if (![from, to].every((v) => open(v) || (typeof v === "string" && parseDay(v) !== null))) {
        throw new RangeError("setRange(from, to): dates are \"YYYY-MM-DD\" strings or null");
      }
      if (!fd.day || (open(from) && open(to))) return brush(null);
      const a = open(from) ? -1e9 : fd.toDay(from), b = open(to) ? 1e9 : fd.toEnd(to);
      return brush(Math.min(a, b), Math.max(a, b));
    },
    // setSources("Reuters") or setSources(["AP", "Reuters"]); null: every source; []: none.
    setSources: (names) => setFacet("source", names),
    // The same for any facet column: setFacet("label", "sport").
    setFacet: (column, names) => setFacet(column, names),
    onlyNew: (on) => {
      if (typeof on !== "boolean") throw new TypeError("onlyNew(on): on is true or false");
      return handlers.onlyNew(on);
    },
    // The doc_ids of the items in view now: every filter, search, isolation and selection applied.
    shown: () => (highlighted || shownItems || Array.from({ length: model.n }, (_, i) => i)).map(model.docId),
    // The search syntax's pure functions (search.js).
    query: {
      normalize: normalizeQuery, parse: parseQuery,
      test: (q, text) => compileQuery(normalizeQuery(q)).test(String(text)),
      marks: (q, text) => compileQuery(normalizeQuery(q)).ranges(String(text)),
    },
  };
}

// The ticked names of facet f (null: all; []: none).
function facetState(f) {
  const chosen = view.facets[f.key];
  return chosen ? Array.from(chosen).sort((a, b) => a - b).map((c) => f.names[c]) : null;
}

function setFacet(column, names) {
  const f = fd.facets.find((x) => x.column === column);
  if (!f) throw new RangeError("no facet " + JSON.stringify(String(column)) + " on this page" + (fd.facets.length ? ": use one of " + fd.facets.map((x) => x.column).join(", ") : ""));
  let list = null;
  if (typeof names === "string") list = [names];
  else if (Array.isArray(names) && names.every((s) => typeof s === "string")) list = names;
  else if (names !== null && names !== undefined) throw new TypeError("set " + column + ": a name, an array of names, or null for all");
  const unknown = (list || []).filter((s) => !f.lookup.has(s));
  if (unknown.length) throw new RangeError("unknown " + column + ": " + unknown.map((s) => JSON.stringify(s)).join(", "));
  const codes = list ? new Set(list.map((s) => f.lookup.get(s))) : null;
  view.facets = { ...view.facets, [f.key]: codes && codes.size === f.names.length ? null : codes };
  return refresh();
}

// The state() fields of the isolated topic: topic, story and every shown level's name.
function isolatedState() {
  const out = { topic: null, story: null };
  for (const key of model.keys) out[model.name(key)] = null;
  if (view.isolated) out[model.name(view.isolated.level)] = view.isolated.id;
  return out;
}

// The key of the level named `name` (see model.js); "theme" also names a top level named
// "topic" (pages of two levels made before levels had names).
function levelKey(name) {
  if (typeof name !== "string") return undefined;
  const key = model.keyOf(name);
  return key || (name === "theme" && model.name("topic") === "topic" ? "topic" : undefined);
}

function apiIsolate(level, id) {
  if (level === null || level === undefined) return isolate(null);
  const key = levelKey(level);
  if (!key) throw new RangeError("select(level, id): level is " + model.keys.map((k) => JSON.stringify(model.name(k))).join(" or "));
  if (!Number.isInteger(id) || !model.record(key, id)) {
    throw new RangeError("select(level, id): no " + level + " " + JSON.stringify(id) + " on this map");
  }
  return isolate(key, id);
}

function checkedIndices(indices) {
  if (indices === null || indices === undefined) return [];
  if (!Array.isArray(indices)) throw new TypeError("selectItems(indices): an array of item indices (0 to n - 1), or null");
  return Array.from(new Set(indices.filter((i) => Number.isInteger(i) && i >= 0 && i < model.n))).sort((a, b) => a - b);
}
