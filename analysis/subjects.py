"""A theme's subject as a section editor would write it ("Sport", "Politics", "Health").

The word that says what a theme is about is often in none of its items ("Sport" over a
theme of match reports), so it comes from a news taxonomy shipped with the package: the 17
top-level subjects of the IPTC Media Topics (assets/iptc_mediatopics.tsv, CC BY 4.0; about
1,150 subjects in a tree). Each top-level subject is represented by the mean vector of all
the labels in its branch ("sport" stands with "soccer", "tennis", "doping"...), embedded with
the map's own model, so no other model is needed and nothing leaves the machine.

Every item votes for the subject whose branch it is nearest; a theme takes the subject with
the largest share of its items above that subject's share of the whole corpus (so a corpus
of business news does not call every theme "Business"), and only when at least MIN_SHARE of
its items voted for it: a theme the taxonomy does not cover keeps its phrase name. Of the
subject's label terms ("economy, business and finance") the one nearest the theme's centroid
is shown ("Finance" for markets, "Business" for companies), and only when no other theme's
centroid is nearer that word, as a name must set its topic apart ("Business" stays off a
software theme when a business theme is beside it).

Measured in benchmarks/results/names.md (`make bench-names`). Tried and not kept: the
nearest single subject to a theme's centroid or item votes for single subjects at any depth
(grouping subjects such as "competition discipline" or "economic sector" won and read
badly; "Government" for a TV-series theme), labels with their definitions (the same choices
as the labels alone, at five times the embedding cost).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.preprocessing import normalize

VOCABULARY = Path(__file__).parent / "assets" / "iptc_mediatopics.tsv"
MIN_SHARE = 0.3  # of a theme's items that must be nearest its subject for the theme to take it
Embed = Callable[[list[str]], "np.ndarray | None"]


@lru_cache(maxsize=1)
def vocabulary() -> tuple[list[str], np.ndarray, np.ndarray]:
    """The taxonomy's labels, each label's top-level ancestor (an index into the labels) and
    the top-level subjects' indices."""
    table = pd.read_csv(VOCABULARY, sep="\t", comment="#", dtype=str, keep_default_na=False)
    index = {code: i for i, code in enumerate(table["code"])}
    parent = np.array([index.get(p, -1) for p in table["parent"]])
    root = np.arange(len(table))
    while (parent[root] >= 0).any():
        root = np.where(parent[root] >= 0, parent[root], root)
    return table["label"].tolist(), root, np.flatnonzero(parent < 0)


def terms(label: str) -> list[str]:
    """The terms of a subject's label: "economy, business and finance" → economy, business, finance."""
    return [t.strip() for part in label.split(",") for t in part.split(" and ") if t.strip()]


def theme_subjects(embeddings: np.ndarray, members: list[np.ndarray], embed: Embed | None) -> list[str | None]:
    """For each theme (the rows of `embeddings` in `members`), its subject word, capitalised,
    or None where no subject has MIN_SHARE of its items or the model cannot embed (`embed`
    returns None or vectors of another width)."""
    if embed is None or not members:
        return [None] * len(members)
    labels, root, tops = vocabulary()
    words = sorted({t for k in tops for t in terms(labels[k])})
    vectors = embed(labels + words)
    if vectors is None or vectors.ndim != 2 or vectors.shape[1] != embeddings.shape[1]:
        return [None] * len(members)
    label_vectors, word_vectors = normalize(vectors[: len(labels)]), dict(zip(words, normalize(vectors[len(labels) :])))
    branches = normalize(np.vstack([label_vectors[root == k].mean(axis=0) for k in tops]))
    items = np.concatenate(members)
    votes = np.full(len(embeddings), -1)
    for start in range(0, len(items), 65536):  # items × 17 cosines, a block at a time
        block = items[start : start + 65536]
        votes[block] = (normalize(embeddings[block]) @ branches.T).argmax(axis=1)
    corpus = np.bincount(votes[items], minlength=len(tops)) / len(items)
    centroids = normalize(np.vstack([normalize(embeddings[rows]).mean(axis=0) for rows in members]))
    subjects: list[str | None] = []
    for t, rows in enumerate(members):
        share = np.bincount(votes[rows], minlength=len(tops)) / max(len(rows), 1)
        best = int(np.argmax(share - corpus))
        word = max(terms(labels[tops[best]]), key=lambda w: (float(word_vectors[w] @ centroids[t]), w))
        # the subject must say this theme: no other theme's centroid nearer the word
        says_it = int(np.argmax(centroids @ word_vectors[word])) == t
        subjects.append(word[:1].upper() + word[1:] if share[best] >= MIN_SHARE and says_it else None)
    return subjects
