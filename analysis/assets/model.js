// model.js: the embedded data decoded into arrays and lookups the views share.

// A column stored as distinct values plus a code per item (codes null: one value for all).
function decodeColumn(col) {
  if (col.list) return (i) => col.list[i];
  return col.codes ? (i) => col.values[col.codes[i]] : () => col.values[0];
}

// Each item's timeline bin (-1: no date), from the bin of each distinct date value.
function timeBins(pts, timeline) {
  if (!timeline) return null;
  const col = pts.extra[timeline.column], bins = timeline.value_bins;
  const out = new Int32Array(pts.x.length);
  for (let i = 0; i < out.length; i++) out[i] = bins[col.codes ? col.codes[i] : 0];
  return out;
}

function groupIndices(labels) {
  const groups = new Map();
  for (let i = 0; i < labels.length; i++) {
    let g = groups.get(labels[i]);
    if (!g) groups.set(labels[i], (g = []));
    g.push(i);
  }
  return groups;
}

function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function buildModel(data) {
  const pts = data.points;
  const n = pts.x.length;
  const bySize = (a, b) => b.size - a.size || a.id - b.id;
  const topics = data.topics.slice().sort(bySize);
  const stories = data.stories.slice().sort(bySize);
  const topicMembers = groupIndices(pts.topic);
  const storyMembers = pts.story ? groupIndices(pts.story) : topicMembers;
  const [x0, x1] = extent(pts.x), [y0, y1] = extent(pts.y);
  const noise = {
    id: -1, name: "Unclustered", size: (topicMembers.get(-1) || []).length, keywords: [],
    representatives: [], color: data.noise_color, box: [x0, x1, y0, y1], cx: 0, cy: 0,
  };
  const topicById = new Map(topics.map((t) => [t.id, t]));
  topicById.set(-1, noise);
  const storyById = new Map(stories.map((s) => [s.id, s]));
  const kind = decodeColumn(pts.kind);
  const extras = Object.entries(pts.extra).map(([name, col]) => ({ name, get: decodeColumn(col) }));
  // Every input column the page holds (the hover columns and facets first, then the rest).
  const columns = extras.concat(Object.entries(pts.columns || {}).map(([name, col]) => ({ name, get: decodeColumn(col) })));

  let lower = null;
  return {
    n, topics, stories, noise, topicById, storyById,
    x: pts.x, y: pts.y, topic: pts.topic, story: pts.story, text: pts.text,
    twoLevels: stories.length > 0,
    timeline: data.timeline, timeBin: timeBins(pts, data.timeline),
    meta: data.meta, noiseColor: data.noise_color,
    fullBox: [x0, x1, y0, y1],
    kind,
    extras, columns,
    // Lower-cased texts for search, made on the first search.
    lower: () => lower || (lower = pts.text.map((s) => s.toLowerCase())),
    docId: (i) => (pts.doc_id ? pts.doc_id[i] : String(i + 1)),
    color: (i) => (topicById.get(pts.topic[i]) || noise).color,
    record: (level, id) => (level === "story" ? storyById.get(id) : topicById.get(id)),
    members: (level, id) => (level === "story" ? storyMembers : topicMembers).get(id) || [],
    storiesOf: (topicId) => stories.filter((s) => s.parent === topicId),
  };
}
