// report.js: the page's state (search query, isolated topic) and the wiring between the map,
// the topic panel, the overview and the search box. Exposes window.topicmap for tests.

const SEARCH_DELAY_MS = 60;

performance.mark("topicmap:start");
const data = JSON.parse(document.getElementById("topicmap-data").textContent);
performance.mark("topicmap:parsed");
const model = buildModel(data);
performance.mark("topicmap:model");
// selected: null, or {level: "topic" | "story", id}; -1 is the unclustered items.
const state = { query: "", selected: null };
let matches = [];        // indices whose text contains the query
let highlighted = null;  // indices drawn on top, or null when nothing is filtered
let drawn = null;        // what the map shows now (skip redrawing an unfiltered map)

function isMatch(i) {
  return !state.query || model.lower()[i].includes(state.query);
}

function inSelection(i) {
  const sel = state.selected;
  if (!sel) return true;
  return (sel.level === "story" ? model.story[i] : model.topic[i]) === sel.id;
}

function isHighlighted(i) {
  return inSelection(i) && isMatch(i);
}

function recompute() {
  matches = [];
  highlighted = null;
  if (state.query) {
    const lower = model.lower();
    for (let i = 0; i < model.n; i++) if (lower[i].includes(state.query)) matches.push(i);
  }
  if (state.selected) {
    highlighted = model.members(state.selected.level, state.selected.id).filter(isMatch);
  } else if (state.query) {
    highlighted = matches;
  }
}

const countEl = document.getElementById("search-count");
const searchEl = document.getElementById("search");

// Recompute what is highlighted, then redraw the map (moving it to `box` if given), the
// panel, the timeline and the count.
function refresh(box) {
  recompute();
  const unchanged = highlighted === null && drawn === null;
  const done = unchanged && !box ? Promise.resolve() : map.show(unchanged ? undefined : highlighted, box || null);
  drawn = highlighted;
  panel.update(state.selected, state.query, matches, isMatch);
  overview.update(highlighted);
  countEl.textContent = state.query ? plural(highlighted.length, "match", "matches") : "";
  document.body.classList.toggle("filtering", highlighted !== null);
  return done;
}

// Isolate a topic or story and zoom to it (again on the same one, or level null: show all).
function select(level, id) {
  const same = state.selected && level && state.selected.level === level && state.selected.id === id;
  state.selected = level && !same && model.record(level, id) ? { level, id } : null;
  return refresh(state.selected ? model.record(level, id).box : "home");
}

function search(text) {
  state.query = text.trim().toLowerCase();
  return refresh();
}

function summary() {
  const stories = model.twoLevels ? " (" + plural(model.stories.length, "story", "stories") + ")" : "";
  return plural(model.n, "item") + " · " + plural(model.topics.length, "topic") + stories + " · " +
    fmt(model.noise.size) + " unclustered (" + percent(model.noise.size, model.n) + ")";
}

const handlers = { select, selected: () => state.selected };
const map = createMap(model, handlers);
const panel = createPanel(model, handlers);
// The overview's charts are drawn after the map has painted (see the end).
let overview = { update() {} };
document.getElementById("summary").textContent = summary();

const runSearch = debounce(() => search(searchEl.value), SEARCH_DELAY_MS);
searchEl.addEventListener("input", runSearch);
searchEl.addEventListener("keydown", (e) => {
  if (e.key === "Escape") { searchEl.value = ""; search(""); }
});
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && document.activeElement !== searchEl) { e.preventDefault(); searchEl.focus(); }
});
document.getElementById("reset").addEventListener("click", () => {
  searchEl.value = "";
  state.query = "";
  select(null);
});

const api = {
  data, model, state, isHighlighted, select, search, paintedAt: null, chartsAt: null,
  highlighted: () => highlighted, matches: () => matches,
  plotted: () => map.groups.slice(0, -1).flat().sort((a, b) => a - b),
};
window.topicmap = api;
const afterPaint = (fn) => requestAnimationFrame(() => requestAnimationFrame(fn));
map.ready.then(() => {
  performance.mark("topicmap:map");
  refresh();
  afterPaint(() => {
    performance.mark("topicmap:painted");
    api.paintedAt = performance.now();
    overview = createOverview(model, handlers);
    overview.ready.then(() => {
      overview.update(highlighted);
      afterPaint(() => {
        api.chartsAt = performance.now();
        document.body.dataset.ready = "true";
      });
    });
  });
});
