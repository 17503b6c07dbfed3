// map.js: the WebGL scatter of all items, topic names placed on it, and the hover card.
// Traces: the unclustered items first (grey, small, faint), one trace per topic (one colour
// each, so no per-point colour strings to parse), then an overlay that redraws the
// highlighted items (search matches, an isolated topic) on top while the rest dims.
// Names are HTML buttons over the map, so placing them never redraws the WebGL scene. They
// pass every press, drag, double-click and wheel on to the map (which pans, zooms, draws a
// box or lasso, or resets the view, as anywhere else); only a plain single click on a name
// isolates its topic, and a double-click undoes what its first click did.

const LABEL_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
// Names of the level below the top replace the top's once the view shows less than this
// share of the map (two levels: stories; three: the middle level, then stories past the second).
const NAME_ZOOM = { 2: [0.5], 3: [0.6, 0.25] };
// Hover cards show texts whole up to this length (headlines, paragraphs; not whole articles).
const TOOLTIP_CHARS = 1500;
// A tap on a touch screen shows the card of the nearest item within this many pixels.
const TAP_RADIUS = 24;
const OPACITY = { noise: 0.5, topic: 0.85, dimNoise: 0.08, dimTopic: 0.1 };
// A name further than this (pixels) from its spot, moved there to make room, gets a line to it.
const LEADER_GAP = 10;
// The border of a name while a group is isolated and it is none of its parts' (see relabel).
const NAME_GREY = "#9ca3af";
// A press and release this close (pixels) is a click; further apart, a drag.
const CLICK_SLOP = 5;

// Smaller points for bigger maps: they stay apart, and software WebGL draws them faster.
function markerSizes(n) {
  const base = n <= 1000 ? 9 : n <= 10000 ? 6 : n <= 50000 ? 4 : 2.5;
  return { topic: base, noise: Math.max(1.5, base - 2), highlight: base + 3 };
}

function pick(values, indices) {
  const out = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k]];
  return out;
}

// Item indices of each trace: unclustered, each topic (biggest first, so small ones lie on
// top), and the overlay (empty until something is highlighted).
function traceGroups(model) {
  const groups = [model.members("topic", -1), ...model.topics.map((t) => model.members("topic", t.id)), []];
  const colors = [model.noiseColor, ...model.topics.map((t) => t.color), model.noiseColor];
  return { groups, colors };
}

function mapTraces(model, groups, colors) {
  const sizes = markerSizes(model.n);
  const last = groups.length - 1;
  return groups.map((idx, k) => ({
    type: "scattergl", mode: "markers", hoverinfo: "none", x: pick(model.x, idx), y: pick(model.y, idx),
    marker: {
      color: colors[k],
      size: k === 0 ? sizes.noise : k === last ? sizes.highlight : sizes.topic,
      opacity: k === 0 ? OPACITY.noise : k === last ? 1 : OPACITY.topic,
      line: k === last ? { width: 1, color: "#ffffff" } : { width: 0 },
    },
  }));
}

// Pixel position of data point (x, y) in the map div, for the given axis ranges.
function projector(gd, ranges) {
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const [x0, x1] = ranges ? ranges.x : xa.range, [y0, y1] = ranges ? ranges.y : ya.range;
  return {
    px: (x) => xa._offset + ((x - x0) / (x1 - x0)) * xa._length,
    py: (y) => ya._offset + ((y1 - y) / (y1 - y0)) * ya._length,
    area: [xa._offset, ya._offset, xa._offset + xa._length, ya._offset + ya._length],
  };
}

// A name is drawn by its topic's size: the biggest bold and larger, small ones (a topic an
// update just opened, say) lighter, so every name of one size looks alike.
function nameFont(record, level, biggest) {
  const share = Math.sqrt(record.size / Math.max(biggest, 1));
  const px = level === "story" ? 12 : level === "mid" ? 13 : Math.round(12 + 2 * share);
  // heavier by size within a level, and never a lower level's name heavier than a higher one's
  // (a story drawn bolder than its topic reads as the broader group)
  const weight = level === "topic" ? (share > 0.5 ? 700 : 600) : level === "mid" ? (share > 0.5 ? 600 : 500) : share > 0.5 ? 500 : 400;
  return weight + " " + px + "px " + LABEL_FONT;
}
// A name's box height and line height (pixels) by level.
const NAME_HEIGHT = { topic: [25, 17], mid: [24, 17], story: [22, 15] };

