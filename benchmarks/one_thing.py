"""A story is about one thing (issue 25, deliverable 4; issue 27, deliverable 3): what
`events.one_thing` and `events.two_events` change.

For every bench set, stories are found with both checks off (ONE_THING = 0, no split of two
events), with `one_thing` alone (1/3, the shipped value) and with both (shipped), default
settings, seed 0, and reported: the number of stories, the share of
items in a story, the stories whose items share no phrase used by a third of them, and the
mean share of a story's items that write its name (any part of "Iran · Nuclear Talks",
folded); story ARI (unclustered items as singletons) where the set has event gold.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/one_thing.py   # writes benchmarks/results/one_thing.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import TopicMap, events, phrases  # noqa: E402
from analysis.cache import default_cache_dir  # noqa: E402
from analysis.embed import embed_texts, encoder_name  # noqa: E402
from analysis.evaluate import score  # noqa: E402
from analysis.load import load_corpus  # noqa: E402

BENCH = ROOT / "data" / "bench"
SETS = [  # (name, file, event gold column as the loader keeps it, or None)
    ("UCI 6k", "uci_news_aggregator_6k.csv", "input_story"),
    ("Tweet events", "tweet_trec_events.csv", "input_story"),
    ("ECB+ events", "ecbplus_events.csv", "input_story"),
    ("AG News", "ag_news_test_titles.csv", None),
    ("HuffPost 10k", "huffpost_v3_2018_2022_10k.csv", None),
    ("SearchSnippets 5k", "searchsnippets_5k.csv", None),
    ("StackOverflow 5k", "stackoverflow_titles_5k.csv", None),
    ("Biomedical 5k", "biomedical_titles_5k.csv", None),
]


def name_share(texts: list[str], labels: np.ndarray, names: dict[int, str]) -> float:
    """Mean over stories of the share of its items that write a part of its name."""
    shares = []
    for story, name in names.items():
        parts = [f" {phrases.fold(p)} " for p in name.split(phrases.SEPARATOR)]
        items = [f" {phrases.fold(texts[i])} " for i in np.flatnonzero(labels == story)]
        shares.append(np.mean([any(p in item for p in parts) for item in items]))
    return float(np.mean(shares)) if shares else float("nan")


def main() -> None:
    lines = [
        "# A story is about one thing",
        "",
        "`HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/one_thing.py`: stories at default settings (seed 0) with",
        'both checks off, with `events.one_thing` alone, and with `events.two_events` too (shipped: "on").',
        "*Below a third*: stories whose items share no phrase used by a third of them. *Name share*: mean",
        "share of a story's items that write a part of its name.",
        "",
        "| set | check | stories | items in a story | below a third | name share | story ARI |",
        "|---|---|---|---|---|---|---|",
    ]
    shipped, split_two = events.ONE_THING, events.two_events

    def keep(labels: np.ndarray, *args: object) -> np.ndarray:
        return labels

    for set_name, file, gold_col in SETS:
        frame = load_corpus(BENCH / file, keep_duplicates=True)
        texts = frame["text"].tolist()
        vectors = embed_texts(texts, encoder_name(None), cache_dir=default_cache_dir())
        used, _ = phrases.phrase_matrix(texts)
        for label, share, two in (("off", 0.0, keep), ("one_thing alone", shipped, keep), ("on", shipped, split_two)):
            events.ONE_THING, events.two_events = share, two
            fitted = TopicMap(level="story", random_state=0).fit(frame, embeddings=vectors)
            story = fitted.story_labels_
            below = sum(
                np.asarray(used[members].sum(axis=0)).max(initial=0) < len(members) / 3
                for members in (np.flatnonzero(story == s) for s in np.unique(story[story >= 0]))
            )
            names = dict(zip(fitted.stories_["id"].astype(int), fitted.stories_["name"]))
            ari = f"{score(story, frame[gold_col])['ari']:.3f}" if gold_col else ""
            lines.append(
                f"| {set_name} | {label} | {story.max() + 1} | {np.mean(story >= 0):.3f} | {below} | "
                f"{name_share(texts, story, names):.3f} | {ari} |"
            )
            print(lines[-1], flush=True)
    events.ONE_THING, events.two_events = shipped, split_two
    out = ROOT / "benchmarks" / "results" / "one_thing.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
