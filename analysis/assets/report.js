// report.js: the page's view (search, isolated topic or story, filters, selection) and the
// wiring between the map, the panel, the overview, the filters, the link in the URL fragment
// and the page API, window.topicmap.

const SEARCH_DELAY_MS = 60;

performance.mark("topicmap:start");
const data = JSON.parse(document.getElementById("topicmap-data").textContent);
performance.mark("topicmap:parsed");
const model = buildModel(data);
const fd = filterData(data, model);
performance.mark("topicmap:model");
// isolated: null or {level: "topic" | "story", id} (-1: the unclustered items); from, to: a
// date range as day numbers (see filters.js) or null; sources: a Set of source codes or null
// (every source); selection: the item indices picked on the map, sorted, or null.
const view = { query: "", isolated: null, from: null, to: null, sources: null, onlyNew: false, selection: null };
let selectionMask = null;  // Uint8Array of view.selection
let visible = null;        // Uint8Array: 1 for the items the filters let through (null: no filter on)
let shownItems = null;     // the indices of those items
let matches = [];          // shown items whose text contains the query
let highlighted = null;    // shown items in focus (search, isolation, selection); null: no focus
let timelineItems = null;  // the items the timeline counts: every filter but the date range
let sourceCounts = null;   // per source, the items that pass every filter but the source facet
let drawn = { highlighted: null, visible: null };  // what the map shows now

function isMatch(i) {
  return (!view.query || model.lower()[i].includes(view.query)) && (!selectionMask || selectionMask[i] === 1);
}

function isHighlighted(i) {
  const iso = view.isolated;
  const inIsolated = !iso || (iso.level === "story" ? model.story[i] : model.topic[i]) === iso.id;
  return (!visible || visible[i] === 1) && inIsolated && isMatch(i);
}

function recompute() {
  const tests = filterTests(fd, view);
  const filtered = Boolean(tests.date || tests.source || tests.fresh);
  const focused = Boolean(view.query || view.isolated || view.selection);
  const lower = view.query ? model.lower() : null, query = view.query;
  const iso = view.isolated, isoLabels = iso ? (iso.level === "story" ? model.story : model.topic) : null;
  const sel = selectionMask;
  visible = filtered ? new Uint8Array(model.n) : null;
  shownItems = filtered ? [] : null;
  matches = [];
  highlighted = focused ? [] : null;
  timelineItems = tests.source || tests.fresh || focused ? [] : null;
  sourceCounts = fd.sourceCode ? new Array(fd.sources.length).fill(0) : null;
  for (let i = 0; i < model.n; i++) {
    const inDates = !tests.date || tests.date(i), inSources = !tests.source || tests.source(i), isFresh = !tests.fresh || tests.fresh(i);
    const matching = !lower || lower[i].includes(query);
    const inFocus = matching && (!iso || isoLabels[i] === iso.id) && (!sel || sel[i] === 1);
    if (sourceCounts && inDates && isFresh && inFocus) sourceCounts[fd.sourceCode(i)] += 1;
    if (timelineItems && inSources && isFresh && inFocus) timelineItems.push(i);
    if (!(inDates && inSources && isFresh)) continue;
    if (visible) { visible[i] = 1; shownItems.push(i); }
    if (lower && matching) matches.push(i);
    if (highlighted && inFocus) highlighted.push(i);
  }
  return filtered;
}

const countEl = document.getElementById("search-count");
const searchEl = document.getElementById("search");

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
  sourceFacet.update(sourceCounts || [], view.sources);
  news.update(view.onlyNew);
  showRange();
  overview.update({ timeline: timelineItems, bars: highlighted || shownItems, range: view.from === null ? null : { from: view.from, to: view.to } });
  countEl.textContent = view.query ? plural(highlighted.length, "match", "matches") : "";
  document.body.classList.toggle("filtering", highlighted !== null);
  storeFragment(writeFragment(view, fd));
  return done;
}

// Items per tree node ("topic:id", "story:id") among `indices`.
function nodeCounts(indices) {
  const counts = new Map();
  const add = (key) => counts.set(key, (counts.get(key) || 0) + 1);
  for (const i of indices) {
    add("topic:" + model.topic[i]);
    if (model.twoLevels) add("story:" + model.story[i]);
  }
  return counts;
}

const rangeChip = document.getElementById("range-chip");
function showRange() {
  rangeChip.hidden = view.from === null;
  if (view.from === null) return;
  const from = view.from > -1e9 ? fd.dayText(view.from) : "…", to = view.to < 1e9 ? fd.dayText(view.to) : "…";
  document.getElementById("range-text").textContent = from === to ? from : from + " – " + to;
}