// Where a name may go around its spot, best first, as [dx, dy] from the spot to the middle
// of the name's box (w x h): just above, just below, beside; then, when `movable`, one or two
// rows further up or down, straight or to a side (those get a leader line to the spot).
function nameOffsets(w, h, gap, movable) {
  const up = -(h / 2 + 3), side = w / 2 + 8, row = h + gap;
  const near = [[0, up], [0, -up], [side, 0], [-side, 0]];
  if (!movable) return near;
  const far = [];
  for (const k of [1, 2]) for (const dx of [0, side, -side]) far.push([dx, up - k * row], [dx, -up + k * row]);
  return near.concat(far);
}

// How many items lie under a box of the view, each box in constant time: a summed-area
// table of the items' pixels, in cells of COVER_CELL pixels (a box counts the cells it touches).
const COVER_CELL = 6;
function itemsUnder(proj, xs, ys) {
  const [left, top, right, bottom] = proj.area;
  const cols = Math.ceil((right - left) / COVER_CELL) + 1, rows = Math.ceil((bottom - top) / COVER_CELL) + 1;
  const sums = new Int32Array((cols + 1) * (rows + 1));
  for (let i = 0; i < xs.length; i++) {
    const px = proj.px(xs[i]), py = proj.py(ys[i]);
    if (!(px >= left && px <= right && py >= top && py <= bottom)) continue;
    sums[(Math.floor((py - top) / COVER_CELL) + 1) * (cols + 1) + Math.floor((px - left) / COVER_CELL) + 1]++;
  }
  for (let r = 1; r <= rows; r++) for (let c = 1; c <= cols; c++) {
    const k = r * (cols + 1) + c;
    sums[k] += sums[k - 1] + sums[k - cols - 1] - sums[k - cols - 2];
  }
  const cell = (v, lo, n) => Math.min(Math.max(Math.floor((v - lo) / COVER_CELL), 0), n - 1);
  return (b) => {
    const c0 = cell(b[0], left, cols), c1 = cell(b[2], left, cols) + 1, r0 = cell(b[1], top, rows), r1 = cell(b[3], top, rows) + 1;
    return sums[r1 * (cols + 1) + c1] - sums[r0 * (cols + 1) + c1] - sums[r1 * (cols + 1) + c0] + sums[r0 * (cols + 1) + c0];
  };
}

// Items a name may hide for each step further from its spot it would otherwise go: a name
// right above its topic hiding three items beats one two rows off hiding none.
const COVER_PER_STEP = 0.5;
// Items a name may hide for each of its parts it would otherwise leave off: where its whole
// name ("Sport · Olympics · Super Bowl") hides many items, as on a phone, its first parts
// ("Sport") go where they hide none; the whole name is the button's title.
const COVER_PER_PART = 4;
// A name of another level than the zoom's (filling the room left) is shown only where it
// hides at most this many items.
const FILL_COVER = 2;
// The names of the zoom's own level hide at most this share of the items in view (or
// OWN_COVER_MIN items) between them; the rest wait for a zoom. A topic-level HuffPost map's
// 27 names hid 15% of its items on a desktop and 36% on a phone.
const OWN_COVER_SHARE = 0.05;
const OWN_COVER_MIN = 10;

// Greedy placement, biggest first: a name sits next to its anchor (the densest spot of its
// topic, see report.py) where it hides the fewest items (`under`, a box's item count), else,
// if `movable`, a little further off with a leader line; one that finds no room clear of the
// names already placed (`taken` boxes included) waits until zooming in makes room for it, as
// does one not `movable` that would hide more than FILL_COVER items, and one that would hide
// more than is left of `budget` (items the names placed with it may hide); one whose anchor
// is out of view is left out.
const MAP_NAME_PART = 40;

// A name's parts, folded.
function partsOf(name) {
  return name.split(" · ").map((part) => part.trim().toLowerCase());
}

// Whether two names say one thing: a part in common ("ASEAN" and "Korea · ASEAN · Taiwan"), or
// a part that starts another ("Miley" and "Miley Cyrus · Underwear").
function sayTheSame(a, b) {
  const pa = partsOf(a), pb = partsOf(b);
  return pa.some((x) => pb.some((y) => x === y || y.startsWith(x + " ") || x.startsWith(y + " ")));
}

