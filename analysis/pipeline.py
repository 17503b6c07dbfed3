"""TopicMap: the whole pipeline (embed, cluster, name, project) as one scikit-learn estimator.

The CLI and notebooks both go through this class; it is the only place the stages are chained.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from analysis import cluster, embed, label, project
from analysis.errors import InputError
from analysis.load import table_items

LEVELS = ("auto", "story", "theme")
Progress = Callable[[str, int, int], None]


class TopicMap(BaseEstimator):
    """Find the themes in a collection of news items and lay them out on a 2D map.

    Parameters
    ----------
    model : sentence-transformers model name or path; None uses the packaged all-MiniLM-L6-v2.
    level : "story" (items about one event), "theme" (broad subjects) or "auto".
    n_topics : force this many topics at the chosen level; None chooses automatically.
    random_state : seed for every random step, so the same input gives the same map.

    Attributes (after fit)
    ----------------------
    labels_ : topic of each item at the chosen level, -1 for unclustered.
    story_labels_ : story of each item (themes are unions of stories).
    level_ : the level `labels_` is at ("story" or "theme").
    topics_ : DataFrame with id, name, size, keywords, representatives, one row a topic.
    stories_ : the same for stories.
    embeddings_ : n×d embeddings; coords_ : n×2 map positions.
    documents_ : the items fitted (doc_id, kind, text and the input's columns).
    """

    def __init__(
        self,
        model: str | None = None,
        level: str = "auto",
        n_topics: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.model = model
        self.level = level
        self.n_topics = n_topics
        self.random_state = random_state

    def fit(
        self,
        docs,
        y=None,
        *,
        embeddings: np.ndarray | None = None,
        text_col: str | None = None,
        progress: Progress | None = None,
    ) -> TopicMap:
        """Embed (unless `embeddings` is given), cluster, name and project `docs`.

        `docs` is a list of str, a pandas Series, or a DataFrame whose text is in `text_col`
        (default: a `text`, `title` or `headline` column); the frame's other columns are kept.
        """
        self._validate_params()
        report = progress or (lambda stage, done, total: None)
        documents = as_documents(docs, text_col)
        texts = documents["text"].tolist()
        if embeddings is None:
            report("embed", 0, len(texts))
            embeddings = embed.embed_texts(
                texts, self.model, on_progress=lambda done, total: report("embed", done, total)
            )
        else:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.ndim != 2 or len(embeddings) != len(texts):
                raise InputError(
                    f"embeddings has shape {embeddings.shape}: expected ({len(texts)}, d), one row per document"
                )
        report("cluster", 0, 1)
        levels = cluster.cluster_levels(
            embeddings, texts, level=self.level, n_topics=self.n_topics, random_state=self.random_state
        )
        report("name", 0, 1)
        self.labels_ = np.asarray(levels["labels"], dtype=np.int64)
        self.story_labels_ = np.asarray(levels["story"], dtype=np.int64)
        self.level_ = levels["level"]
        self.topics_ = label.describe_topics(texts, self.labels_, embeddings)
        self.stories_ = label.describe_topics(texts, self.story_labels_, embeddings)
        report("project", 0, 1)
        self.coords_, self.projector_ = project.project_2d(embeddings, random_state=self.random_state)
        self.embeddings_ = embeddings
        self.documents_ = documents
        report("done", 1, 1)
        return self

    def fit_transform(self, docs, y=None, **fit_params) -> np.ndarray:
        """Fit and return `labels_`."""
        return self.fit(docs, **fit_params).labels_

    def to_frame(self) -> pd.DataFrame:
        """The export's rows: doc_id, kind, text, topic, topic_label, x, y, story, story_label,
        then the input's other columns."""
        docs = self.documents_
        topic_names = dict(zip(self.topics_["id"], self.topics_["name"]))
        story_names = dict(zip(self.stories_["id"], self.stories_["name"]))
        frame = pd.DataFrame(
            {
                "doc_id": docs["doc_id"].to_numpy(),
                "kind": docs["kind"].to_numpy(),
                "text": docs["text"].to_numpy(),
                "topic": self.labels_,
                "topic_label": [topic_names.get(t, "") for t in self.labels_],
                "x": np.round(self.coords_[:, 0].astype(np.float64), 4),
                "y": np.round(self.coords_[:, 1].astype(np.float64), 4),
                "story": self.story_labels_,
                "story_label": [story_names.get(t, "") for t in self.story_labels_],
            }
        )
        extra = docs.drop(columns=["doc_id", "kind", "text"]).reset_index(drop=True)
        return pd.concat([frame, extra], axis=1)

    def report(self, path, *, title: str | None = None, input_name: str = "documents", plotlyjs: str = "inline") -> None:
        """Write the interactive HTML topic map to `path` (the same page as the CLI's)."""
        from analysis import __version__, embed as _embed, report

        meta = {
            "input": input_name,
            "items": len(self.labels_),
            "model": _embed.model_identity(self.model),
            "parameters": {"level": self.level_, "n_topics": self.n_topics or "auto", "seed": self.random_state},
            "version": __version__,
            "generated": report.generated_at(),
        }
        data = report.report_data(self.to_frame(), self.topics_, self.stories_, meta)
        report.write_report(path, data, title or f"Topic map of {input_name}", plotlyjs)

    def _validate_params(self) -> None:
        if self.level not in LEVELS:
            raise InputError(f"level={self.level!r} is not allowed: use one of {', '.join(LEVELS)}")
        if self.n_topics is not None and (
            not isinstance(self.n_topics, numbers.Integral) or isinstance(self.n_topics, bool) or self.n_topics < 1
        ):
            raise InputError(f"n_topics={self.n_topics!r} is not allowed: use None (automatic) or an integer >= 1")
        if not isinstance(self.random_state, numbers.Integral) or isinstance(self.random_state, bool):
            raise InputError(f"random_state={self.random_state!r} is not allowed: use an integer")


def as_documents(docs, text_col: str | None = None) -> pd.DataFrame:
    """Normalise str lists, Series and DataFrames to the loader's frame (doc_id, kind, text, ...)."""
    if isinstance(docs, pd.DataFrame):
        if {"doc_id", "kind", "text"} <= set(docs.columns) and text_col is None:
            frame = docs.reset_index(drop=True)
        else:
            frame, _ = table_items(docs.reset_index(drop=True), "DataFrame", text_col)
            frame = frame.reset_index(drop=True)
    elif isinstance(docs, (pd.Series, Sequence, np.ndarray)) and not isinstance(docs, (str, bytes)):
        texts = [str(t) for t in docs]
        frame = pd.DataFrame({"doc_id": [str(i) for i in range(1, len(texts) + 1)], "kind": "headline", "text": texts})
    else:
        raise InputError(f"docs of type {type(docs).__name__} is not allowed: pass a list of str, a Series or a DataFrame")
    if frame.empty:
        raise InputError("docs is empty: pass at least one text")
    return frame
