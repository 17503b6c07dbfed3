// util.js: small DOM and formatting helpers.
// The report's JS files are inlined in the order of JS_ASSETS in report.py (util first,
// report last) inside one function scope, so what a file declares at top level the later ones can use.
// Item text reaches the page only through textContent, or through escapeHtml for the
// few plotly strings that plotly reads as HTML (labels, tick and legend names).

// Quotes as numeric references: plotly decodes those, but of the named ones only a few
// (&amp; &lt; &gt;), so &quot; showed as written in a chart's ticks and hovers.
function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" }[c]));
}

// el("li", {className: "x", text: "...", title: "...", data: {topic: 3}, on: {click: f}}, child, ...)
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  const p = props || {};
  if (p.className) node.className = p.className;
  if (p.text !== undefined) node.textContent = String(p.text);
  if (p.title) node.title = p.title;
  if (p.style) Object.assign(node.style, p.style);
  for (const [k, v] of Object.entries(p.data || {})) node.dataset[k] = String(v);
  for (const [k, v] of Object.entries(p.attrs || {})) node.setAttribute(k, String(v));
  for (const [k, v] of Object.entries(p.on || {})) node.addEventListener(k, v);
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const numberFormat = new Intl.NumberFormat("en-US");
function fmt(n) { return numberFormat.format(n); }
function percent(part, whole) {
  if (!whole || !part) return "0%";
  const p = (100 * part) / whole;
  return (p < 1 ? p.toFixed(1) : Math.round(p)) + "%";
}
function plural(n, one, many) { return fmt(n) + " " + (n === 1 ? one : many || one + "s"); }

let measureCtx = null;
function textWidth(text, font) {
  measureCtx = measureCtx || document.createElement("canvas").getContext("2d");
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

// Fill list `ol` with items(indices) page by page; `more` is a button that shows the next page.
function pagedList(ol, more, indices, render, pageSize) {
  let shown = 0;
  function next() {
    const end = Math.min(indices.length, shown + (pageSize || 200));
    const frag = document.createDocumentFragment();
    for (; shown < end; shown++) frag.append(render(indices[shown]));
    ol.append(frag);
    const left = indices.length - shown;
    more.hidden = left <= 0;
    more.textContent = "Show " + fmt(Math.min(left, pageSize || 200)) + " more of " + fmt(left);
  }
  ol.replaceChildren();
  more.onclick = next;
  next();
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// An input column's name as a label: capitalised, an underscore between two letters or digits
// read as a space ("news_desk": "News desk"; "__proto__" stays as written); "(unnamed column)"
// for a column whose header was empty.
function columnTitle(name) {
  const text = String(name === null || name === undefined ? "" : name);
  if (!text.trim()) return "(unnamed column)";
  return text[0].toUpperCase() + text.slice(1).replace(/(?<=[\p{L}\p{N}])_(?=[\p{L}\p{N}])/gu, " ");
}
