"""A theme's subject as a section editor would write it ("Sport", "Entertainment", "Technology").

The word that says what a theme is about is often in none of its items ("Sport" over a
theme of match reports), so it comes from a news taxonomy shipped with the package: the IPTC
Media Topics (assets/iptc_mediatopics.tsv, CC BY 4.0; 17 top-level subjects over about 1,150
in a tree) and the sections a news editor files under, each drawn on one or more of its
branches (assets/sections.tsv: "Film" and "Celebrities" within "Entertainment", "Technology",
"Markets", "Courts"). IPTC alone files celebrity news under "human interest" and phones and
games under an "economic sector", and wars under a subject of their own, which a news desk
files under "World" with diplomacy; the sections put them where a reader looks for them. A
subject stands for the mean vector of all the labels in its branch ("sport" with "soccer",
"tennis", "doping"...), embedded with the map's own model, so no other model is needed and
nothing leaves the machine. A few everyday words a branch's labels miss are embedded with them
(sections.tsv's examples: "smartphone" for technology, where a phone theme's items voted for
"economy" and "rugby sevens" and UCI's phone theme, seed 2, took no subject).

Every item votes for the section nearest it (a listed section, or what is left of a
top-level subject once its listed sections are taken out) and for the nearest of the 17
top-level subjects. Each theme then claims, in this order, the broader section, the listed
section and the top-level subject with the largest lift (its share of the theme's items
above its share of the other themes' items, so a corpus of business news does not call every
theme "Business") whose share holds: at least MIN_SHARE, or half that for a subject RARE times
as common in the theme as elsewhere when the theme's centroid lies nearest that subject too
(a technology theme in a corpus with little technology; HuffPost's first 3,000 headlines'
politics theme, whose items also vote for courts, crime and war: "Trump · McCain · Sanders"
before the top-level subjects took this path, now "Politics · Trump · McCain").
Of a subject's words ("economy, business and finance") the one nearest the theme's centroid
is claimed. A word goes to the claimant whose centroid is nearest it, as a name must set its
theme apart; each theme takes the first of its claims it wins, so of three culture themes one
is "Entertainment", one "Music", one "Film". A theme that wins none takes its first claim from
the winner when the winner has another claim free (`_share_out`); else it keeps its phrase name.

Measured in benchmarks/results/names.md (`make bench-names`). Tried and not kept: the
nearest single subject to a theme's centroid or item votes for single subjects at any depth
(grouping subjects such as "competition discipline" or "economic sector" won and read
badly; "Government" for a TV-series theme), labels with their definitions (the same choices
as the labels alone, at five times the embedding cost); the 17 top-level subjects alone
(UCI's entertainment and technology themes took none: theme category 0.51-0.74 against
0.74-0.87 with the sections); the listed section before its broader one ("Film" for
HuffPost's celebrity and film theme, "Space · NASA", which the category score reads as World);
a subject's share against the whole corpus rather than the other themes (a theme that is a
third of the corpus inflates its own reference: UCI's technology section took no subject);
the rare path without the centroid's agreement (Biomedical's neuroscience theme was
"Entertainment · Cortex · Cat", SearchSnippets' physics theme "Space · Mathematical");
IPTC's own words for its conflicts subject ("conflict, war and peace"), where "Peace" named a
theme of a mosque attack and the Taliban, and wars apart from "World" (HuffPost's "War · Iran
· Ukraine", theme category 0.569-0.571 against 0.667-0.669 under "World"); a "Companies"
section on IPTC's business information (stop 43, for MultiFin's theme of firms' reports and
awards, which takes no subject: every business word is taken), where MultiFin's finance theme
took "Companies" (theme category, seed 0, 0.592 -> 0.259).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.preprocessing import normalize

VOCABULARY = Path(__file__).parent / "assets" / "iptc_mediatopics.tsv"
SECTIONS = Path(__file__).parent / "assets" / "sections.tsv"
MIN_SHARE = 0.3  # of a theme's items that must be nearest its subject for the theme to take it
RARE = 4  # or half that share, for a subject RARE times as common in the theme as in the others
Embed = Callable[[list[str]], "np.ndarray | None"]


@dataclass(frozen=True)
class Taxonomy:
    """The subjects a theme may take, as indices into `labels` (the IPTC labels)."""

    labels: list[str]
    root: np.ndarray  # each label's top-level ancestor
    tops: np.ndarray  # the top-level subjects
    section: np.ndarray  # each label's section: an index into `words`
    words: list[list[str]]  # each section's words: top-level ones, listed ones, then broader ones
    listed: np.ndarray  # whether a section is a listed one (not a top-level remainder)
    within: np.ndarray  # each section's broader section (an index into `words`), or -1
    examples: list[tuple[str, int]]  # everyday words embedded with a listed section's labels, and that section


def vocabulary() -> tuple[list[str], np.ndarray, np.ndarray]:
    """The taxonomy's labels, each label's top-level ancestor (an index into the labels) and
    the top-level subjects' indices."""
    t = taxonomy()
    return t.labels, t.root, t.tops


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The IPTC tree and the sections drawn on it (assets/sections.tsv)."""
    table = pd.read_csv(VOCABULARY, sep="\t", comment="#", dtype=str, keep_default_na=False)
    index = {code: i for i, code in enumerate(table["code"])}
    parent = np.array([index.get(p, -1) for p in table["parent"]])
    root = np.arange(len(table))
    while (parent[root] >= 0).any():
        root = np.where(parent[root] >= 0, parent[root], root)
    tops = np.flatnonzero(parent < 0)
    labels = table["label"].tolist()
    drawn = pd.read_csv(SECTIONS, sep="\t", comment="#", dtype=str, keep_default_na=False).fillna("")
    claims = dict(zip(drawn["code"].map(index), drawn["section"]))
    broader = dict(zip(drawn["section"], drawn["within"]))
    words = [terms(claims.pop(k)) if k in claims else terms(labels[k]) for k in tops]
    names = sorted(set(claims.values()))
    groups = sorted({broader[n] for n in names} - {""})
    words += [[name] for name in names] + [[group] for group in groups]
    within = np.array(
        [-1] * len(tops)
        + [len(tops) + len(names) + groups.index(broader[n]) if broader[n] else -1 for n in names]
        + [-1] * len(groups)
    )
    of_top = {int(k): s for s, k in enumerate(tops)}
    section = np.empty(len(table), dtype=int)
    for i in range(len(table)):
        j = i  # the nearest listed ancestor claims the label, else its top-level subject's remainder
        while j >= 0 and j not in claims:
            j = parent[j]
        section[i] = len(tops) + names.index(claims[j]) if j >= 0 else of_top[root[i]]
    listed = (np.arange(len(words)) >= len(tops)) & (np.arange(len(words)) < len(tops) + len(names))

    def section_of_row(code: str, name: str) -> int:  # a top-level row shows its words; a listed one is a name
        k = index[code]
        return of_top[k] if k in of_top else len(tops) + names.index(name)

    examples = [
        (word.strip(), section_of_row(code, name))
        for code, name, listing in zip(drawn["code"], drawn["section"], drawn["examples"])
        for word in listing.split(";")
        if word.strip()
    ]
    return Taxonomy(labels, root, tops, section, words, listed, within, examples)


def terms(label: str) -> list[str]:
    """The terms of a subject's label: "economy, business and finance" → economy, business, finance."""
    return [t.strip() for part in label.split(",") for t in part.split(" and ") if t.strip()]


