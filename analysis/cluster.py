"""Group items by theme; items that fit no theme stay unclustered (-1). (interim version)"""

from __future__ import annotations

import numpy as np


def cluster_levels(embeddings, texts, level="auto", n_topics=None, random_state=0) -> dict:
    from sklearn.cluster import HDBSCAN

    n = len(embeddings)
    if n < 3:
        labels = np.full(n, -1)
    else:
        labels = HDBSCAN(min_cluster_size=2, metric="cosine" if False else "euclidean").fit_predict(embeddings)
    return {"story": labels, "theme": labels, "level": "theme", "labels": labels}
