"""Themes at our count against k-means and agglomerative clustering told that same count (issue 18).

Stories and themes come from the same functions as `cluster.cluster_levels` (stories once per
set, themes per seed); prints one JSON row per set and seed. Quicker than quality.py: no
BERTopic, no EVoC, no full TopicMap fit.

    python benchmarks/theme_partition.py uci,ag,huff,snip,so,bio 0,1,2
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.preprocessing import normalize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import cluster  # noqa: E402
from analysis.cache import default_cache_dir  # noqa: E402
from analysis.embed import embed_texts  # noqa: E402
from analysis.evaluate import score  # noqa: E402
from analysis.load import load_corpus  # noqa: E402
from analysis.themes import group_stories  # noqa: E402

SETS = {
    "uci": ("uci_news_aggregator_6k.csv", "label"),
    "ag": ("ag_news_test_titles.csv", "label"),
    "huff": ("huffpost_v3_2018_2022_10k.csv", "label"),
    "so": ("stackoverflow_titles_5k.csv", "label"),
    "bio": ("biomedical_titles_5k.csv", "label"),
    "snip": ("searchsnippets_5k.csv", "label"),
}


def main(names: list[str], seeds: list[int]) -> None:
    for name in names:
        file, gold_col = SETS[name]
        frame = load_corpus(ROOT / "data" / "bench" / file, keep_duplicates=True)
        gold = frame[gold_col]
        vectors = normalize(
            np.asarray(embed_texts(frame["text"].tolist(), cache_dir=default_cache_dir()), dtype=np.float32)
        )
        lexical = cluster.lexical_vectors(frame["text"].tolist())
        neighbours, sims = cluster.similarity_graph(vectors, lexical, 0, knn=cluster.embedding_graph(vectors, 0))
        story = cluster.find_stories(neighbours, sims)
        story = cluster.attach_by_majority(cluster.keep_distinct(story, neighbours, sims), neighbours)
        for seed in seeds:
            theme = cluster.attach_by_majority(group_stories(vectors, story, seed), neighbours)
            k = int(theme.max() + 1)
            row = {
                "set": name,
                "seed": seed,
                "gold": int(gold.nunique()),
                "stories": int(story.max() + 1),
                "ours": round(score(theme, gold)["ari"], 3),
                "our_k": k,
            }
            if k > 1:
                row["kmeans_our_k"] = round(
                    score(KMeans(k, n_init=4, random_state=0).fit_predict(vectors), gold)["ari"], 3
                )
                row["agglomerative_our_k"] = round(
                    max(
                        score(AgglomerativeClustering(k, linkage=linkage, metric=metric).fit_predict(vectors), gold)[
                            "ari"
                        ]
                        for linkage, metric in (("ward", "euclidean"), ("average", "cosine"))
                    ),
                    3,
                )
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1].split(","), [int(seed) for seed in sys.argv[2].split(",")])