function placeNames(proj, records, level, taken, movable, under, budget = { left: Infinity }, blocked = []) {
  const biggest = Math.max(1, ...records.map((r) => r.size));
  const height = NAME_HEIGHT[level][0];
  const gap = 4;
  const [left, top, right, bottom] = proj.area;
  const boxes = taken.slice(), placed = [];
  const clear = (b) => !boxes.some((o) => b[0] < o[2] + gap && b[2] + gap > o[0] && b[1] < o[3] + gap && b[3] + gap > o[1]);
  for (const r of records) {
    const x = proj.px(r.cx), y = proj.py(r.cy);
    if (x < left || x > right || y < top || y > bottom) continue;
    // a spot under a control (the names toggle, pan / box / lasso) would be named by a line
    // to what the reader cannot see: it waits for a pan
    if (blocked.some((o) => x >= o[0] && x <= o[2] && y >= o[1] && y <= o[3])) continue;
    const font = nameFont(r, level, biggest);
    // a part longer than MAP_NAME_PART (a reader's long name, a word with no space) is cut: the
    // panel and the hover show it whole
    const parts = r.name.split(" · ").map((p) => (p.length > MAP_NAME_PART ? p.slice(0, MAP_NAME_PART - 1) + "…" : p));
    let box = null, text = r.name, best = Infinity, hides = 0;
    for (let dropped = 0; dropped < parts.length; dropped++) {
      const shown = parts.slice(0, parts.length - dropped).join(" · ");
      // a name wider than the map is cut with "…": its first parts alone read better
      if (textWidth(shown, font) + 20 > right - left && dropped < parts.length - 1) continue;
      const w = Math.min(textWidth(shown, font) + 20, right - left);
      nameOffsets(w, height, gap, movable).forEach(([dx, dy], step) => {
        const bx = Math.min(Math.max(x + dx - w / 2, left), right - w), by = y + dy - height / 2;
        const b = [bx, by, bx + w, by + height];
        if (by < top || by + height > bottom || !clear(b)) return;
        const hidden = under(b);
        const cost = hidden + COVER_PER_STEP * step + COVER_PER_PART * dropped;
        if (cost < best && (movable || hidden <= FILL_COVER) && hidden <= budget.left) { box = b; text = shown; best = cost; hides = hidden; }
      });
    }
    if (!box) continue;
    budget.left -= hides;
    boxes.push(box);
    // The point of the box nearest the spot: where a leader line meets the name.
    const end = [Math.min(Math.max(x, box[0]), box[2]), Math.min(Math.max(y, box[1]), box[3])];
    const leader = Math.hypot(end[0] - x, end[1] - y) > LEADER_GAP;
    placed.push({ record: r, level, box, text, font, spot: [x, y], end: leader ? end : null });
  }
  return placed;
}

// A thin dark line from each moved name to its spot, marked by a dot of the topic's colour;
// `name` gives a level's name (the data-level of the line, as of the name).
function leaderLines(spots, name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "map-leaders");
  for (const s of spots) {
    const g = document.createElementNS(ns, "g");
    g.setAttribute("class", "leader");
    g.dataset.level = name(s.level);
    g.dataset.id = String(s.record.id);
    const line = document.createElementNS(ns, "line");
    for (const [k, v] of [["x1", s.spot[0]], ["y1", s.spot[1]], ["x2", s.end[0]], ["y2", s.end[1]]]) line.setAttribute(k, v.toFixed(1));
    const dot = document.createElementNS(ns, "circle");
    for (const [k, v] of [["cx", s.spot[0]], ["cy", s.spot[1]], ["r", 3.5]]) dot.setAttribute(k, v.toFixed(1));
    dot.setAttribute("fill", s.color || s.record.color);
    g.append(line, dot);
    svg.append(g);
  }
  return svg;
}

// The name's button. Presses, wheel turns and the pointer's moves on it go on to the map
// below (`forward`), so a drag pans and the items under the name show their cards; a click
// from the keyboard (Enter, Space: detail 0) isolates the topic here, a mouse or touch click
// is told apart from a drag or double-click by the map (see bindNameClicks).
// Its class is the level's key (topic, mid, story), its data-level the level's name.
function nameButton(spot, name, onPress, onRelease, forward, onSelect) {
  const [left, top, right, bottom] = spot.box;
  return el("button", {
    className: "map-label " + spot.level, text: spot.text,
    attrs: { type: "button", title: spot.record.name + " — click to isolate" },
    data: { level: name, id: spot.record.id },
    // The box exactly as placed (its height too: a border of 1.5 pixels draws as 1 or 2).
    style: { left: left + "px", top: top + "px", width: right - left + "px", height: bottom - top + "px", borderColor: spot.color || spot.record.color, font: spot.font, lineHeight: NAME_HEIGHT[spot.level][1] + "px" },
    on: {
      pointerdown: (e) => { onPress(e, spot); forward(e); },
      pointerup: onRelease,
      mousedown: forward,
      touchstart: forward,
      mousemove: forward,
      mouseout: forward,
      wheel: forward,
      click: (e) => { if (e.detail === 0) onSelect(spot.level, spot.record.id); },
    },
  });
}

