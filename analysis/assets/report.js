// topicmap report: draws the map, the topic table, search and topic selection.
// All item text reaches the page through textContent or plotly's own escaping, never innerHTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("topicmap-data").textContent);
  const pts = data.points;
  const n = pts.x.length;
  const topics = data.topics;
  const topicById = new Map(topics.map((t) => [t.id, t]));
  const state = { query: "", selected: null };

  const mapEl = document.getElementById("map");
  const countEl = document.getElementById("search-count");
  const searchEl = document.getElementById("search");

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function wrap(s, width) {
    const words = String(s).split(/\s+/);
    const lines = [];
    let line = "";
    for (const w of words) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
      if (lines.length >= 12) break;
    }
    if (line) lines.push(line);
    return lines.map(escapeHtml).join("<br>");
  }

  // Hover text is plotly HTML, so every piece of item data is escaped here.
  const hover = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = topicById.get(pts.topic[i]);
    let h = "<b>" + wrap(pts.text[i], 70) + "</b><br>" +
      (t ? "Topic: " + escapeHtml(t.name) : "Unclustered") + "<br>Kind: " + escapeHtml(pts.kind[i]);
    for (const [col, values] of Object.entries(pts.extra)) {
      if (values[i]) h += "<br>" + escapeHtml(col) + ": " + escapeHtml(values[i]);
    }
    hover[i] = h;
  }
  const baseColor = pts.topic.map((t) => (t >= 0 ? topicById.get(t).color : data.noise_color));
  const lowerText = pts.text.map((s) => s.toLowerCase());

  function isHighlighted(i) {
    if (state.selected !== null && pts.topic[i] !== state.selected) return false;
    if (state.query && !lowerText[i].includes(state.query)) return false;
    return true;
  }

  function styleArrays() {
    const filtering = state.selected !== null || state.query !== "";
    const color = new Array(n), size = new Array(n), opacity = new Array(n);
    for (let i = 0; i < n; i++) {
      const on = isHighlighted(i);
      const noise = pts.topic[i] < 0;
      color[i] = filtering && !on ? "#e3e3e3" : baseColor[i];
      size[i] = filtering && on ? 9 : noise ? 5 : 7;
      opacity[i] = filtering ? (on ? 1 : 0.35) : noise ? 0.55 : 0.85;
    }
    return { color, size, opacity };
  }

  function labelAnnotations() {
    // Greedy placement in pixel space, largest topics first: a name that would overlap one
    // already placed is left out until zooming in makes room for it.
    const layout = mapEl._fullLayout;
    if (!layout || !layout.xaxis) return [];
    const xa = layout.xaxis, ya = layout.yaxis;
    const placed = [];
    const out = [];
    const sorted = topics.slice().sort((a, b) => b.size - a.size || a.id - b.id);
    for (const t of sorted) {
      if (state.selected !== null && t.id !== state.selected) continue;
      const px = xa.l2p(t.cx), py = ya.l2p(t.cy);
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) continue;
      const w = t.name.length * 7.5 + 10, h = 20;
      const box = [px - w / 2, py - h / 2, px + w / 2, py + h / 2];
      if (placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
      placed.push(box);
      out.push({
        x: t.cx, y: t.cy, text: escapeHtml(t.name), showarrow: false,
        font: { size: 13, color: "#111" }, bgcolor: "rgba(255,255,255,0.75)",
        bordercolor: t.color, borderwidth: 1, borderpad: 2,
      });
    }
    return out;
  }

  const style = styleArrays();
  const trace = {
    type: "scattergl", mode: "markers", x: pts.x, y: pts.y,
    hovertext: hover, hoverinfo: "text", hoverlabel: { align: "left" },
    marker: { color: style.color, size: style.size, opacity: style.opacity, line: { width: 0 } },
  };
  const layout = {
    margin: { l: 10, r: 10, t: 10, b: 10 }, dragmode: "pan", hovermode: "closest", showlegend: false,
    xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" }, plot_bgcolor: "#fff",
  };
  let relabelling = false;
  Plotly.newPlot(mapEl, [trace], layout, { responsive: true, scrollZoom: true, displaylogo: false }).then(() => {
    relabel();
    mapEl.on("plotly_relayout", () => { if (!relabelling) relabel(); });
  });

  function relabel() {
    relabelling = true;
    Plotly.relayout(mapEl, { annotations: labelAnnotations() }).then(() => { relabelling = false; });
  }

  function restyle() {
    const s = styleArrays();
    Plotly.restyle(mapEl, { "marker.color": [s.color], "marker.size": [s.size], "marker.opacity": [s.opacity] });
  }

  // Topic table, doubling as the legend.
  const tbody = document.querySelector("#topics tbody");
  for (const t of topics) {
    const tr = document.createElement("tr");
    tr.dataset.topic = String(t.id);
    const sw = document.createElement("td");
    const dot = document.createElement("span");
    dot.className = "swatch";
    dot.style.background = t.color;
    sw.appendChild(dot);
    const name = document.createElement("td");
    name.textContent = t.name;
    const size = document.createElement("td");
    size.className = "num";
    size.textContent = String(t.size);
    const kw = document.createElement("td");
    kw.className = "keywords";
    kw.textContent = t.keywords.slice(0, 6).join(", ");
    tr.append(sw, name, size, kw);
    tr.addEventListener("click", () => selectTopic(state.selected === t.id ? null : t.id));
    tbody.appendChild(tr);
  }

  const unclustered = pts.topic.filter((t) => t < 0).length;
  document.getElementById("summary").textContent =
    n + " items · " + topics.length + " topics · " + unclustered + " unclustered (" +
    Math.round((100 * unclustered) / Math.max(n, 1)) + "%)";

  function selectTopic(id) {
    state.selected = id;
    for (const tr of tbody.rows) tr.classList.toggle("selected", tr.dataset.topic === String(id));
    const detail = document.getElementById("detail");
    const list = document.getElementById("detail-items");
    list.replaceChildren();
    if (id === null) {
      detail.hidden = true;
      Plotly.relayout(mapEl, { "xaxis.autorange": true, "yaxis.autorange": true });
    } else {
      const t = topicById.get(id);
      document.getElementById("detail-title").textContent = t.name + " — " + t.size + " items";
      const xs = [], ys = [];
      for (let i = 0; i < n; i++) {
        if (pts.topic[i] !== id) continue;
        xs.push(pts.x[i]); ys.push(pts.y[i]);
        const li = document.createElement("li");
        li.textContent = pts.text[i];
        list.appendChild(li);
      }
      detail.hidden = false;
      const pad = (a) => {
        let lo = Infinity, hi = -Infinity;
        for (const v of a) { if (v < lo) lo = v; if (v > hi) hi = v; }
        const p = Math.max((hi - lo) * 0.25, 0.5);
        return [lo - p, hi + p];
      };
      Plotly.relayout(mapEl, { "xaxis.range": pad(xs), "yaxis.range": pad(ys) });
    }
    restyle();
    updateCount();
  }

  function updateCount() {
    if (!state.query) { countEl.textContent = ""; return; }
    let matches = 0;
    for (let i = 0; i < n; i++) if (isHighlighted(i)) matches++;
    countEl.textContent = matches + (matches === 1 ? " match" : " matches");
  }

  searchEl.addEventListener("input", () => {
    state.query = searchEl.value.trim().toLowerCase();
    restyle();
    updateCount();
  });
  document.getElementById("reset").addEventListener("click", () => {
    searchEl.value = "";
    state.query = "";
    selectTopic(null);
  });

  window.topicmap = { data, state, isHighlighted, selectTopic };
})();
