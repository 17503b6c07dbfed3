// panel.js: the topic panel. Every top-level topic with its name, size, keywords and
// representative items; an isolated topic's details (of any level: its parents, the topics one
// level below it) with all its items; the search matches.

const REPRESENTATIVES_ON_CARD = 3;

function swatch(color) {
  return el("span", { className: "swatch", style: { background: color }, attrs: { "aria-hidden": "true" } });
}

// Facts shown side by side, each isolated (<bdi>) so that right-to-left text or an unclosed
// direction override in one cannot reorder the others; `sep` between them.
function isolatedJoin(facts, sep) {
  const out = [];
  facts.forEach((f, k) => { if (k) out.push(sep); out.push(el("bdi", { text: f })); });
  return out;
}

// One item in a list: its text (options.query's matches marked), then its topic (with
// options.topic) or the part of the isolated group it is in (options.part, the level below,
// in the part's colour on the map), kind, source, date.
function itemEntry(model, i, options) {
  const meta = [];
  if (options.topic) {
    const t = model.topicById.get(model.topic[i]) || model.noise;
    meta.push(el("span", { className: "item-topic" }, swatch(t.color), el("bdi", { text: t.name })));
  }
  const labels = options.part ? model.labels(options.part) : null;
  const part = labels ? model.record(options.part, labels[i]) : null;
  if (part && part.part_color) meta.push(el("span", { className: "item-topic" }, swatch(part.part_color), el("bdi", { text: part.name })));
  const facts = [model.kind(i), ...model.extras.map((e) => e.get(i))].filter(Boolean);
  meta.push(el("span", { className: "item-facts" }, ...isolatedJoin(facts, " · ")));
  return el("li", { className: options.match && options.match(i) ? "item match" : "item" },
    el("bdi", { className: "item-text" }, ...markMatches(model.text[i], options.query)), el("span", { className: "item-meta" }, ...meta));
}

function activate(node, action) {
  node.tabIndex = 0;
  node.setAttribute("role", "button");
  node.addEventListener("click", action);
  // Keys pressed on a control inside it (a tree row's ▸) are that control's, not the row's.
  node.addEventListener("keydown", (e) => {
    if (e.target !== node || (e.key !== "Enter" && e.key !== " ")) return;
    e.preventDefault();
    action();
    // The view it opened hid or redrew the row: the keyboard goes on from "← All …", not
    // from the top of the page.
    if (!node.isConnected || node.offsetParent === null) focusShown(document.getElementById("back"));
  });
  return node;
}

// Focus `node` when it is shown (without scrolling the page to it).
function focusShown(node) {
  if (node && node.isConnected && node.offsetParent !== null) node.focus({ preventScroll: true });
}

function topicCard(model, t, biggest, onSelect) {
  const share = Math.min(100, (100 * t.size) / Math.max(biggest, 1));
  const card = el("li", { className: t.id < 0 ? "topic-card unclustered" : "topic-card", data: { topic: t.id } },
    el("div", { className: "card-head" }, swatch(t.color), el("span", { className: "name", text: t.name }),
      el("span", { className: "match-count" }), el("span", { className: "size", text: fmt(t.size) })),
    el("div", { className: "share" }, el("span", { style: { width: Math.max(share, 0.5) + "%", background: t.color } })));
  if (t.description) card.append(el("p", { className: "description", text: t.description }));
  if (t.keywords.length) card.append(el("p", { className: "keywords", text: t.keywords.slice(0, 6).join(" · ") }));
  if (t.id < 0) card.append(el("p", { className: "keywords", text: "Items that fit no topic" }));
  const reps = t.representatives.slice(0, REPRESENTATIVES_ON_CARD);
  if (reps.length) card.append(el("ul", { className: "reps" }, ...reps.map((r) => el("li", { text: r, title: r }))));
  return activate(card, () => onSelect("topic", t.id));
}