def theme_subjects(
    embeddings: np.ndarray,
    members: list[np.ndarray],
    embed: Embed | None,
    named: frozenset[int] = frozenset(),
    held: frozenset[str] = frozenset(),
) -> list[str | None]:
    """For each theme (the rows of `embeddings` in `members`), its subject word, capitalised,
    or None where it wins no subject or the model cannot embed (`embed` returns None or vectors
    of another width). Themes in `named` (indices) keep names of their own (a saved map's)
    and claim no word; no other theme takes a word in `held` (casefolded: those names' parts),
    so a theme an update opens is not called what a saved one is."""
    if embed is None or not members:
        return [None] * len(members)
    t = taxonomy()
    shown = sorted({w for ws in t.words for w in ws})
    vectors = embed(t.labels + shown + [word for word, _ in t.examples])
    if vectors is None or vectors.ndim != 2 or vectors.shape[1] != embeddings.shape[1]:
        return [None] * len(members)
    label_vectors = normalize(vectors[: len(t.labels)])
    word_vectors = dict(zip(shown, normalize(vectors[len(t.labels) : len(t.labels) + len(shown)])))
    branches = normalize(np.vstack([label_vectors[t.root == k].mean(axis=0) for k in t.tops]))
    n_sections = len(t.tops) + int(t.listed.sum())  # the sections items vote for: top-level remainders, listed
    section_of = np.concatenate([t.section, np.array([s for _, s in t.examples], dtype=int)])
    all_vectors = np.vstack([label_vectors, normalize(vectors[len(t.labels) + len(shown) :])])
    sections = normalize(np.vstack([all_vectors[section_of == s].mean(axis=0) for s in range(n_sections)]))
    items = np.concatenate(members)
    top_votes, section_votes = _votes(embeddings, items, branches), _votes(embeddings, items, sections)
    centroids = normalize(np.vstack([normalize(embeddings[rows]).mean(axis=0) for rows in members]))

    group_votes = np.where(section_votes >= 0, t.within[section_votes], -1)
    near = {w: centroids @ v for w, v in word_vectors.items()}  # each word against each theme
    nearest = (centroids @ sections.T).argmax(axis=1)  # the section each theme's centroid is nearest
    tiers = [  # broader sections, listed sections, then the top-level subjects
        _claims(group_votes, members, t.words, np.arange(len(t.words)) >= n_sections, near, t.within[nearest]),
        _claims(section_votes, members, t.words, t.listed, near, nearest),
        _claims(
            top_votes,
            members,
            t.words[: len(t.tops)],
            np.ones(len(t.tops), dtype=bool),
            near,
            (centroids @ branches.T).argmax(axis=1),
        ),
    ]
    candidates = [
        [] if i in named else [w for w in options if w is not None and w.casefold() not in held]
        for i, options in enumerate(zip(*tiers))
    ]
    # a word goes to the theme it says best of all that claim it, so it sets that theme apart;
    # each theme takes the first of its words it wins
    best = {
        w: max((i for i, c in enumerate(candidates) if w in c), key=lambda i: near[w][i]) for c in candidates for w in c
    }
    found = [next((w for w in c if best[w] == i), None) for i, c in enumerate(candidates)]
    return [w[:1].upper() + w[1:] if w else None for w in _share_out(candidates, found)]


