// tree.js: the panel's tabs (Topics, Tree, Selection) and the topic tree: themes with their
// topics and stories, expandable, with sizes; clicking a node isolates it on the map.

function createTabs() {
  const bar = document.getElementById("panel-tabs");
  const buttons = Array.from(bar.querySelectorAll("[data-view]"));
  const views = new Map(buttons.map((b) => [b.dataset.view, document.getElementById(b.dataset.view + "-view")]));
  // One tab in the Tab order (the chosen one); the arrows, Home and End move between tabs.
  function show(name) {
    for (const b of buttons) {
      b.setAttribute("aria-selected", String(b.dataset.view === name));
      b.tabIndex = b.dataset.view === name ? 0 : -1;
    }
    for (const [key, view] of views) view.hidden = key !== name;
  }
  bar.addEventListener("keydown", (event) => {
    const shown = buttons.filter((b) => !b.hidden);
    const at = shown.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    let next = null;
    if (at >= 0 && step) next = shown[(at + step + shown.length) % shown.length];
    else if (at >= 0 && event.key === "Home") next = shown[0];
    else if (at >= 0 && event.key === "End") next = shown[shown.length - 1];
    if (!next) return;
    event.preventDefault();
    show(next.dataset.view);
    next.focus();
  });
  // Show or hide a tab; hiding the tab on show falls back to the topics.
  function offer(name, on) {
    const button = buttons.find((b) => b.dataset.view === name);
    button.hidden = !on;
    if (!on && button.getAttribute("aria-selected") === "true") show("topic-list");
    bar.hidden = buttons.filter((b) => !b.hidden).length < 2;  // one tab: no tab bar
  }
  for (const b of buttons) b.addEventListener("click", () => show(b.dataset.view));
  show(buttons.find((b) => b.getAttribute("aria-selected") === "true").dataset.view);
  return { show, offer };
}

// The tree holds every level the page shows: a top node opens on its children (the middle
// level's topics, or stories), a middle one on its stories. Rows: class the level's key
// (topic, mid, story), data-level its name.
function createTree(model, handlers) {
  const root = document.getElementById("topic-tree");
  const nodes = [];  // {level, id, size, count (span), row, open()}

  function node(level, record, color) {
    const count = el("span", { className: "size", text: fmt(record.size) });
    const row = activate(el("div", { className: "tree-row " + level, data: { level: model.name(level), id: record.id } },
      el("span", { className: "swatch", style: { background: color } }), el("span", { className: "name", text: record.name }), count),
    () => handlers.select(level, record.id));
    nodes.push({ level, id: record.id, size: record.size, count, row, open: () => {} });
    return row;
  }

  // The <li> of record `record` at level `level` with its children, closed; `openUp` opens
  // the branches above it.
  function branch(level, record, openUp) {
    const first = nodes.length;
    const row = node(level, record, record.color);
    const below = model.below(level);
    if (!below) {  // a story: no twisty
      nodes[first].open = openUp;
      return el("li", { className: "tree-branch" }, row);
    }
    const kids = record.id >= 0 ? model.childrenOf(level, record.id) : [];
    const children = el("ol", { className: "tree-stories" });
    children.hidden = true;
    const words = model.word(below, true);
    const twisty = el("button", {
      className: "twisty", text: "▸",
      attrs: { type: "button", "aria-expanded": "false", "aria-label": "Show the " + words + " of " + record.name, title: plural(kids.length, model.word(below), words) },
      on: { click: (e) => { e.stopPropagation(); toggle(); } },
    });
    function toggle(open) {
      const on = open === undefined ? children.hidden : open;
      children.hidden = !on;
      twisty.textContent = on ? "▾" : "▸";
      twisty.setAttribute("aria-expanded", String(on));
    }
    const openHere = () => { openUp(); toggle(true); };
    children.append(...kids.map((k) => branch(below, k, openHere)));
    if (!kids.length) twisty.style.visibility = "hidden";  // keeps the names in line
    row.prepend(twisty);
    nodes[first].open = kids.length ? openHere : openUp;  // shows the node (and its children)
    return el("li", { className: level === "topic" ? "tree-theme" : "tree-branch" }, row, children);
  }

  const themes = model.noise.size ? [...model.topics, model.noise] : model.topics;
  for (const t of themes) root.append(branch("topic", t, () => {}));

  // counts: Map of "level:id" to the items shown in each node (null: no filter, show sizes);
  // sel: the isolated topic ({level: key, id}), marked and shown (its branches opened).
  function update(counts, sel) {
    for (const n of nodes) {
      const k = counts ? counts.get(n.level + ":" + n.id) || 0 : n.size;
      n.count.textContent = counts ? fmt(k) + " of " + fmt(n.size) : fmt(n.size);
      n.row.classList.toggle("no-match", Boolean(counts) && k === 0);
      const current = Boolean(sel) && sel.level === n.level && sel.id === n.id;
      n.row.classList.toggle("current", current);
      if (current) n.open();
    }
  }
  return { update };
}
