// overview.js: the unclustered share in words, topic sizes as a bar chart and, when the
// input has dates, items over time by topic (the items shown only while filtering).
// Dragging across the timeline picks a date range (a "brush") that filters the whole page.

const TIMELINE_TOPICS = 10;
const OTHER_COLOR = "#e5e7eb";
const CHART_FONT = { family: LABEL_FONT, size: 12, color: "#1f2937" };
// An offline page sends nothing anywhere: no "Share chart" upload to Plotly Cloud.
// On a phone plotly's toolbar covers the biggest bar's name (the charts need none of its tools there).
const CHART_CONFIG = { displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "", modeBarButtonsToRemove: ["lasso2d"], displayModeBar: window.matchMedia("(max-width: 640px)").matches ? false : "hover" };

function unclusteredNote(model) {
  const k = model.noise.size, n = model.n;
  const level = model.word("topic"), levels = model.word("topic", true);
  if (!k) return "Every item belongs to a " + level + ".";
  return percent(k, n) + " of the items (" + fmt(k) + " of " + fmt(n) +
    ") fit no " + level + ": they are the small grey points on the map and are left out of the " + levels + ".";
}

function sizeChart(model, onSelect) {
  const groups = model.noise.size ? [...model.topics, model.noise] : model.topics;
  const ticks = groups.map((t) => escapeHtml(t.name.length > 32 ? t.name.slice(0, 31) + "…" : t.name));
  const trace = {
    type: "bar", orientation: "h", x: groups.map((t) => t.size), y: groups.map((_, k) => k),
    customdata: groups.map((t) => t.id), text: groups.map((t) => escapeHtml(t.name)),
    marker: { color: groups.map((t) => t.color) }, textposition: "none",
    hovertemplate: "%{text}<br>%{x} items<extra></extra>",
  };
  const layout = {
    height: 60 + 22 * groups.length, margin: { l: 10, r: 20, t: 10, b: 40 }, font: CHART_FONT,
    xaxis: { title: { text: "items" }, fixedrange: true, gridcolor: "#eef0f3" },
    yaxis: { tickvals: trace.y, ticktext: ticks, autorange: "reversed", automargin: true, fixedrange: true },
    bargap: 0.25, plot_bgcolor: "#fff",
  };
  const gd = document.getElementById("sizes-chart");
  const ready = Plotly.newPlot(gd, [trace], layout, CHART_CONFIG).then(() => {
    gd.on("plotly_click", (ev) => ev.points[0] && onSelect("topic", ev.points[0].customdata));
  });
  // Bars of the items shown (indices; null: every item).
  function update(indices) {
    let sizes = groups.map((t) => t.size);
    if (indices) {
      const counts = new Map();
      for (const i of indices) counts.set(model.topic[i], (counts.get(model.topic[i]) || 0) + 1);
      sizes = groups.map((t) => counts.get(t.id) || 0);
    }
    const what = indices ? "items shown" : "items";
    // The caption says when the bars count only the items shown (dates, sources, search).
    const top = model.word("topic");
    document.getElementById("sizes-caption").textContent = top[0].toUpperCase() + top.slice(1) + " sizes" +
      (indices ? ", of the " + fmt(indices.length) + " items shown" : "") + " (click a bar to isolate the " + top + ")";
    return Plotly.restyle(gd, { x: [sizes], hovertemplate: "%{text}<br>%{x} " + what + "<extra></extra>" });
  }
  return { ready, update };
}

// The first and last bin of days from..to (day numbers; open ends are huge numbers).
function binsOf(timeline, from, to) {
  const starts = timeline.bin_days, last = timeline.labels.length - 1;
  const bin = (day) => { let b = 0; while (b < last && starts[b + 1] <= day) b++; return b; };
  return [bin(from), bin(to)];
}

// A shaded band over the bins of the date range on the timeline (none without a range).
function rangeShapes(timeline, range) {
  if (!range) return [];
  const [b0, b1] = binsOf(timeline, range.from, range.to);
  const starts = timeline.bin_days, step = stepMs(timeline), origin = parseDay(timeline.start);
  // A bar stands at its bin's first day (or hour), which is bin_days from the start.
  const centre = (b) => origin + starts[b] * step;
  const half = (b) => ((starts[b + 1] - starts[b]) * step) / 2;
  const when = (ms) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
  return [{
    type: "rect", xref: "x", yref: "paper", x0: when(centre(b0) - half(b0)), x1: when(centre(b1) + half(b1)), y0: 0, y1: 1,
    fillcolor: "rgba(37, 99, 235, 0.08)", line: { color: "rgba(37, 99, 235, 0.6)", width: 1 }, layer: "below",
  }];
}

