"""Name and describe topics with phrases their items wrote.

A topic's candidate names are the phrases (analysis.phrases: one to four contiguous words,
case and punctuation folded, shown as the items write them) that at least two of its items
use and that are whole (not always preceded or followed by the same word). Each is scored
like class-based TF-IDF: its coverage times its inverse document frequency over the corpus,
so phrases every topic shares sink. The best CANDIDATES per topic are embedded with the
items' model, in one batch for all topics, and reranked (as BERTopic's KeyBERTInspired
reranks by closeness to the topic) by their margin, the cosine to the topic's centroid minus
the highest cosine to another topic's, times coverage ** COVERAGE_WEIGHT. The margin keeps a
name nearest its own topic; the coverage weight keeps words that do not pay for themselves
out of the name (a shorter phrase covers at least as many items).

- A story is named by that phrase, led by its subject when the phrase does not say it: of the
  identifying phrases, the one most of its items use ("Iran · Nuclear Talks").
- A theme is named by its subject as a section editor would write it, when the news taxonomy
  knows it (analysis.subjects: "Sport", "Entertainment", "Technology"), then by its best phrases with
  no word in common, BROAD_TERMS parts in all, coverage being the mean share over its
  stories, so terms that span the stories win ("Business · Stocks · Market"). Theme names made
  of the largest stories' names scored lower against the gold categories
  (benchmarks/results/names.md), so they are not used. Weighting each story by the square
  root of its size in that mean (stop 46, so one small story of a theme with few, such as
  HuffPost's 16-item climate story beside a 332-item one, gives no keywords) read well on
  HuffPost ("Disasters · Killed · Shooting" for "· Death · Rescue") but moved the theme
  category, seeds 0-2: UCI 0.862/0.869/0.885 -> 0.745/0.708/0.885, HuffPost 0.659/0.760/0.745
  -> 0.593/0.695/0.680, MultiFin 0.592/0.607/0.600 -> 0.592/0.737/0.743; not kept.
- A topic no phrase fits is named by the start of its most central item; topics of one level
  never share a name (the one a name fits better keeps it, the other takes its next option).
- No name holds one word twice in two forms ("Recall", "Recalls": `phrases.same_word`), a
  corpus written in capitals is named in normal case, acronyms kept (`phrases.calm`), and so
  is a word that only a few items write in capitals (`phrases.quieten`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis import phrases, subjects
from analysis.credits import credit_tails, without_credits
from analysis.phrases import SEPARATOR

N_KEYWORDS = 8
N_REPRESENTATIVES = 5
CANDIDATES = 20  # phrases per topic embedded and reranked
BROAD_TERMS = 3  # phrases in a theme's name
FALLBACK_WORDS = 6  # words of the central item that name a topic no phrase fits
DESCRIPTION_CHARS = 160  # a description longer than this is cut at a word
COVERAGE_WEIGHT = 0.25  # how much a name must speak for many items, against setting its topic apart
FORM_SAMPLE = 20  # items read to find how a phrase is written
COLUMNS = ["id", "name", "size", "keywords", "representatives", "description"]
Embed = Callable[[list[str]], "np.ndarray | None"]
Phrases = tuple[sparse.csr_matrix, np.ndarray]


def describe_topics(
    texts: list[str],
    labels: np.ndarray,
    embeddings: np.ndarray | None = None,
    *,
    embed: Embed | None = None,
    stories: np.ndarray | None = None,
    phrase_table: Phrases | None = None,
    subject: bool = True,
    taken: dict[int, str] | None = None,
) -> pd.DataFrame:
    """One row per topic (-1 excluded): id, name, size, keywords, representatives, description.

    `embed` turns phrases into unit vectors with the items' model; without it (or when it
    returns None or vectors that do not match `embeddings`) a phrase stands for the mean of
    the topic's items that use it. Representatives are the items nearest the centroid (the first items without
    embeddings); the description is the first of them, shortened. With `stories` (each
    item's story, -1 for none) the topics are themes, named by the BROAD_TERMS phrases that
    best span their stories, led by their subject unless `subject` is False (the topics of
    the middle level, whose theme already says it). `phrase_table` is
    `phrases.phrase_matrix(texts)`, when the caller names several levels of one corpus.
    `taken` {id: name} are names topics already have (a saved map's, the reader's): those
    topics keep them, and no other topic is given one of them.
    """
    labels = np.asarray(labels)
    topic_ids = np.unique(labels[labels >= 0])
    if topic_ids.size == 0:
        return pd.DataFrame(columns=COLUMNS)
    matrix, vocabulary = phrase_table if phrase_table is not None else phrases.phrase_matrix(texts)
    central = _by_centrality([np.flatnonzero(labels == t) for t in topic_ids], embeddings)
    columns, coverage, corpus = _candidates(matrix, labels, topic_ids, central, stories)
    barred = [phrases.fold(tail) for tail in credit_tails(texts)]  # a feed's credit names nothing
    if barred:
        kept = [~np.isin(vocabulary[cols], barred) for cols in columns]
        columns, coverage = [c[k] for c, k in zip(columns, kept)], [c[k] for c, k in zip(coverage, kept)]
    users = [matrix[items][:, cols].tocsc() for items, cols in zip(central, columns)]
    plain = without_credits(texts, rare=True)  # "(AP)" grows no phrase
    written = [
        [phrases.written_form(vocabulary[c], _sample(plain, items, used, j)) for j, c in enumerate(cols)]
        for items, cols, used in zip(central, columns, users)
    ]
    written = [  # a phrase grown into a longer expression (`phrases.written_form`) on a sample
        [
            _all_grown(form, whole, vocabulary[c], plain, items, used, j)
            for j, (c, (form, whole)) in enumerate(zip(cols, topic))
        ]
        for items, cols, used, topic in zip(central, columns, users, written)
    ]
    shouting = phrases.shouts(texts)  # a corpus in capitals is named in normal case
    forms = [[phrases.calm(form) if shouting else form for form, _ in topic] for topic in written]
    forms = forms if shouting else phrases.quieten(forms, texts)  # a few items in capitals: "GAME DAY"
    whole = [np.array([w for _, w in topic], dtype=bool) for topic in written]  # clipped phrases name nothing
    fits = _fits(
        [[f for f, w in zip(fs, ws) if w] for fs, ws in zip(forms, whole)],
        [c[w] for c, w in zip(coverage, whole)],
        [u[:, np.flatnonzero(w)] for u, w in zip(users, whole)],
        central,
        embeddings,
        embed,
    )
    named = [
        (np.array([f for f, w in zip(fs, ws) if w], dtype=object), c[ws], corpus[cols[ws]], fit)
        for fs, ws, c, cols, fit in zip(forms, whole, coverage, columns, fits)
    ]
    options = [[phrases.as_label(f) for f in fs[np.argsort(-fit, kind="stable")]] for fs, _, _, fit in named]
    ordered = [np.sort(fit)[::-1] for fit in fits]
    fixed = {t: (taken or {})[int(topic)] for t, topic in enumerate(topic_ids) if int(topic) in (taken or {})}
    if stories is not None:  # a theme: its subject, then its best phrases, BROAD_TERMS parts in all
        held = frozenset(part.casefold() for name in fixed.values() for part in name.split(SEPARATOR))
        found = (
            subjects.theme_subjects(embeddings, central, embed, frozenset(fixed), held)
            if subject and embeddings is not None
            else [None] * len(central)
        )
        options = [
            [_joined(([s] if s else []) + opts[i:]) for i in range(len(opts))] for opts, s in zip(options, found)
        ]
    else:  # a story: its subject leads, unless the name already says it
        options = [
            [o if s is None or _overlaps(s, o) else s + SEPARATOR + o for o in opts]
            for opts, s in zip(options, (_subject(*n) for n in named))
        ]
    fallbacks = [[phrases.calm(texts[i]) if shouting else texts[i] for i in items[:3]] for items in central]
    names = _distinct(options, ordered, fallbacks, topic_ids, fixed)
    spread = _keyword_order(users, central, columns, corpus, len(texts), stories)
    return pd.DataFrame.from_records(
        [
            {
                "id": int(topic),
                "name": name,
                "size": len(items),
                "keywords": _keywords(np.asarray(topic_forms, dtype=object)[order][kept[order]]),
                "representatives": [phrases.readable(texts[i], tags=True) for i in items[:N_REPRESENTATIVES]],
                "description": describe(texts[items[0]]),
            }
            for topic, items, topic_forms, kept, name, order in zip(topic_ids, central, forms, whole, names, spread)
        ],
        columns=COLUMNS,
    )


def _sample(texts: list[str], items: np.ndarray, used: sparse.csc_matrix, j: int) -> list[str]:
    """The FORM_SAMPLE most central of `items` that use candidate `j` (a column of `used`)."""
    return [texts[i] for i in items[used.indices[used.indptr[j] : used.indptr[j + 1]][:FORM_SAMPLE]]]


def _all_grown(
    form: str, whole: bool, phrase: str, texts: list[str], items: np.ndarray, used: sparse.csc_matrix, j: int
) -> tuple[str, bool]:
    """(`form`, `whole`), unless `form` grew past `phrase` on the FORM_SAMPLE items read and not
    all of the topic's items that use `phrase` write it: then the phrase is clipped, as
    before, not named by an expression only some of them hold."""
    if not whole or len(phrases.tokens(form)) <= len(phrase.split()):
        return form, whole
    rows = items[used.indices[used.indptr[j] : used.indptr[j + 1]]]
    return form, all(phrases.occurs(form, texts[i]) for i in rows)


def describe(text: str) -> str:
    """A one-line description: `text` as a person reads it (`phrases.readable`: HTML entities
    decoded) with whitespace collapsed, cut at a word when longer than DESCRIPTION_CHARS
    characters."""
    line = " ".join(phrases.readable(text, tags=True).split())
    if len(line) <= DESCRIPTION_CHARS:
        return line
    return line[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _by_centrality(members: list[np.ndarray], embeddings: np.ndarray | None) -> list[np.ndarray]:
    """Each topic's items, most central (highest cosine to the centroid) first."""
    if embeddings is None:
        return members
    out = []
    for items in members:
        vectors = normalize(embeddings[items])
        out.append(items[np.argsort(-(vectors @ vectors.mean(axis=0)), kind="stable")])
    return out


def _candidates(
    matrix: sparse.csr_matrix,
    labels: np.ndarray,
    topic_ids: np.ndarray,
    members: list[np.ndarray],
    parts: np.ndarray | None,
):
    """Per topic: its best CANDIDATES phrase columns by coverage × idf (ties alphabetical)
    and their coverage, and every phrase's corpus count; a phrase must be used by two of
    the topic's items. Coverage is the share of the topic's items that use the phrase or, with
    `parts` (each item's story), its mean share over the topic's stories (its unclustered
    items pooled as one), so a term that spans the stories beats one that fills one story."""
    n = matrix.shape[0]
    corpus = np.asarray(matrix.sum(axis=0)).ravel()
    idf = np.log1p(n / np.maximum(corpus, 1.0))
    topic_row = {t: r for r, t in enumerate(topic_ids)}
    clustered = labels >= 0
    unit_key = (
        labels[clustered] * (int(parts.max(initial=0)) + 2) + parts[clustered] + 1
        if parts is not None
        else labels[clustered]
    )
    keys, unit = np.unique(unit_key, return_inverse=True)
    unit_size = np.bincount(unit)
    unit_topic = np.array([topic_row[t] for t in labels[clustered][np.unique(unit, return_index=True)[1]]])
    by_unit = sparse.csr_matrix(
        (np.ones(len(unit), np.float32), (unit, np.flatnonzero(clustered))), shape=(len(keys), n)
    )
    unit_counts = by_unit @ matrix
    units_per_topic = np.bincount(unit_topic, minlength=len(topic_ids))
    summing = sparse.csr_matrix(
        (np.ones(len(keys)), (unit_topic, np.arange(len(keys)))), shape=(len(topic_ids), len(keys))
    )
    averaging = sparse.csr_matrix(
        (1.0 / (unit_size * units_per_topic[unit_topic]), (unit_topic, np.arange(len(keys)))),
        shape=(len(topic_ids), len(keys)),
    )
    counts, shares = (summing @ unit_counts).tocsr(), (averaging @ unit_counts).tocsr()
    columns, coverages = [], []
    for row in range(len(topic_ids)):
        cols = counts.indices[counts.indptr[row] : counts.indptr[row + 1]]
        used = counts.data[counts.indptr[row] : counts.indptr[row + 1]]
        cols = cols[used >= 2]
        coverage = np.asarray(shares[row, cols].toarray()).ravel() if len(cols) else np.zeros(0)
        score = coverage * idf[cols]
        order = np.lexsort((cols, -score))[:CANDIDATES]
        columns.append(cols[order])
        coverages.append(coverage[order])
    return columns, coverages, corpus


def _fits(forms, coverage, users, central, embeddings, embed) -> list[np.ndarray]:
    """How well each candidate names its topic: its margin (cosine to the topic's centroid
    minus the highest cosine to another topic's centroid: how far the name sets its topic
    apart, positive exactly when it is nearest its own topic) times coverage ** COVERAGE_WEIGHT."""
    if embeddings is None:
        return [np.asarray(c, dtype=np.float64) for c in coverage]
    unique = sorted({f for topic in forms for f in topic})
    vectors = embed(unique) if embed is not None and unique else None
    if vectors is not None and (vectors.ndim != 2 or vectors.shape[1] != embeddings.shape[1]):
        vectors = None
    row = {f: i for i, f in enumerate(unique)}
    centroids = normalize(np.vstack([normalize(embeddings[items]).mean(axis=0) for items in central]))
    blocks = []
    for topic_forms, used, items in zip(forms, users, central):
        if not topic_forms:
            blocks.append(np.zeros((0, centroids.shape[1])))
        elif vectors is not None:
            blocks.append(vectors[[row[f] for f in topic_forms]])
        else:  # each phrase as the mean of the topic's items that use it
            blocks.append(normalize(np.asarray(used.T @ normalize(embeddings[items]))))
    owner = np.concatenate([np.full(len(b), t) for t, b in enumerate(blocks)])
    stacked = np.vstack(blocks) if len(owner) else np.zeros((0, centroids.shape[1]))
    margin = np.empty(len(owner))
    for start in range(0, len(owner), 4096):  # phrases × topics cosines, a block at a time
        similarity = stacked[start : start + 4096] @ centroids.T
        rows = np.arange(len(similarity))
        own = similarity[rows, owner[start : start + 4096]].copy()
        similarity[rows, owner[start : start + 4096]] = -np.inf
        margin[start : start + 4096] = own - (similarity.max(axis=1) if len(centroids) > 1 else 0.0)
    cov = np.concatenate(coverage) if len(owner) else np.zeros(0)
    score = np.where(margin > 0, margin * cov**COVERAGE_WEIGHT, margin)
    return np.split(score, np.cumsum([len(b) for b in blocks])[:-1])


def _subject(forms: np.ndarray, coverage: np.ndarray, corpus: np.ndarray, fit: np.ndarray) -> str | None:
    """What a story is about: of the phrases that identify it (positive fit), the one most of
    its items use; on a tie the one the whole corpus uses most (the broader subject, "Iran"
    over "nuclear talks"), then the better fit."""
    ok = np.flatnonzero(fit > 0)
    if not len(ok):
        return None
    best = ok[np.lexsort((-fit[ok], -corpus[ok], -coverage[ok]))[0]]
    return phrases.as_label(forms[best])


def _joined(options: list[str]) -> str:
    """The first option followed by the next ones that share no word, in any of its forms
    ("Recall", "Recalls"), with a part before them, BROAD_TERMS parts at most. An option that
    is the rest of another option with a part already taken is one expression cut in two
    ("Trump · Donald", when "Donald Trump" is an option too), and is left out."""
    words = [frozenset(phrases.fold(o).split()) for o in options]
    whole = set(words)
    parts: list[str] = []
    taken: list[frozenset[str]] = []
    for option, own in zip(options, words):
        if any(phrases.share_a_word(option, p) for p in parts) or any(own | t in whole for t in taken):
            continue
        parts.append(option)
        taken.append(own)
        if len(parts) == BROAD_TERMS:
            break
    return SEPARATOR.join(parts)


def _overlaps(a: str, b: str) -> bool:
    """Whether one folded phrase contains the other, or a word of one is a form of a word of
    the other ("Recall" and "Recalls Jeep": one word twice is no name)."""
    fa, fb = f" {phrases.fold(a)} ", f" {phrases.fold(b)} "
    return fa in fb or fb in fa or phrases.share_a_word(a, b)


def _distinct(options, fits, central_texts, topic_ids, fixed: dict[int, str] | None = None) -> list[str]:
    """One name per topic, no two alike (folded): a name two topics want goes to the one it
    fits better (the lower id on a tie) and the other takes its next option; past its
    options a topic is named by the start of its most central items, then with its id.
    A topic of `fixed` {index: name} has that name, and keeps it against any other."""
    fixed = fixed or {}
    chosen = [0] * len(options)

    def pool(t: int) -> list[str]:
        return options[t] + [phrases.short_form(text, FALLBACK_WORDS) for text in central_texts[t]]

    def name(t: int) -> str:
        if t in fixed:
            return fixed[t]
        k, names = chosen[t], pool(t)
        return names[k] if k < len(names) else f"{names[len(options[t])]} ({topic_ids[t]})"

    def fit(t: int) -> float:  # a fixed name, then the last resort (with the id), always keep theirs
        k = chosen[t]
        if t in fixed or k >= len(pool(t)):
            return np.inf
        return float(fits[t][k]) if k < len(fits[t]) else -np.inf

    while True:
        holders: dict[str, list[int]] = {}
        for t in range(len(options)):
            holders.setdefault(phrases.fold(name(t)), []).append(t)
        moved = False
        for ts in (ts for ts in holders.values() if len(ts) > 1):
            keeper = max(ts, key=lambda t: (t in fixed, fit(t), -t))
            for t in ts:
                if t != keeper and t not in fixed and chosen[t] < len(pool(t)):
                    chosen[t] += 1
                    moved = True
        if not moved:  # no clash left, or only names that cannot move (a reader's two alike)
            return [name(t) for t in range(len(options))]


def _keyword_order(users, central, columns, corpus: np.ndarray, n: int, stories: np.ndarray | None) -> list[np.ndarray]:
    """Each topic's candidates in the order its keywords take them: coverage times idf, with
    each story (the unclustered items pooled as one) weighing the square root of its size.
    Names weigh every story alike, so a term that spans the stories wins; keywords say what
    the whole group holds, and weighed alike a theme's one small story among few gave them
    all (HuffPost's politics theme, 776 items: "Climate · Bolsonaro · Amazon" from 16).
    Without stories, each item counts alike (the candidates' own order)."""
    idf = np.log1p(n / np.maximum(corpus, 1.0))
    orders = []
    for used, items, cols in zip(users, central, columns):
        if stories is None or len(items) == 0:
            orders.append(np.arange(len(cols)))
            continue
        _, unit, sizes = np.unique(stories[items], return_inverse=True, return_counts=True)
        weight = (np.sqrt(sizes) / np.sqrt(sizes).sum() / sizes)[unit]
        coverage = np.asarray((used > 0).T.astype(np.float64) @ weight).ravel()
        orders.append(np.argsort(-(coverage * idf[cols]), kind="stable"))
    return orders


def _keywords(forms: np.ndarray) -> list[str]:
    """The best-scoring whole candidates (no "Rourke" cut from "Beto O'Rourke"), written as the
    items write them, skipping any whose words, in any of their forms, all lie in a keyword
    already chosen or hold all of its words ("Ice Age" after "ice ages")."""

    def within(words: set[str], other: set[str]) -> bool:
        return all(any(phrases.same_word(w, o) for o in other) for w in words)

    chosen: list[tuple[set, str]] = []
    for form in forms:
        words = set(phrases.fold(form).split())
        if any(within(words, c) or within(c, words) for c, _ in chosen):
            continue
        chosen.append((words, form))
        if len(chosen) == N_KEYWORDS:
            break
    return [form for _, form in chosen]
