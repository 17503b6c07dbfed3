"""Score topics against a gold grouping: the figures `topicmap eval` prints."""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_singletons(labels: np.ndarray) -> np.ndarray:
    """Unclustered items (-1) each become their own class, so noise earns nothing."""
    labels = np.asarray(labels)
    return np.where(labels >= 0, labels, -np.arange(1, len(labels) + 1))


def score(labels: np.ndarray, gold) -> dict:
    """ARI and NMI against `gold` (unclustered items as singletons), counts and noise share."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = np.asarray(labels)
    gold = pd.Series(gold).astype(str).to_numpy()
    predicted = as_singletons(labels)
    return {
        "ari": float(adjusted_rand_score(gold, predicted)),
        "nmi": float(normalized_mutual_info_score(gold, predicted)),
        "topics": int(len(np.unique(labels[labels >= 0]))),
        "gold_groups": int(len(np.unique(gold))),
        "unclustered": float(np.mean(labels < 0)) if len(labels) else 0.0,
        "items": int(len(labels)),
    }
