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

// The names of the levels a page shows, top first, when its data does not say (meta.levels).
const DEFAULT_LEVEL_NAMES = { 1: ["topic"], 2: ["topic", "story"], 3: ["theme", "topic", "story"] };
const LEVEL_WORDS = { theme: ["theme", "themes"], topic: ["topic", "topics"], story: ["story", "stories"] };

// The page's levels by key, top first: "topic" (the top level), "mid" (the middle one, on a
// page of three) and "story" (the bottom one, on a page of two or three). The views use these
// keys; what the reader sees and the page API and the link use are the levels' names
// ("theme", "topic", "story"; model.name(key), model.keyOf(name)).
function buildModel(data) {
  const pts = data.points;
  const n = pts.x.length;
  const bySize = (a, b) => b.size - a.size || a.id - b.id;
  const topics = data.topics.slice().sort(bySize);
  const stories = pts.story ? data.stories.slice().sort(bySize) : [];
  const mids = pts.mid && stories.length ? (data.mids || []).slice().sort(bySize) : [];
  const keys = ["topic", ...(mids.length ? ["mid"] : []), ...(stories.length ? ["story"] : [])];
  const given = data.meta && Array.isArray(data.meta.levels) ? data.meta.levels : [];
  const names = given.length === keys.length && given.every((g) => Object.hasOwn(LEVEL_WORDS, g)) ? given : DEFAULT_LEVEL_NAMES[keys.length];
  const nameOf = new Map(keys.map((k, j) => [k, names[j]]));
  const keyOf = new Map(keys.map((k, j) => [names[j], k]));
  const topicMembers = groupIndices(pts.topic);
  const storyMembers = stories.length ? groupIndices(pts.story) : topicMembers;
  const midMembers = mids.length ? groupIndices(pts.mid) : topicMembers;
  const [x0, x1] = extent(pts.x), [y0, y1] = extent(pts.y);
  const noise = {
    id: -1, name: "Unclustered", size: (topicMembers.get(-1) || []).length, keywords: [],
    representatives: [], color: data.noise_color, box: [x0, x1, y0, y1], cx: 0, cy: 0,
  };
  const topicById = new Map(topics.map((t) => [t.id, t]));
  topicById.set(-1, noise);
  const storyById = new Map(stories.map((s) => [s.id, s]));
  const midById = new Map(mids.map((s) => [s.id, s]));
  const kind = decodeColumn(pts.kind);
  const extras = Object.entries(pts.extra).map(([name, col]) => ({ name, get: decodeColumn(col) }));
  // Every input column the page holds (the hover columns and facets first, then the rest).
  const columns = extras.concat(Object.entries(pts.columns || {}).map(([name, col]) => ({ name, get: decodeColumn(col) })));
  const byKey = { topic: topicById, mid: midById, story: storyById };
  const membersOf = { topic: topicMembers, mid: midMembers, story: storyMembers };
  const labelsOf = { topic: pts.topic, mid: mids.length ? pts.mid : null, story: stories.length ? pts.story : null };
  const recordsOf = { topic: topics, mid: mids, story: stories };
  const rank = (key) => keys.indexOf(key);
  // The id at level `at` that the record `id` of level `key` lies in (itself at its own level).
  function ancestor(key, id, at) {
    if (key === at) return id;
    const r = byKey[key].get(id);
    if (!r) return undefined;
    return at === "topic" ? r.parent : at === "mid" ? r.mid : undefined;
  }

  let lower = null;
  return {
    n, topics, mids, stories, noise, topicById, midById, storyById,
    x: pts.x, y: pts.y, topic: pts.topic, mid: labelsOf.mid, story: labelsOf.story, text: pts.text,
    twoLevels: stories.length > 0, threeLevels: mids.length > 0, keys,
    timeline: data.timeline, timeBin: timeBins(pts, data.timeline),
    meta: data.meta, noiseColor: data.noise_color,
    fullBox: [x0, x1, y0, y1],
    kind,
    extras, columns,
    // Lower-cased texts for search, made on the first search.
    lower: () => lower || (lower = pts.text.map((s) => s.toLowerCase())),
    docId: (i) => (pts.doc_id ? pts.doc_id[i] : String(i + 1)),
    color: (i) => (topicById.get(pts.topic[i]) || noise).color,
    // The level's name ("theme", "topic", "story"), its word ("themes" with many) and back.
    name: (key) => nameOf.get(key),
    word: (key, many) => LEVEL_WORDS[nameOf.get(key)][many ? 1 : 0],
    keyOf: (name) => keyOf.get(name),
    labels: (key) => labelsOf[key],
    records: (key) => recordsOf[key] || [],
    record: (level, id) => (byKey[level] ? byKey[level].get(id) : undefined),
    members: (level, id) => (membersOf[level] ? membersOf[level].get(id) || [] : []),
    storiesOf: (topicId) => stories.filter((s) => s.parent === topicId),
    // The level below `key` (null at the bottom) and the records of it in record `id`.
    below: (key) => keys[rank(key) + 1] || null,
    childrenOf: (key, id) => {
      const next = keys[rank(key) + 1];
      return next ? recordsOf[next].filter((r) => ancestor(next, r.id, key) === id) : [];
    },
    // The record one level up from record `id` of level `key` ({level, record}; null at the top).
    parentOf: (key, id) => {
      const up = keys[rank(key) - 1];
      return up ? { level: up, record: byKey[up].get(ancestor(key, id, up)) } : null;
    },
    // Whether record `id` of level `key` and record `otherId` of level `other` lie in one
    // another (one is the other, or holds it).
    related: (key, id, other, otherId) => {
      const at = rank(key) < rank(other) ? key : other;
      return ancestor(key, id, at) === ancestor(other, otherId, at);
    },
  };
}