// An item's card: its text and facts; `part`, while an isolated group is drawn in its parts'
// colours (the level below it), gives that level's entry its part's swatch.
function tooltipCard(model, i, part) {
  const facts = el("dl", { className: "facts" });
  const add = (key, value, color) => {
    if (!value) return;
    const dd = el("dd", {}, color ? el("span", { className: "swatch", style: { background: color } }) : null, value);
    facts.append(el("dt", { text: key }), dd);
  };
  const topic = model.topicById.get(model.topic[i]) || model.noise;
  const title = (key) => model.word(key)[0].toUpperCase() + model.word(key).slice(1);
  add(title("topic"), topic.name, topic.color);
  for (const key of model.keys.slice(1)) {
    const record = model.record(key, model.labels(key)[i]);
    if (record) add(title(key), record.name, key === part ? record.part_color : null);
  }
  add("Kind", model.kind(i));
  for (const extra of model.extras) add(columnTitle(extra.name), extra.get(i));
  add("ID", model.docId(i));
  const text = model.text[i];
  const space = text.lastIndexOf(" ", TOOLTIP_CHARS);
  // cut at the last space in reach, or inside a word that has none (a long URL)
  const cut = text.length > TOOLTIP_CHARS ? (space > TOOLTIP_CHARS / 2 ? space : TOOLTIP_CHARS) : -1;
  const shown = el("p", { className: "tooltip-text", text: cut > 0 ? text.slice(0, cut) : text });
  if (cut > 0) shown.append(el("span", { className: "tooltip-more", text: " … (" + fmt(text.length - cut) + " more characters: isolate the topic to read it all)" }));
  return [shown, facts];
}