// Timeline groups: the biggest topics, the other topics together, and unclustered items.
function timelineGroups(model) {
  const top = model.topics.slice(0, TIMELINE_TOPICS);
  const slot = new Map(top.map((t, k) => [t.id, k]));
  const groups = top.map((t) => ({ id: t.id, name: t.name, color: t.color }));
  const other = model.topics.length > TIMELINE_TOPICS ? groups.push({ id: null, name: "Other topics", color: OTHER_COLOR }) - 1 : -1;
  const noise = model.noise.size ? groups.push({ id: -1, name: "Unclustered", color: model.noiseColor }) - 1 : -1;
  const groupOf = (topic) => (topic < 0 ? noise : slot.has(topic) ? slot.get(topic) : other);
  return { groups, groupOf };
}

function timelineTraces(model, grouping, indices) {
  const bins = model.timeline.labels.length;
  const counts = grouping.groups.map(() => new Array(bins).fill(0));
  const each = indices || model.topic.keys();
  for (const i of each) {
    const b = model.timeBin[i], g = grouping.groupOf(model.topic[i]);
    if (b >= 0 && g >= 0) counts[g][b] += 1;
  }
  return grouping.groups.map((g, k) => ({
    type: "bar", x: model.timeline.labels, y: counts[k], name: escapeHtml(g.name),
    marker: g.id === null ? { color: OTHER_COLOR, pattern: { shape: "/", fgcolor: "#9ca3af", size: 6 } } : { color: g.color },
    hovertemplate: "%{x}: %{y} items<extra>" + escapeHtml(g.name) + "</extra>",
  }));
}

// handlers: {select(level, id), brush(fromDay, toDay) (null: no range)}.
function createOverview(model, handlers) {
  document.getElementById("unclustered-note").textContent = unclusteredNote(model);
  // Unhide the timeline first, so the charts are drawn at their final widths.
  document.getElementById("timeline-figure").hidden = !model.timeline;
  const sizes = sizeChart(model, handlers.select);
  const ready = [sizes.ready];
  if (!model.timeline) return { ready: Promise.all(ready), update: (shown) => sizes.update(shown.bars) };

  const gd = document.getElementById("timeline-chart");
  const grouping = timelineGroups(model);
  // dates written with a time zone are counted on their day in UTC: said, so that an item of
  // 01:00 +05:00 falling on the day before reads as intended
  const unit = model.timeline.unit + (model.timeline.utc ? " (UTC)" : "");
  const years = model.timeline.years || [1900, 2100];
  const undated = model.timeline.undated
    ? " · " + plural(model.timeline.undated, "item") + " without a date, dated outside " + years[0] + "–" + years[1] + " or far from the others left out" : "";
  const layout = {
    barmode: "stack", height: 340, margin: { l: 50, r: 10, t: 10, b: 40 }, font: CHART_FONT, bargap: 0.1,
    dragmode: "select", selectdirection: "h", selections: [], shapes: [],
    xaxis: { type: "date", gridcolor: "#eef0f3" }, yaxis: { title: { text: "items per " + unit }, gridcolor: "#eef0f3" },
    legend: { orientation: "h", y: -0.18, itemclick: false, itemdoubleclick: false }, plot_bgcolor: "#fff",
  };
  const caption = document.getElementById("timeline-caption");
  ready.push(Plotly.newPlot(gd, timelineTraces(model, grouping, null), layout, CHART_CONFIG).then(() => {
    gd.on("plotly_legendclick", (ev) => {
      const g = grouping.groups[ev.curveNumber];
      if (g && g.id !== null) handlers.select("topic", g.id);
      return false;
    });
    gd.on("plotly_selected", (ev) => {
      const bins = ev && ev.points ? ev.points.map((p) => p.pointNumber) : [];
      if (!bins.length) return;
      const starts = model.timeline.bin_days;
      handlers.brush(starts[Math.min(...bins)], starts[Math.max(...bins) + 1] - 1);
    });
    gd.on("plotly_deselect", () => handlers.brush(null));
  }));

  // shown: {timeline: the items to count over time (null: all), bars: the items of the size
  // chart (null: all), range: the date range {from, to} to shade (null: none)}.
  function update(shown) {
    caption.textContent = (shown.timeline ? "Items shown" : "Items") + " over time, by " + unit + undated +
      (shown.range ? "" : " · drag across the bars to filter by date");
    layout.shapes = rangeShapes(model.timeline, shown.range);
    layout.selections = [];
    sizes.update(shown.bars);
    return Plotly.react(gd, timelineTraces(model, grouping, shown.timeline), layout, CHART_CONFIG);
  }
  caption.textContent = "Items over time, by " + unit + undated;
  return { ready: Promise.all(ready), update };
}
