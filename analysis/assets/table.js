// table.js: the items as a table with every column the page holds (id, text, each level,
// kind and the input's own columns), showing the same items as the map (search, filters,
// isolation, selection). A click on a header sorts by it; again, the other way.

const TABLE_PAGE = 100;
const tableCollator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

// Each shown level's column is named by the level (theme, topic, story).
function tableColumns(model) {
  const topicName = (i) => (model.topicById.get(model.topic[i]) || model.noise).name;
  const columns = [
    { name: "doc_id", get: model.docId, numeric: true },
    { name: "text", get: (i) => model.text[i], wide: true },
    { name: model.name("topic"), get: topicName, color: (i) => model.color(i), level: true },
  ];
  for (const key of model.keys.slice(1)) {
    const labels = model.labels(key);
    columns.push({ name: model.name(key), get: (i) => { const r = model.record(key, labels[i]); return r ? r.name : ""; }, level: true });
  }
  columns.push({ name: "kind", get: model.kind });
  for (const c of model.columns) columns.push({ name: c.name, get: c.get });
  return columns;
}

// The items in the order of column `col`'s values (ascending), made once per column.
function sortedOrder(model, col) {
  const n = model.n, keys = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = col.get(i);
  // Numbers as numbers (-10 before -3 before 0.25), blanks last; text by the collator.
  const blank = (k) => k === "" || k === null || k === undefined;
  const numeric = keys.some((k) => !blank(k)) &&
    keys.every((k) => blank(k) || (String(k).trim() !== "" && Number.isFinite(Number(k))));
  const value = (k) => (blank(k) ? Infinity : Number(k));
  const byValue = (a, b) => { const x = value(a), y = value(b); return x < y ? -1 : x > y ? 1 : 0; };
  const compare = numeric ? byValue : tableCollator.compare;
  // Few distinct values (topics, sources, labels): rank them, then a stable counting sort.
  const distinct = Array.from(new Set(keys));
  const order = new Int32Array(n);
  if (distinct.length <= 5000) {
    distinct.sort(compare);
    const rank = new Map(distinct.map((v, r) => [v, r]));
    const starts = new Int32Array(distinct.length + 1);
    const ranks = new Int32Array(n);
    for (let i = 0; i < n; i++) { ranks[i] = rank.get(keys[i]); starts[ranks[i] + 1] += 1; }
    for (let r = 0; r < distinct.length; r++) starts[r + 1] += starts[r];
    for (let i = 0; i < n; i++) order[starts[ranks[i]]++] = i;
    return order;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  if (numeric) {
    const nums = keys.map(value);
    idx.sort((a, b) => nums[a] - nums[b] || a - b);
  } else {
    const lower = keys.map((k) => String(k).toLowerCase());
    idx.sort((a, b) => (lower[a] < lower[b] ? -1 : lower[a] > lower[b] ? 1 : a - b));
  }
  order.set(idx);
  return order;
}

function createTable(model) {
  const columns = tableColumns(model);
  const head = document.getElementById("table-head");
  const body = document.getElementById("table-body");
  const more = document.getElementById("table-more");
  const title = document.getElementById("table-title");
  const orders = new Map();
  let sort = null;  // {k: column number, dir: 1 | -1}
  let items = null; // the items shown (null: every item)

  const headers = columns.map((c, k) => {
    const th = el("th", { attrs: { scope: "col", "aria-sort": "none" } },
      el("button", { className: "sort", text: c.name || columnTitle(c.name), attrs: { type: "button", title: "Sort by " + (c.name || columnTitle(c.name)) } }));
    th.firstChild.addEventListener("click", () => {
      sort = sort && sort.k === k ? { k, dir: -sort.dir } : { k, dir: 1 };
      render();
    });
    return th;
  });
  head.replaceChildren(el("tr", {}, ...headers));

  function row(i) {
    const tr = el("tr", { data: { item: i } });
    for (const c of columns) {
      const value = c.get(i);
      const word = !c.wide && !c.level && typeof value !== "object" && /^\S{1,24}$/.test(String(value));
      const td = el("td", { className: c.wide ? "wide" : c.level ? "level" : word ? "word" : "" });
      if (c.color) td.append(swatch(c.color(i)));
      // an item in no group of a level: a dash, not an empty cell that reads as missing data
      if (c.level && value === "") td.append(el("span", { className: "muted", text: "—", attrs: { title: "in no " + c.name } }));
      else td.append(value);
      tr.append(td);
    }
    return tr;
  }

  // The rows in order: the sort column's order kept to the items shown, or item order.
  function ordered() {
    if (!sort) return items || Array.from({ length: model.n }, (_, i) => i);
    if (!orders.has(sort.k)) orders.set(sort.k, sortedOrder(model, columns[sort.k]));
    const order = orders.get(sort.k);
    let keep = null;
    if (items) { keep = new Uint8Array(model.n); for (const i of items) keep[i] = 1; }
    const out = [];
    if (sort.dir === 1) { for (let r = 0; r < order.length; r++) if (!keep || keep[order[r]]) out.push(order[r]); }
    else {
      // Descending, ties still in item order: reverse runs of equal keys back.
      const get = columns[sort.k].get;
      for (let r = order.length - 1; r >= 0;) {
        let s = r;
        const key = get(order[r]);
        while (s > 0 && get(order[s - 1]) === key) s--;
        for (let q = s; q <= r; q++) if (!keep || keep[order[q]]) out.push(order[q]);
        r = s - 1;
      }
    }
    return out;
  }

  function render() {
    headers.forEach((th, k) => th.setAttribute("aria-sort", sort && sort.k === k ? (sort.dir === 1 ? "ascending" : "descending") : "none"));
    const rows = ordered();
    title.textContent = items ? plural(rows.length, "item") + " shown" : "All " + plural(rows.length, "item");
    pagedList(body, more, rows, row, TABLE_PAGE);
  }

  // indices: the items the map shows in focus (null: every item).
  function update(indices) {
    items = indices;
    render();
  }
  return { update, columns: columns.map((c) => c.name) };
}