function createPanel(model, handlers) {
  const listView = document.getElementById("browse");
  const list = document.getElementById("topic-list");
  const results = document.getElementById("search-results");
  const detail = document.getElementById("topic-detail");
  const cards = new Map();
  const groups = model.noise.size ? [...model.topics, model.noise] : model.topics;
  const biggest = Math.max(0, ...groups.map((t) => t.size));
  for (const t of groups) {
    const card = topicCard(model, t, biggest, handlers.select);
    cards.set(t.id, card);
    list.append(card);
  }
  document.getElementById("topic-count").textContent = "(" + fmt(model.topics.length) + ")";
  // Back by keyboard (a click of detail 0) returns the focus to the card that was opened.
  let opened = null;
  list.addEventListener("keydown", (e) => { if (e.target.classList.contains("topic-card")) opened = e.target; });
  list.addEventListener("click", (e) => { opened = e.target.closest(".topic-card") || opened; });
  document.getElementById("back").addEventListener("click", (e) => {
    handlers.select(null);
    if (e.detail === 0) focusShown(opened && opened.isConnected ? opened : list.querySelector(".topic-card"));
  });

  function showSearchResults(query, matches) {
    results.hidden = !query;
    if (!query) return;
    document.getElementById("search-results-title").replaceChildren(
      plural(matches.length, "item matches", "items match") + " “", el("bdi", { text: query }), "”");
    pagedList(document.getElementById("search-items"), document.getElementById("search-more"), matches,
      (i) => itemEntry(model, i, { topic: true, query }), 100);
  }

  // Per card, the matches (or with only filters on, the items shown) in the topic.
  function showCounts(query, matches, filtered) {
    const counts = new Map();
    for (const i of matches) counts.set(model.topic[i], (counts.get(model.topic[i]) || 0) + 1);
    const on = Boolean(query) || filtered;
    for (const [id, card] of cards) {
      const c = counts.get(id) || 0;
      card.querySelector(".match-count").textContent = query ? plural(c, "match", "matches") : filtered ? fmt(c) + " shown" : "";
      card.classList.toggle("no-match", on && c === 0);
    }
  }

  // The topics one level below the isolated one (level `level`), when it has two or more,
  // each with the colour its items take on the map while that one is isolated.
  function childList(level, id) {
    const below = model.below(level);
    const children = below && id >= 0 ? model.childrenOf(level, id) : [];
    const box = document.getElementById("detail-stories");
    box.hidden = children.length < 2;
    if (box.hidden) return;
    const cap = (w) => w[0].toUpperCase() + w.slice(1);
    document.getElementById("detail-stories-title").textContent = cap(model.word(below, true)) + " in this " + model.word(level);
    document.getElementById("story-list").replaceChildren(...children.map((s) =>
      activate(el("li", { className: "story", data: { level: model.name(below), id: s.id } },
        el("span", { className: "part" }, s.part_color ? swatch(s.part_color) : null, el("span", { text: s.name })), el("span", { className: "size", text: fmt(s.size) })),
        () => handlers.select(below, s.id))));
  }

  function showDetail(sel, query, isMatch) {
    const record = model.record(sel.level, sel.id);
    const members = model.members(sel.level, sel.id).filter(handlers.visible);
    // The topics it is part of, nearest first, each named with its level, since a name holds
    // " · " itself: part of topic “Storm damage · Power cuts”, theme “Weather”.
    const parents = [];
    for (let up = model.parentOf(sel.level, sel.id); up && up.record; up = model.parentOf(up.level, up.record.id)) {
      parents.push(model.word(up.level) + " “" + up.record.name + "”");
    }
    const kind = model.word(sel.level);
    document.getElementById("detail-kind").textContent = sel.id < 0 ? "" : kind[0].toUpperCase() + kind.slice(1);
    document.getElementById("detail-title").replaceChildren(swatch(record.color), record.name);
    const span = handlers.dateSpan(members);
    document.getElementById("detail-meta").textContent =
      plural(members.length, "item") + " · " + percent(members.length, model.n) + " of all" +
      (span ? " · " + span : "") + (parents.length ? " · part of " + parents.join(", ") : "");
    document.getElementById("detail-description").textContent = record.description || "";
    document.getElementById("detail-keywords").textContent = record.keywords.join(" · ");
    document.getElementById("detail-reps").replaceChildren(...record.representatives.map((r) => el("li", { text: r })));
    document.getElementById("detail-reps-box").hidden = record.representatives.length === 0;
    childList(sel.level, sel.id);
    document.getElementById("detail-items-title").textContent =
      "All " + plural(members.length, "item") + (query ? " (matches for “" + query + "” marked)" : "");
    pagedList(document.getElementById("detail-items"), document.getElementById("detail-more"), members,
      (i) => itemEntry(model, i, { match: query ? isMatch : null, query, part: sel.id >= 0 ? model.below(sel.level) : null }), 200);
  }

  // Show the list (with search matches) or the isolated topic's details; `matches` are the
  // items the filters let through that match the query (all of them without a query).
  function update(sel, query, matches, isMatch, filtered) {
    listView.hidden = Boolean(sel);
    detail.hidden = !sel;
    for (const [id, card] of cards) card.classList.toggle("selected", Boolean(sel) && sel.level === "topic" && sel.id === id);
    if (sel) showDetail(sel, query, isMatch);
    else {
      showCounts(query, matches, filtered);
      showSearchResults(query, matches);
    }
    document.getElementById("panel").scrollTop = 0;
  }

  return { update };
}