def _share_out(candidates: list[list[str]], found: list[str | None]) -> list[str | None]:
    """A theme left without a word takes its first claim from the theme that won it, when that
    theme has another claim no theme holds: two technology themes, one of games, one of
    phones, both claim "Technology"; the games theme also has "Video games"."""
    found = list(found)
    for i, claims in enumerate(candidates):
        if found[i] is not None or not claims or claims[0] not in found:
            continue
        owner = found.index(claims[0])
        spare = next((w for w in candidates[owner] if w not in found), None)
        if spare is not None:
            found[i], found[owner] = claims[0], spare
    return found


def _claims(
    votes: np.ndarray,
    members: list[np.ndarray],
    words: list[list[str]],
    allowed: np.ndarray,
    near: dict[str, np.ndarray],
    rare: np.ndarray | None,
) -> list[str | None]:
    """Each theme's claim in one tier: the word, of the `allowed` subject (an index into `words`
    that `votes` holds) with the largest lift, nearest the theme, where the subject's share holds
    (half of MIN_SHARE is enough for a subject RARE times as common there as elsewhere when it
    is the theme's `rare` one, the subject its centroid is nearest; None: never)."""
    items = np.concatenate(members)

    def counts(rows: np.ndarray) -> np.ndarray:
        cast = votes[rows]
        return np.bincount(cast[cast >= 0], minlength=len(words))

    corpus = counts(items)
    out: list[str | None] = []
    for i, rows in enumerate(members):
        mine = counts(rows)
        share, rest = mine / max(len(rows), 1), (corpus - mine) / max(len(items) - len(rows), 1)
        best = int(np.argmax(np.where(allowed, share - rest, -np.inf)))
        word = max(words[best], key=lambda w: (float(near[w][i]), w))
        holds = share[best] >= MIN_SHARE or (
            rare is not None and rare[i] == best and share[best] >= MIN_SHARE / 2 and share[best] >= RARE * rest[best]
        )
        out.append(word if holds else None)
    return out


def _votes(embeddings: np.ndarray, items: np.ndarray, subjects: np.ndarray) -> np.ndarray:
    """Each of `items`' nearest subject (a row of `subjects`); -1 for the other rows."""
    votes = np.full(len(embeddings), -1)
    for start in range(0, len(items), 65536):  # items × subjects cosines, a block at a time
        block = items[start : start + 65536]
        votes[block] = (normalize(embeddings[block]) @ subjects.T).argmax(axis=1)
    return votes
