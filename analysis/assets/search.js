// search.js: the search box's query language, as pure functions (window.topicmap.query
// exposes them for tests and automation).
//
//   war              the whole word, any case: "War", "war-torn", "(war)"; not "Warner" or "award"
//   war*             words that start with it: "war", "wars", "Warner"
//   "new york"       the words in this order
//   iran OR israel   either (OR in capitals); terms side by side must all match
//   -sport -"a b"    leave out the items that have it
//
// Words are runs of Unicode letters, marks, digits and "_"; matching ignores case. A query
// is only ever used as data: each term becomes an escaped regular expression. Query and text
// are matched as the reader sees them (foldText): accents, invisible format characters (a
// soft hyphen, a zero-width space) and the apostrophe's forms make no difference.

const QUERY_WORD = "[\\p{L}\\p{M}\\p{N}_]";
const QUERY_WORD_RE = new RegExp("^" + QUERY_WORD + "$", "u");
const QUERY_TOKEN_RE = /(-?)"([^"]*)("?)|(\S+)/g;
const QUERY_TERMS_MAX = 32;

// The query as the view and the link keep it: trimmed, lower case but for the OR operator.
function normalizeQuery(text) {
  return String(text === null || text === undefined ? "" : text).trim()
    .split(/(\s+)/).map((part) => (part === "OR" ? part : part.toLowerCase())).join("");
}

const FOLD_PLAIN_RE = /^[\x00-\x7f]*$/;
const FORMAT_RE = /^\p{Cf}$/u;
const ACCENTS_RE = /[\u0300-\u036f]/g;
const APOSTROPHES = new Set(["\u2019", "\u2018", "\u02bc", "\u2032", "\uff07", "`", "\u00b4"]);
const foldCache = new Map();

// `text` folded for matching: accents off (precomposed or combining), format characters
// dropped, apostrophes as "'", "İ" as "I". {text, at}: at[j] is the index in `text` of the
// folded text's unit j (and at[length] the end), null when folding changed nothing.
function foldText(text) {
  const s = String(text);
  if (FOLD_PLAIN_RE.test(s)) return { text: s, at: null };
  const known = foldCache.get(s);
  if (known) return known;
  let out = "";
  const at = [];
  let i = 0;
  for (const ch of s) {
    const folded = FORMAT_RE.test(ch) ? "" : APOSTROPHES.has(ch) ? "'" : ch === "\u0130" ? "I"
      : ch.normalize("NFD").replace(ACCENTS_RE, "");
    for (let k = 0; k < folded.length; k++) at.push(i);
    out += folded;
    i += ch.length;
  }
  at.push(i);
  const result = { text: out, at };
  if (foldCache.size > 200000) foldCache.clear();
  foldCache.set(s, result);
  return result;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
}

// One search term ({text, phrase, prefix}) as a regular expression source: its words in order,
// bounded by non-word characters wherever the term starts or ends with a word character.
function termSource(term) {
  const words = term.text.split(/\s+/).filter(Boolean);
  if (!words.length) return null;
  const body = words.map(escapeRegExp).join("\\s+");
  const first = term.text.trim()[0], last = term.text.trim().slice(-1);
  const before = QUERY_WORD_RE.test(first) ? "(?<!" + QUERY_WORD + ")" : "";
  const after = !term.prefix && QUERY_WORD_RE.test(last) ? "(?!" + QUERY_WORD + ")" : "";
  return before + body + after;
}

// The query's structure: {groups: [[term, ...], ...], exclude: [term, ...]}. An item matches
// when each group has a term it contains and it contains no excluded term. A term is
// {text, phrase, prefix, source} (source: the regular expression, case-insensitive, Unicode).
function parseQuery(text) {
  const groups = [], exclude = [];
  let orPending = false, lastPositive = false, count = 0;
  const query = String(text === null || text === undefined ? "" : text);
  for (const m of query.matchAll(QUERY_TOKEN_RE)) {
    if (count >= QUERY_TERMS_MAX) break;
    let negate, raw, phrase;
    if (m[4] !== undefined) {
      if (m[4] === "OR") { orPending = lastPositive; continue; }
      negate = m[4].length > 1 && m[4][0] === "-";
      raw = negate ? m[4].slice(1) : m[4];
      phrase = false;
    } else {
      negate = m[1] === "-";
      raw = m[2];
      phrase = true;
    }
    const prefix = !phrase && raw.length > 1 && raw.endsWith("*");
    const term = { text: prefix ? raw.replace(/\*+$/, "") : raw, phrase, prefix };
    term.source = termSource(term);
    if (term.source === null) { orPending = false; continue; }
    count += 1;
    if (negate) exclude.push(term);
    else if (orPending && groups.length) groups[groups.length - 1].push(term);
    else groups.push([term]);
    lastPositive = !negate;
    orPending = false;
  }
  return { groups, exclude };
}

let lastCompiled = null;
// A matcher for the query: {query, empty, test(text) -> bool, ranges(text) -> [[start, end], ...]}
// (ranges: where the wanted terms occur, merged, for highlighting). The last one is kept.
function compileQuery(text) {
  const query = String(text === null || text === undefined ? "" : text);
  if (lastCompiled && lastCompiled.query === query) return lastCompiled;
  const parsed = parseQuery(foldText(query).text);
  const re = (t) => new RegExp(t.source, "iu");
  const groups = parsed.groups.map((g) => g.map(re));
  const exclude = parsed.exclude.map(re);
  const marks = parsed.groups.flat().map((t) => new RegExp(t.source, "giu"));
  const test = (raw) => {
    const s = foldText(raw).text;
    for (const g of groups) {
      let any = false;
      for (const r of g) if (r.test(s)) { any = true; break; }
      if (!any) return false;
    }
    for (const r of exclude) if (r.test(s)) return false;
    return true;
  };
  const ranges = (raw) => {
    const { text: s, at } = foldText(raw);
    const found = [];
    for (const r of marks) {
      r.lastIndex = 0;
      for (const m of s.matchAll(r)) {
        if (!m[0].length) continue;
        const a = m.index, b = m.index + m[0].length;
        found.push(at ? [at[a], at[b]] : [a, b]);
      }
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged = [];
    for (const [a, b] of found) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    return merged;
  };
  lastCompiled = { query, parsed, empty: groups.length === 0 && exclude.length === 0, test, ranges };
  return lastCompiled;
}

// `text` as a list of text pieces and <mark> elements around the query's matches, for el():
// only text nodes are made, never markup.
function markMatches(text, query) {
  const s = String(text);
  if (!query) return [s];
  const out = [];
  let at = 0;
  for (const [a, b] of compileQuery(query).ranges(s)) {
    if (a > at) out.push(s.slice(at, a));
    out.push(el("mark", { className: "hit", text: s.slice(a, b) }));
    at = b;
  }
  if (at < s.length) out.push(s.slice(at));
  return out;
}