// Isolate a topic or story and zoom to it (again on the same one, or level null: show all).
function isolate(level, id) {
  const same = view.isolated && level && view.isolated.level === level && view.isolated.id === id;
  view.isolated = level && !same && model.record(level, id) ? { level, id } : null;
  return refresh(view.isolated ? model.record(level, id).box : "home");
}

function search(text) {
  view.query = String(text).trim().toLowerCase();
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

function applyView(next) {
  Object.assign(view, next);
  searchEl.value = view.query;
  return refresh(view.isolated ? model.record(view.isolated.level, view.isolated.id).box : "home");
}

function reset() {
  searchEl.value = "";
  Object.assign(view, { query: "", isolated: null, from: null, to: null, sources: null, onlyNew: false, selection: null });
  selectionMask = null;
  return refresh("home");
}

function summary() {
  const stories = model.twoLevels ? " (" + plural(model.stories.length, "story", "stories") + ")" : "";
  return plural(model.n, "item") + " · " + plural(model.topics.length, "topic") + stories + " · " +
    fmt(model.noise.size) + " unclustered (" + percent(model.noise.size, model.n) + ")";
}

const handlers = {
  select: isolate, selected: () => view.isolated, selectItems, brush,
  visible: (i) => !visible || visible[i] === 1,
  onlyNew: (on) => { view.onlyNew = Boolean(on) && Boolean(fd.isNew); return refresh(); },
};
const map = createMap(model, handlers);
const panel = createPanel(model, handlers);
const tabs = createTabs();
tabs.offer("tree", model.twoLevels);
const tree = createTree(model, handlers);
const selection = createSelection(model, fd, map, handlers);
const sourceFacet = createSourceFacet(fd, (codes) => { view.sources = codes; refresh(); });
const news = createNews(model, fd, data.new ? data.new.since : null, handlers);
// The overview's charts are drawn after the map has painted (see the end).
let overview = { update() {} };
document.getElementById("summary").textContent = summary();
// A link's view is read before the first paint; bad values in it are dropped (link.js).
Object.assign(view, readFragment(location.hash, model, fd));
searchEl.value = view.query;

const runSearch = debounce(() => search(searchEl.value), SEARCH_DELAY_MS);
searchEl.addEventListener("input", runSearch);
searchEl.addEventListener("keydown", (e) => {
  if (e.key === "Escape") { searchEl.value = ""; search(""); }
});
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && document.activeElement !== searchEl) { e.preventDefault(); searchEl.focus(); }
});
document.getElementById("reset").addEventListener("click", reset);
document.getElementById("range-clear").addEventListener("click", () => brush(null));
window.addEventListener("hashchange", () => applyView({ ...readFragment(location.hash, model, fd), selection: view.selection }));

const api = {
  data, model, isHighlighted, search, isolate, selectItems, reset, paintedAt: null, chartsAt: null,
  // {query, topic, story, from, to, sources, selected}: the view as the link holds it, plus
  // the doc_ids of the selected items.
  state: () => ({
    query: view.query,
    topic: view.isolated && view.isolated.level === "topic" ? view.isolated.id : null,
    story: view.isolated && view.isolated.level === "story" ? view.isolated.id : null,
    from: view.from !== null && view.from > -1e9 ? fd.dayText(view.from) : null,
    to: view.to !== null && view.to < 1e9 ? fd.dayText(view.to) : null,
    sources: view.sources ? Array.from(view.sources).sort((a, b) => a - b).map((c) => fd.sources[c]) : [],
    selected: (view.selection || []).map(model.docId),
  }),
  isolated: () => view.isolated,
  // select(docIds) selects items as the lasso does; select(level, id) isolates a topic or story.
  select: (what, id) => (Array.isArray(what) ? selectDocs(what) : isolate(what, id)),
  // The date range as "YYYY-MM-DD" strings (null: open end; both null: no range).
  setRange: (from, to) => {
    const a = from === null ? -1e9 : fd.toDay(from), b = to === null ? 1e9 : fd.toDay(to);
    return a === null || b === null || (from === null && to === null) ? brush(null) : brush(Math.min(a, b), Math.max(a, b));
  },
  setSources: (names) => {
    const codes = new Set((names || []).map((s) => fd.sources.indexOf(String(s))).filter((c) => c >= 0));
    view.sources = codes.size && codes.size < fd.sources.length ? codes : null;
    return refresh();
  },
  onlyNew: handlers.onlyNew,
  highlighted: () => highlighted, matches: () => matches,
  plotted: () => map.groups.slice(0, -1).flat().sort((a, b) => a - b),
};
window.topicmap = api;
const afterPaint = (fn) => requestAnimationFrame(() => requestAnimationFrame(fn));
map.ready.then(() => {
  performance.mark("topicmap:map");
  refresh(view.isolated ? model.record(view.isolated.level, view.isolated.id).box : undefined);
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
