"""Name topics from the corpus's own words: class-based TF-IDF over words and two-word phrases.

A term's weight in a topic is the share of the topic's items that contain it times its
inverse document frequency in the whole corpus (the unclustered items included), so words
every item shares (Trump, says) sink and the words that set the topic apart rise. The name
is the key term followed by the next terms that most of the topic's items share.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

N_KEYWORDS = 8
N_REPRESENTATIVES = 5
NAME_MAX_WORDS = 3
NEAR_TIE = 0.8  # a key-term candidate within 20% of the best score counts as tied
# Headline filler that carries no topic of its own, on top of scikit-learn's English list.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "amid", "says", "said", "say", "new", "news", "just", "like", "year", "years", "day",
    "week", "time", "report", "reports", "reported", "according", "make", "makes", "way",
    "set", "sets", "big", "gets", "get", "want", "wants", "including", "despite", "via",
}
_POSSESSIVE = re.compile(r"['’]s?$")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*[^\W_]|[^\W\d_]{2,}")


def _normal(word: str) -> str:
    """Fold case, possessives and plain plurals so Tariff and tariffs count as one term."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


class _Vocabulary:
    """Tokenises texts into terms and remembers each term's most common written form."""

    def __init__(self) -> None:
        self.forms: dict[str, Counter] = {}

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        previous: str | None = None
        for match in _WORD.finditer(text):
            surface = _POSSESSIVE.sub("", match.group())
            key = _normal(surface)
            if key in STOP_WORDS or len(key) < 2:
                previous = None
                continue
            self.forms.setdefault(key, Counter())[surface] += 1
            out.append(key)
            if previous is not None and previous != key:
                out.append(f"{previous} {key}")
            previous = key
        return out

    def display(self, term: str) -> str:
        return " ".join(self._display_word(w) for w in term.split())

    def _display_word(self, key: str) -> str:
        forms = self.forms.get(key)
        if not forms:
            return key
        if any(f.islower() for f in forms):
            return min((f for f in forms if f.islower()), key=len)
        return forms.most_common(1)[0][0]


def describe_topics(
    texts: list[str], labels: np.ndarray, embeddings: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per topic (-1 excluded): id, name, size, keywords, representatives.

    Representatives are the items nearest the topic's centroid in embedding space (or the
    first items when no embeddings are given).
    """
    labels = np.asarray(labels)
    topic_ids = np.unique(labels[labels >= 0])
    columns = ["id", "name", "size", "keywords", "representatives"]
    if topic_ids.size == 0:
        return pd.DataFrame(columns=columns)
    vocabulary = _Vocabulary()
    vectorizer = CountVectorizer(analyzer=vocabulary.terms, binary=True, dtype=np.float32)
    try:
        doc_terms = vectorizer.fit_transform(texts).tocsr()
        names = vectorizer.get_feature_names_out()
    except ValueError:  # not one nameable word in the corpus (numbers, stop words only)
        doc_terms, names = sparse.csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
    corpus_df = np.asarray(doc_terms.sum(axis=0)).ravel()
    idf = np.log1p(len(texts) / np.maximum(corpus_df, 1.0))

    rows = {t: i for i, t in enumerate(topic_ids)}
    member = labels >= 0
    membership = sparse.csr_matrix(
        (np.ones(member.sum(), dtype=np.float32), ([rows[t] for t in labels[member]], np.flatnonzero(member))),
        shape=(len(topic_ids), len(texts)),
    )
    topic_doc_counts = (membership @ doc_terms).tocsr()
    sizes = np.bincount([rows[t] for t in labels[member]], minlength=len(topic_ids))
    representatives = _representatives(labels, topic_ids, embeddings)

    records = []
    for row, topic in enumerate(topic_ids):
        counts = topic_doc_counts.getrow(row)
        terms, shared = counts.indices, counts.data
        score = shared / sizes[row] * idf[terms]
        order = np.lexsort((names[terms], -score))
        ranked = [(names[terms[i]], shared[i], score[i], corpus_df[terms[i]]) for i in order]
        keywords = _keywords(ranked)
        records.append(
            {
                "id": int(topic),
                "name": _name(ranked, sizes[row], vocabulary, [texts[i] for i in representatives[topic]]),
                "size": int(sizes[row]),
                "keywords": [vocabulary.display(k) for k in keywords],
                "representatives": [texts[i] for i in representatives[topic]],
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


def _keywords(ranked: list[tuple[str, float, float, int]]) -> list[str]:
    chosen: list[str] = []
    for term, *_ in ranked:
        words = set(term.split())
        if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == N_KEYWORDS:
            break
    return chosen


def _name(ranked: list[tuple[str, float, float, int]], size: int, vocabulary: _Vocabulary, texts: list[str]) -> str:
    """Key term first, then the best terms most items share, in the order the texts use them.

    The key term is the best-scoring word; among near-ties shared by as many items, the one
    the corpus uses most (the subject, "Iran", rather than a detail, "nuclear").
    """
    unigrams = [r for r in ranked if " " not in r[0]]
    if not unigrams:  # no nameable word: the start of its most central item
        return " ".join(texts[0].split()[:NAME_MAX_WORDS]) if texts and texts[0].strip() else "Unnamed topic"
    top_term, top_shared, top_score, _ = unigrams[0]
    near = [r for r in unigrams if r[1] == top_shared and r[2] >= NEAR_TIE * top_score]
    key = max(near, key=lambda r: (r[3], r[2]))[0]
    words = [key]
    quorum = 2 if size >= 2 else 1
    for pass_quorum in (quorum, 1):
        for term, shared, _, _ in ranked:
            if len(words) >= NAME_MAX_WORDS:
                break
            if shared < pass_quorum or key in term.split():
                continue
            new = [w for w in term.split() if w not in words]
            if new and len(words) + len(new) <= NAME_MAX_WORDS:
                words += new
        if len(words) >= 2:
            break
    words = [key] + sorted(words[1:], key=lambda w: _first_position(w, texts, vocabulary))
    text = " ".join(vocabulary.display(w) for w in words)
    return text[:1].upper() + text[1:]


def _first_position(word: str, texts: list[str], vocabulary: _Vocabulary) -> tuple[int, float]:
    """(which text, relative place in it) of the word's first use among `texts`."""
    for number, text in enumerate(texts):
        terms = [t for t in vocabulary.terms(text) if " " not in t]
        if word in terms:
            return number, terms.index(word) / len(terms)
    return len(texts), 0.0


def _representatives(
    labels: np.ndarray, topic_ids: np.ndarray, embeddings: np.ndarray | None
) -> dict[int, list[int]]:
    if embeddings is None:
        return {int(t): list(np.flatnonzero(labels == t)[:N_REPRESENTATIVES]) for t in topic_ids}
    out: dict[int, list[int]] = {}
    for topic in topic_ids:
        members = np.flatnonzero(labels == topic)
        centroid = embeddings[members].mean(axis=0)
        closeness = embeddings[members] @ centroid
        out[int(topic)] = list(members[np.argsort(-closeness, kind="stable")[:N_REPRESENTATIVES]])
    return out
