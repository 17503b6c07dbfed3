// tree.js: the panel's tabs (Topics, Tree, Selection) and the topic tree: themes with their
// stories, expandable, with sizes; clicking a node isolates it on the map.

function createTabs() {
  const bar = document.getElementById("panel-tabs");
  const buttons = Array.from(bar.querySelectorAll("[data-view]"));
  const views = new Map(buttons.map((b) => [b.dataset.view, document.getElementById(b.dataset.view + "-view")]));
  function show(name) {
    for (const b of buttons) b.setAttribute("aria-selected", String(b.dataset.view === name));
    for (const [key, view] of views) view.hidden = key !== name;
  }
  // Show or hide a tab; hiding the tab on show falls back to the topics.
  function offer(name, on) {
    const button = buttons.find((b) => b.dataset.view === name);
    button.hidden = !on;
    if (!on && button.getAttribute("aria-selected") === "true") show("topic-list");
    bar.hidden = buttons.filter((b) => !b.hidden).length < 2;  // one tab: no tab bar
  }
  for (const b of buttons) b.addEventListener("click", () => show(b.dataset.view));
  return { show, offer };
}

function createTree(model, handlers) {
  const root = document.getElementById("topic-tree");
  const nodes = [];  // {level, id, size, count (span), row}

  function node(level, record, color) {
    const count = el("span", { className: "size", text: fmt(record.size) });
    const row = activate(el("div", { className: "tree-row " + level, data: { level, id: record.id } },
      el("span", { className: "swatch", style: { background: color } }), el("span", { className: "name", text: record.name }), count),
    () => handlers.select(level, record.id));
    nodes.push({ level, id: record.id, size: record.size, count, row });
    return row;
  }

  const themes = model.noise.size ? [...model.topics, model.noise] : model.topics;
  for (const t of themes) {
    const first = nodes.length;
    const row = node("topic", t, t.color);
    const stories = t.id < 0 ? [] : model.storiesOf(t.id);
    const children = el("ol", { className: "tree-stories" }, ...stories.map((s) => el("li", {}, node("story", s, s.color))));
    children.hidden = true;
    const twisty = el("button", {
      className: "twisty", text: "▸",
      attrs: { type: "button", "aria-expanded": "false", "aria-label": "Show the stories of " + t.name, title: plural(stories.length, "story", "stories") },
      on: { click: (e) => { e.stopPropagation(); toggle(); } },
    });
    function toggle(open) {
      const on = open === undefined ? children.hidden : open;
      children.hidden = !on;
      twisty.textContent = on ? "▾" : "▸";
      twisty.setAttribute("aria-expanded", String(on));
    }
    if (!stories.length) twisty.style.visibility = "hidden";  // keeps the names in line
    row.prepend(twisty);
    for (const n of nodes.slice(first)) n.open = () => toggle(true);
    root.append(el("li", { className: "tree-theme" }, row, children));
  }

  // counts: Map of "level:id" to the items shown in each node (null: no filter, show sizes);
  // sel: the isolated topic or story, marked and opened.
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
