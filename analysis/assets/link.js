// link.js: the view in the URL fragment, #q=...&topic=...&from=YYYY-MM-DD&to=...
// &source=...&f.<column>=...&none=<facet key>&new=1, so a link opens the same view (f.<column>:
// a facet column other than source; none=: that facet with nothing ticked, nothing shown;
// not.<facet key>=: the names left unticked, when fewer than the ticked ones, so "every source
// but one" of 2,000 is a short link). The
// isolated topic is named by its level's name: theme=, topic= or story= (see model.js).
// A fragment is untrusted input: every value is checked against the data (unknown ids, facet
// values and bad dates are dropped) and only ever used as data: compared, looked up, or shown as text.

const QUERY_MAX = 1000;
const INT_RE = /^-?\d{1,9}$/;

// A fragment's parameters (none when it cannot be parsed): untrusted, checked by its readers.
function fragmentParams(hash) {
  try {
    return new URLSearchParams(String(hash).replace(/^#/, ""));
  } catch (e) {
    return new URLSearchParams();
  }
}

// The view a fragment asks for, keeping only the values that are valid for this page:
// {query, isolated: {level, id} | null, from, to (day numbers) | null, facets: {key: Set}, onlyNew}.
function readFragment(hash, model, fd) {
  const params = fragmentParams(hash);
  const view = { query: "", isolated: null, from: null, to: null, facets: {}, onlyNew: false };
  const q = params.get("q");
  if (q !== null) view.query = normalizeQuery(q.slice(0, QUERY_MAX));
  const id = (key, known) => {
    const v = params.get(key);
    return v !== null && INT_RE.test(v) && known(Number(v)) ? Number(v) : null;
  };
  // The lowest level the link names wins (a story over its topic).
  for (const key of model.keys.slice().reverse()) {
    const known = key === "topic" ? (t) => (t === -1 ? model.noise.size > 0 : model.topicById.has(t)) : (t) => Boolean(model.record(key, t));
    const found = id(model.name(key), known);
    if (found !== null) { view.isolated = { level: key, id: found }; break; }
  }
  if (fd.day) {
    let from = params.get("from") === null ? null : fd.toDay(params.get("from"));
    let to = params.get("to") === null ? null : fd.toEnd(params.get("to"));
    if (from !== null || to !== null) {
      if (from === null) from = -1e9;
      if (to === null) to = 1e9;
      view.from = Math.min(from, to);
      view.to = Math.max(from, to);
    }
  }
  // Facets: the ticked names (unknown ones dropped), or none=<key> for nothing ticked.
  const none = params.getAll("none");
  for (const f of fd.facets) {
    const codes = new Set();
    for (const name of params.getAll(f.key)) if (f.lookup.has(name)) codes.add(f.lookup.get(name));
    const left = new Set(params.getAll("not." + f.key).filter((name) => f.lookup.has(name)).map((name) => f.lookup.get(name)));
    if (left.size && !codes.size) for (let code = 0; code < f.names.length; code++) if (!left.has(code)) codes.add(code);
    if (none.includes(f.key)) view.facets[f.key] = new Set();
    else if (codes.size && codes.size < f.names.length) view.facets[f.key] = codes;
  }
  view.onlyNew = Boolean(fd.isNew) && params.get("new") === "1";
  return view;
}

// The fragment of a view (without "#"; "" for the plain view).
function writeFragment(view, fd, model) {
  const params = new URLSearchParams();
  if (view.query) params.set("q", view.query);
  if (view.isolated) params.set(model.name(view.isolated.level), String(view.isolated.id));
  if (view.from !== null) {
    if (view.from > -1e9) params.set("from", fd.dayText(view.from));
    if (view.to < 1e9) params.set("to", fd.dayText(view.to));
  }
  for (const f of fd.facets) {
    const chosen = view.facets[f.key];
    if (chosen && chosen.size === 0) params.append("none", f.key);
    else if (chosen && chosen.size * 2 > f.names.length) {
      for (let code = 0; code < f.names.length; code++) if (!chosen.has(code)) params.append("not." + f.key, f.names[code]);
    } else if (chosen) for (const code of Array.from(chosen).sort((a, b) => a - b)) params.append(f.key, f.names[code]);
  }
  if (view.onlyNew) params.set("new", "1");
  return params.toString();
}

// Put the view in the address bar without adding a history entry. Pages shown where the URL
// cannot change (a sandboxed notebook frame) keep working without it.
function storeFragment(fragment) {
  const base = location.href.split("#")[0];
  try {
    if (location.hash.replace(/^#/, "") !== fragment) history.replaceState(history.state, "", fragment ? base + "#" + fragment : base);
  } catch (e) {
    // replaceState is refused here: the link is not updated, the view still is.
  }
}