function createMap(model, handlers) {
  const gd = document.getElementById("map");
  const tooltip = document.getElementById("tooltip");
  const layer = document.getElementById("map-labels");
  const { groups, colors } = traceGroups(model);
  const overlay = groups.length - 1;
  const traces = mapTraces(model, groups, colors);
  let labelMode = "auto";
  let colorOf = null;  // each item's colour when coloured by a column (null: by topic)

  const layout = {
    margin: { l: 6, r: 6, t: 6, b: 6 }, dragmode: "pan", hovermode: "closest", showlegend: false,
    xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" },
    plot_bgcolor: "#ffffff", paper_bgcolor: "#ffffff",
  };
  const config = {
    responsive: true, scrollZoom: true, displaylogo: false,
    // An offline page sends nothing anywhere: no "Share chart" upload to Plotly Cloud.
    showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "",
    modeBarButtonsToRemove: ["autoScale2d", "select2d", "lasso2d"],  // the page's Box and Lasso do these
    // On a phone plotly's toolbar would cover the map's own controls (which do what it does).
    displayModeBar: window.matchMedia("(max-width: 640px)").matches ? false : "hover",
  };

  // The level (its key) whose names suit the view: the top zoomed out, the lower ones as the
  // view shows less of the map (NAME_ZOOM), or the one the names toggle picked.
  function labelLevel(ranges) {
    if (model.keys.length < 2) return "topic";
    if (labelMode !== "auto") return labelMode;
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, [x0, x1, y0, y1] = model.fullBox;
    const [rx, ry] = ranges ? [ranges.x, ranges.y] : [xa.range, ya.range];
    const shown = Math.min(Math.abs(rx[1] - rx[0]) / Math.max(x1 - x0, 1e-9), Math.abs(ry[1] - ry[0]) / Math.max(y1 - y0, 1e-9));
    const below = NAME_ZOOM[model.keys.length].filter((share) => shown < share).length;
    return model.keys[below];
  }

  // The records named at `level`, limited to the isolated topic (of any level) if there is
  // one: the level's records that it holds or that hold it.
  function labelRecords(level) {
    const sel = handlers.selected();
    const records = model.records(level);
    if (!sel) return records;
    if (sel.id === -1) return [];
    return records.filter((r) => model.related(level, r.id, sel.level, sel.id));
  }

  // Names of the level that suits the zoom first; with "auto", the isolated topic's name
  // before them and names of the other levels after them, filling the room left, the nearer
  // level first (themes zoomed out with their topics and stories around them, the reverse
  // zoomed in).
  function relabel(ranges) {
    if (!gd._fullLayout || !gd._fullLayout.xaxis) return;
    const auto = labelMode === "auto", sel = handlers.selected();
    const own = auto && sel && sel.id >= 0 ? sel : null;
    // An isolated topic is opened to show what it holds: its own level's names (of itself
    // alone) give way to the level below, placed first, with leader lines where needed.
    let level = labelLevel(ranges);
    if (own && model.keys.indexOf(level) <= model.keys.indexOf(own.level) && model.below(own.level)) level = model.below(own.level);
    const proj = projector(gd, ranges);
    const records = (key) => labelRecords(key).filter((r) => !own || key !== own.level || r.id !== own.id);
    const controls = controlBoxes();
    const taken = (spots) => controls.concat(spots.map((s) => s.box));
    const under = itemsUnder(proj, model.x, model.y);
    let spots = own ? placeNames(proj, [model.record(own.level, own.id)], own.level, controls, true, under, undefined, controls) : [];
    // With "auto", a name that says what a name placed before it of its own topic, or of one
    // inside it, says ("HP" beside "HP", "AMD" beside "AMD · ATI", "North Korea" beside
    // "Kim Jong Un · North Korea · Summit") is not shown twice.
    // The isolated group's parts are drawn apart, each in its colour, so each keeps its name
    // even where the group's own name says it too ("Braves · Yankees · Red Sox" in "Sport · Yankees").
    const part = sel && sel.id >= 0 ? model.below(sel.level) : null;
    const mine = (key, s) => key === part && model.keys.indexOf(s.level) < model.keys.indexOf(part);
    const said = (key, r) => auto && spots.some((s) => !mine(key, s) && sayTheSame(s.record.name, r.name) && model.related(key, r.id, s.level, s.record.id));
    const budget = { left: Math.max(OWN_COVER_MIN, OWN_COVER_SHARE * under(proj.area)) };
    spots = spots.concat(placeNames(proj, records(level).filter((r) => !said(level, r)), level, taken(spots), true, under, budget, controls));
    if (auto) {
      // The other levels' names only fill the room left next to their spots: no leader lines.
      const at = model.keys.indexOf(level);
      const others = model.keys.filter((k) => k !== level).sort((a, b) => Math.abs(model.keys.indexOf(a) - at) - Math.abs(model.keys.indexOf(b) - at) || model.keys.indexOf(a) - model.keys.indexOf(b));
      for (const other of others) spots = spots.concat(placeNames(proj, records(other).filter((r) => !said(other, r)), other, taken(spots), false, under, undefined, controls));
    }
    // While a group with parts is isolated its items take their part's colour (see
    // overlayColor), and so does every name inside a part; the others (the group's own, a
    // broader one's) are grey, as no part's colour is theirs.
    if (part) for (const s of spots) s.color = partOf(s.level, s.record, part) || NAME_GREY;
    // A name that had the keyboard's focus keeps it when the names are drawn again (a zoom,
    // a resize, the click that isolated its topic), if it is still named.
    const focused = layer.contains(document.activeElement) ? document.activeElement.dataset : null;
    layer.replaceChildren(leaderLines(spots.filter((s) => s.end), model.name), ...spots.map((s) => nameButton(s, model.name(s.level), pressName, releaseName, forward, handlers.select)));
    if (focused) {
      const again = [...layer.querySelectorAll(".map-label")].find((b) => b.dataset.level === focused.level && b.dataset.id === focused.id);
      if (again) again.focus({ preventScroll: true });
    }
    layer.dataset.level = model.name(level);
  }

  // The boxes of the controls drawn over the map (the names toggle, pan / box / lasso), in the
  // names' pixels: no name is placed under one.
  function controlBoxes() {
    const origin = layer.getBoundingClientRect();
    // plotly's toolbar too: it shows on hover, over whatever name sits under it
    return [...document.querySelectorAll("#level-control, #drag-control, #map .modebar")]
      .filter((e) => !e.hidden && e.getClientRects().length > 0)
      .map((e) => { const r = e.getBoundingClientRect(); return [r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]; });
  }

  // Hand an event on a name to the map's drag surface, as if the name were not there. A
  // touch start plotly cancels stays live on the name, so that a tap is still a click there
  // (the name's touch-action keeps the browser from scrolling instead).
  function forward(e) {
    const surface = gd.querySelector(".nsewdrag");
    if (surface && !surface.dispatchEvent(new e.constructor(e.type, e)) && e.type !== "touchstart") e.preventDefault();
  }

  // A click on a name isolates its topic, the second click of a double-click undoes that,
  // leaving isolated what was before (a topic isolated from the panel stays so, as it does
  // after a double-click on the map itself). The browser counts the clicks (a click event's
  // detail); the press tells a click from a drag. A click comes from the browser or, after a
  // press plotly handled (panning), from plotly, which then sends its own click to the map;
  // each press is counted once.
  let presses = 0, handled = 0;
  let press = null;    // {x, y, level, id}: this press went down on a name
  let clicked = null;  // {before, after}: the isolation before and after the last single click on a name
  const same = (a, b) => (!a && !b) || (!!a && !!b && a.level === b.level && a.id === b.id);
  function pressName(e, spot) {
    if (e.isTrusted && e.button === 0) press = { x: e.clientX, y: e.clientY, level: spot.level, id: spot.record.id };
  }
  // A tap on a name: plotly takes the touch (so that a drag from a name pans) and the browser
  // then sends no click, so the lifted finger isolates the topic here.
  function releaseName(e) {
    if (!e.isTrusted || e.pointerType !== "touch" || !press) return;
    if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > CLICK_SLOP) return;
    handled = presses;
    const sel = handlers.selected();
    handlers.select(press.level, press.id);
    clicked = { before: sel, after: handlers.selected() };
  }
  function bindNameClicks() {
    window.addEventListener("pointerdown", (e) => { if (e.isTrusted) { presses += 1; press = null; } }, true);
    window.addEventListener("click", (e) => {
      const fromMap = e.isTrusted || e.target === gd.querySelector(".nsewdrag");
      if (!fromMap || e.detail === 0 || handled === presses) return;
      handled = presses;
      const undo = clicked, sel = handlers.selected();
      clicked = null;
      if (e.detail > 1) {
        if (!undo || !same(sel, undo.after) || same(sel, undo.before)) return;
        if (undo.before) handlers.select(undo.before.level, undo.before.id);
        else handlers.select(sel.level, sel.id);  // selecting the isolated topic again shows everything
        return;
      }
      if (!press || Math.hypot(e.clientX - press.x, e.clientY - press.y) > CLICK_SLOP) return;
      handlers.select(press.level, press.id);
      clicked = { before: sel, after: handlers.selected() };
    }, true);
  }

  // Live ranges while panning or zooming, from a plotly_relayouting event.
  function movingRanges(ev) {
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const get = (axis, k, fallback) => (ev[axis + ".range[" + k + "]"] !== undefined ? ev[axis + ".range[" + k + "]"] : fallback);
    const x = ev["xaxis.range"] || [get("xaxis", 0, xa.range[0]), get("xaxis", 1, xa.range[1])];
    const y = ev["yaxis.range"] || [get("yaxis", 0, ya.range[0]), get("yaxis", 1, ya.range[1])];
    return { x, y };
  }

  function showTooltip(i, event, point) {
    tooltip.replaceChildren(...tooltipCard(model, i, partsShown()));
    tooltip.hidden = false;
    const panel = gd.getBoundingClientRect();
    let left, top;
    if (event && event.clientX !== undefined) {
      left = event.clientX - panel.left; top = event.clientY - panel.top;
    } else {
      left = point.xaxis.l2p(point.x) + point.xaxis._offset; top = point.yaxis.l2p(point.y) + point.yaxis._offset;
    }
    // Beside the pointer where the card fits on one side; else above it (below when there is
    // no room above), so the card never hides the item it describes.
    const w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    const right = left + 16 + w <= panel.width, leftSide = left - w - 16 >= 0;
    if (right || leftSide) {
      tooltip.style.left = (right ? left + 16 : left - w - 16) + "px";
      tooltip.style.top = Math.max(4, Math.min(top + 12, panel.height - h - 4)) + "px";
    } else {
      tooltip.style.left = Math.max(4, Math.min(left - w / 2, panel.width - w - 4)) + "px";
      tooltip.style.top = (top - h - 16 >= 0 ? top - h - 16 : top + 16) + "px";
    }
  }

  function bindEvents() {
    gd.on("plotly_relayout", () => relabel());
    gd.on("plotly_relayouting", (ev) => relabel(movingRanges(ev)));
    gd.on("plotly_hover", (ev) => {
      const p = ev.points && ev.points[0];
      const i = p ? groups[p.curveNumber][p.pointNumber] : undefined;
      if (i !== undefined) showTooltip(i, ev.event, p);
    });
    gd.on("plotly_unhover", () => { tooltip.hidden = true; });
    gd.addEventListener("mouseleave", () => { tooltip.hidden = true; });
    // Touch screens have no hover: a tap (not a drag) shows the nearest item's card.
    let touchStart = null;
    gd.addEventListener("pointerdown", (e) => { touchStart = e.pointerType === "touch" ? [e.clientX, e.clientY] : null; }, true);
    gd.addEventListener("pointerup", (e) => {
      if (e.pointerType !== "touch" || !touchStart) return;
      const moved = Math.hypot(e.clientX - touchStart[0], e.clientY - touchStart[1]);
      touchStart = null;
      if (moved > 10) return;
      const i = nearestItem(e.clientX, e.clientY);
      if (i === null) tooltip.hidden = true;
      else setTimeout(() => showTooltip(i, e), 0);  // after plotly's own handling of the tap
    }, true);
    bindZoom();
  }

  // The view's ranges zoomed by `scale` (< 1: in) so that the map point that was at client
  // pixel `from` (of the view `ranges`) is at client pixel `to`.
  function zoomedRanges(ranges, scale, from, to) {
    const area = gd.querySelector(".nsewdrag").getBoundingClientRect();
    const at = (p) => [(p[0] - area.left) / area.width, (area.bottom - p[1]) / area.height];
    const [fx, fy] = at(from), [tx, ty] = at(to);
    const axis = (range, f, t) => {
      const width = (range[1] - range[0]) * scale, point = range[0] + f * (range[1] - range[0]);
      return [point - t * width, point - t * width + width];
    };
    return { "xaxis.range": axis(ranges.x, fx, tx), "yaxis.range": axis(ranges.y, fy, ty) };
  }

  // Zoom without a wheel: the + and - buttons (about the map's centre) and, on a touch
  // screen, a pinch of two fingers, which also moves the map with them; plotly.js itself has
  // no pinch (plotly/plotly.js#1858), and one finger still pans.
  function bindZoom() {
    const view = () => ({ x: gd.layout.xaxis.range.slice(), y: gd.layout.yaxis.range.slice() });
    const centre = () => { const r = gd.querySelector(".nsewdrag").getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; };
    for (const [id, scale] of [["zoom-in", 0.5], ["zoom-out", 2]]) {
      const button = document.getElementById(id);
      if (button) button.addEventListener("click", () => Plotly.relayout(gd, zoomedRanges(view(), scale, centre(), centre())));
    }
    let pinch = null, frame = 0, next = null;
    const fingers = (e) => {
      const [a, b] = [e.touches[0], e.touches[1]];
      return { mid: [(a.clientX + b.clientX) / 2, (a.clientY + b.clientY) / 2], apart: Math.max(Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY), 1) };
    };
    const own = (e) => { e.stopPropagation(); e.preventDefault(); };  // not plotly's pan, nor the page's zoom
    gd.addEventListener("touchstart", (e) => {
      if (e.touches.length !== 2) return;
      own(e);
      pinch = { ...fingers(e), ranges: view() };
      tooltip.hidden = true;
    }, { capture: true, passive: false });
    gd.addEventListener("touchmove", (e) => {
      if (!pinch || e.touches.length !== 2) return;
      own(e);
      const now = fingers(e);
      next = zoomedRanges(pinch.ranges, pinch.apart / now.apart, pinch.mid, now.mid);
      if (!frame) frame = requestAnimationFrame(() => { frame = 0; Plotly.relayout(gd, next); });
    }, { capture: true, passive: false });
    gd.addEventListener("touchend", (e) => { if (pinch && e.touches.length < 2) pinch = null; }, true);
  }

  // The drawn item nearest to page pixel (cx, cy) within TAP_RADIUS, or null.
  function nearestItem(cx, cy) {
    if (!gd._fullLayout || !gd._fullLayout.xaxis) return null;
    const proj = projector(gd), r = gd.getBoundingClientRect();
    const x = cx - r.left, y = cy - r.top;
    let best = null, bestD = TAP_RADIUS * TAP_RADIUS;
    for (let k = 0; k < groups.length; k++) {
      for (const i of groups[k]) {
        const dx = proj.px(model.x[i]) - x, dy = proj.py(model.y[i]) - y, d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = i; }
      }
    }
    return best;
  }

  // The names toggle: Auto, then a button per level (its data-level the level's name).
  function bindLevelControl() {
    const control = document.getElementById("level-control");
    control.hidden = model.keys.length < 2;
    const word = (key) => model.word(key, true)[0].toUpperCase() + model.word(key, true).slice(1);
    control.querySelector("[data-level=auto]").title = model.keys.map((k) => model.word(k, true)).join(", then ") + " as you zoom in";
    control.append(...model.keys.map((key) => el("button", { text: word(key), attrs: { type: "button", "aria-pressed": "false" }, data: { level: model.name(key), key } })));
    for (const button of control.querySelectorAll("button")) {
      button.addEventListener("click", () => {
        labelMode = button.dataset.key || "auto";
        for (const b of control.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
        relabel();
      });
    }
  }

  // The colour of the part (a record of level `part`) that `record` of `level` lies in, or
  // is; null for a record above that level.
  function partOf(level, record, part) {
    if (model.keys.indexOf(level) < model.keys.indexOf(part)) return null;
    let at = level, r = record;
    while (r && at !== part) {
      const up = model.parentOf(at, r.id);
      if (!up) return null;
      ({ level: at, record: r } = up);
    }
    return r && r.part_color ? r.part_color : null;
  }

  // The level whose colours the items are drawn in while a group is isolated (the level
  // below it; null when nothing is, or the items are coloured by a column).
  function partsShown() {
    const sel = handlers.selected();
    return !colorOf && sel && sel.id >= 0 ? model.below(sel.level) : null;
  }

  // The colour of an item drawn on top: a column's, else, while a group with parts is
  // isolated, its part's (the topics of an isolated theme, all of its colour otherwise, tell
  // apart; an item in no part is grey), else its topic's.
  function overlayColor() {
    if (colorOf) return colorOf;
    const part = partsShown();
    if (!part) return model.color;
    const labels = model.labels(part);
    return (i) => { const r = model.record(part, labels[i]); return r && r.part_color ? r.part_color : model.noiseColor; };
  }

  // The restyle that draws `indices` on top in full colour and dims the rest (null: none).
  function highlightUpdate(indices) {
    const on = indices !== null;
    const idx = on ? indices : [];
    groups[overlay] = idx;
    const none = new Array(overlay).fill(undefined);
    const colorsOf = idx.map(overlayColor());
    const single = colorsOf.length > 0 && colorsOf.every((c) => c === colorsOf[0]);
    return {
      x: [...none, pick(model.x, idx)],
      y: [...none, pick(model.y, idx)],
      "marker.color": [...none, single ? colorsOf[0] : colorsOf],
      "marker.opacity": groups.map((_, k) => (k === overlay ? 1 : k === 0 ? (on ? OPACITY.dimNoise : OPACITY.noise) : on ? OPACITY.dimTopic : OPACITY.topic)),
    };
  }

  function viewUpdate(box) {
    if (box === "home") return { "xaxis.autorange": true, "yaxis.autorange": true };
    if (!box) return {};
    const [fx0, fx1, fy0, fy1] = model.fullBox;
    const minSpan = 0.08 * Math.max(fx1 - fx0, fy1 - fy0, 1e-6);
    const around = (lo, hi) => {
      const mid = (lo + hi) / 2, half = (Math.max(hi - lo, minSpan) / 2) * 1.3;
      return [mid - half, mid + half];
    };
    return { "xaxis.range": around(box[0], box[1]), "yaxis.range": around(box[2], box[3]) };
  }

  // The restyle that leaves in the topic traces only the items `visible` marks (null: all).
  const everyItem = groups.slice(0, overlay);
  function restrictUpdate(visible) {
    const x = [], y = [];
    for (let k = 0; k < overlay; k++) {
      groups[k] = visible ? everyItem[k].filter((i) => visible[i]) : everyItem[k];
      x.push(pick(model.x, groups[k]));
      y.push(pick(model.y, groups[k]));
    }
    return { x, y };
  }

  // Each base trace's marker colour: its topic's, or one per item when coloured by a column.
  function baseColors() {
    return groups.slice(0, overlay).map((g, k) => (colorOf ? g.map(colorOf) : colors[k]));
  }

  // Colour the items by `fn` (item index to colour; null: by topic).
  function setColors(fn) {
    colorOf = fn;
    layer.classList.toggle("by-column", Boolean(fn));  // names lose their topic's colour too
    const overlayColors = groups[overlay].map(overlayColor());
    return Plotly.restyle(gd, { "marker.color": [...baseColors(), overlayColors.length ? overlayColors : model.noiseColor] });
  }

  // Highlight `indices` (or nothing, null; unchanged, undefined), show only the items that
  // `visible` marks (null: all; unchanged, undefined) and move the view to `box` ("home":
  // everything; null: stay), in one redraw.
  let dimmed = false;  // whether the base traces are dimmed now
  function show(indices, box, visible) {
    const traceUpdate = indices === undefined ? {} : highlightUpdate(indices);
    if (visible === undefined && indices !== undefined) {
      // Only the overlay's items change (and, on or off, the dimming of the rest): restyle
      // the overlay alone, so plotly does not recompute the positions of every item.
      const only = {}, steps = [];
      for (const key of ["x", "y", "marker.color"]) only[key] = [traceUpdate[key][overlay]];
      if ((indices !== null) !== dimmed) {
        const base = groups.slice(0, overlay).map((_, k) => k);
        steps.push(Plotly.restyle(gd, { "marker.opacity": traceUpdate["marker.opacity"].slice(0, overlay) }, base));
      }
      dimmed = indices !== null;
      steps.push(Plotly.update(gd, only, viewUpdate(box), [overlay]));
      return Promise.all(steps).then(() => relabel());
    }
    if (indices !== undefined) dimmed = indices !== null;
    if (visible !== undefined) {
      const base = restrictUpdate(visible);
      for (const key of ["x", "y"]) traceUpdate[key] = [...base[key], traceUpdate[key] ? traceUpdate[key][overlay] : undefined];
      if (colorOf) traceUpdate["marker.color"] = [...baseColors(), traceUpdate["marker.color"] ? traceUpdate["marker.color"][overlay] : undefined];
    }
    return Plotly.update(gd, traceUpdate, viewUpdate(box)).then(() => relabel());
  }

  const ready = Plotly.newPlot(gd, traces, layout, config).then(() => {
    bindEvents();
    bindNameClicks();
    bindLevelControl();
    relabel();
  });

  return { ready, show, relabel, groups, labelLevel, setColors, nearestItem, labelMode: () => labelMode };
}
