"""TopicMap: the whole pipeline (embed, cluster, name, project) as one scikit-learn estimator.

The CLI and notebooks both go through this class; it is the only place the stages are chained.
"""

from __future__ import annotations

import importlib.util
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from analysis import assign, cluster, embed, label, project
from analysis.errors import InputError
from analysis.load import table_items

LEVELS = ("auto", "story", "theme")
MAX_SEED = 2**32 - 1  # numpy's legacy seeding, used by k-means and UMAP, takes 32 bits
MAX_TOPICS = 1_000_000
ENGINES = ("local", "dask")
Progress = Callable[[str, int, int], None]


class TopicMap(BaseEstimator):
    """Find the themes in a collection of news items and lay them out on a 2D map.

    Parameters
    ----------
    model : sentence-transformers model name or path; None uses the packaged all-MiniLM-L6-v2.
    level : "story" (items about one event), "theme" (broad subjects) or "auto".
    n_topics : force this many topics at the chosen level; None chooses automatically.
    assign_noise : place every item in its nearest topic instead of leaving some unclustered.
    cache : embedding cache: True (the user cache folder), False (off) or a folder path.
    random_state : seed for every random step, so the same input gives the same map.
    engine : "local" (this process) or "dask" (a Dask cluster; see analysis.distributed).
    scheduler : with engine="dask", the scheduler's address (e.g. "tcp://host:8786"); None uses
        $TOPICMAP_SCHEDULER, else a LocalCluster sized to this machine.
    sample_size : with engine="dask", topics and the map are fitted on this many items drawn at
        random and every other item is assigned to them; with either engine the report draws a
        stratified sample of this many points when there are more items.

    Attributes (after fit)
    ----------------------
    labels_ : topic of each item at the chosen level, -1 for unclustered.
    story_labels_ : story of each item (themes are unions of stories).
    theme_labels_ : theme of each item, whatever the chosen level: both levels come from one fit.
    level_ : the level `labels_` is at ("story" or "theme").
    topics_ : DataFrame with id, name, size, keywords, representatives, one row a topic.
    stories_ : the same for stories.
    embeddings_ : n×d embeddings; coords_ : n×2 map positions.
    documents_ : the items fitted (doc_id, kind, text and the input's columns).
    added_ : True for the items the last `update` added.
    fitted_at_ : when the map last took in items (`fit` or `update`), ISO 8601 in UTC.
    added_since_ : the `fitted_at_` of the map the last `update` added to (None before any
        update, or for a map saved before topicmap recorded it).
    next_topic_id_, next_story_id_ : the ids new topics get (ids are never reused).
    """

    def __init__(
        self,
        model: str | None = None,
        level: str = "auto",
        n_topics: int | None = None,
        assign_noise: bool = False,
        cache: bool | str = True,
        random_state: int = 0,
        engine: str = "local",
        scheduler: str | None = None,
        sample_size: int = 50_000,
    ) -> None:
        self.model = model
        self.level = level
        self.n_topics = n_topics
        self.assign_noise = assign_noise
        self.cache = cache
        self.random_state = random_state
        self.engine = engine
        self.scheduler = scheduler
        self.sample_size = sample_size

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
        if self.engine == "dask":
            from analysis import distributed

            return distributed.fit(self, docs, embeddings=embeddings, text_col=text_col, progress=progress)
        report = progress or (lambda stage, done, total: None)
        documents = as_documents(docs, text_col)
        texts = documents["text"].tolist()
        embeddings = self._embeddings(texts, embeddings, report)
        # The stages see the items in one canonical order (by text, then vector) and the order
        # is restored after, so shuffling the input rows changes neither topics nor map
        # (k-means seeding, null draws and kNN ties all depend on row order).
        order = _canonical_order(texts, embeddings)
        restore = np.argsort(order)
        sorted_texts, sorted_vectors = [texts[i] for i in order], embeddings[order]
        report("cluster", 0, 1)
        levels = cluster.cluster_levels(
            sorted_vectors, sorted_texts, level=self.level, n_topics=self.n_topics, random_state=self.random_state
        )
        labels = np.asarray(levels["labels"], dtype=np.int64)
        stories = np.asarray(levels["story"], dtype=np.int64)
        self.level_ = levels["level"]
        if self.assign_noise and (labels >= 0).any():
            labels = _fill_noise(sorted_vectors, labels)
        report("name", 0, 1)
        self.topics_ = label.describe_topics(sorted_texts, labels, sorted_vectors)
        self.stories_ = label.describe_topics(sorted_texts, stories, sorted_vectors)
        report("project", 0, 1)
        coords, _ = project.project_2d(sorted_vectors, random_state=self.random_state, knn=levels["knn"])
        self.labels_, self.story_labels_, self.coords_ = labels[restore], stories[restore], coords[restore]
        themes = labels if self.level_ == "theme" else np.asarray(levels["theme"], dtype=np.int64)
        self.theme_labels_ = themes[restore]
        self.embeddings_ = embeddings
        self.documents_ = documents
        self.added_ = np.zeros(len(texts), dtype=bool)
        self.next_topic_id_ = int(self.labels_.max(initial=-1)) + 1
        self.next_story_id_ = int(self.story_labels_.max(initial=-1)) + 1
        self.fitted_at_, self.added_since_ = _now(), None
        report("done", 1, 1)
        return self

    def fit_transform(self, docs, y=None, **fit_params) -> np.ndarray:
        """Fit and return `labels_`."""
        return self.fit(docs, **fit_params).labels_

    def transform(self, docs, *, embeddings: np.ndarray | None = None, text_col: str | None = None) -> np.ndarray:
        """Assign items to the learned topics (-1 where the nearest fitted items are unclustered).

        An item's topic is the similarity-weighted vote of its nearest fitted items, so a
        fitted item gets its own label back.
        """
        self._check_fitted()
        texts = as_documents(docs, text_col)["text"].tolist()
        embeddings = self._check_width(self._embeddings(texts, embeddings, lambda *a: None))
        labels, _ = assign.assign(self.embeddings_, self.labels_, None, embeddings, include_noise=not self.assign_noise)
        return labels

    def update(self, docs, *, embeddings: np.ndarray | None = None, text_col: str | None = None,
               progress: Progress | None = None) -> TopicMap:
        """Add new items to the fitted map: they join the learned topics, keep every existing id,
        land in the same 2D space, and open new topics where enough of them fit none."""
        self._check_fitted()
        report = progress or (lambda stage, done, total: None)
        documents = as_documents(docs, text_col)
        texts = documents["text"].tolist()
        new_embeddings = self._check_width(self._embeddings(texts, embeddings, report))
        report("assign", 0, 1)
        labels, coords = assign.assign(self.embeddings_, self.labels_, self.coords_, new_embeddings,
                                       include_noise=not self.assign_noise)
        stories, _ = assign.assign(self.embeddings_, self.story_labels_, None, new_embeddings)
        labels, stories = self._open_new_topics(new_embeddings, texts, labels, stories)
        old_names = dict(zip(self.topics_["id"], self.topics_["name"]))
        old_story_names = dict(zip(self.stories_["id"], self.stories_["name"]))
        documents = documents.assign(doc_id=_fresh_ids(documents["doc_id"], self.documents_["doc_id"]))
        self.documents_ = pd.concat([self.documents_, documents], ignore_index=True)
        self.embeddings_ = np.vstack([self.embeddings_, new_embeddings])
        self.coords_ = np.vstack([self.coords_, coords])
        themes = labels if self.level_ == "theme" else story_themes(self.story_labels_, self.theme_labels_, stories)
        self.labels_ = np.concatenate([self.labels_, labels])
        self.story_labels_ = np.concatenate([self.story_labels_, stories])
        self.theme_labels_ = np.concatenate([self.theme_labels_, themes])
        self.added_ = np.concatenate([np.zeros(len(self.added_), bool), np.ones(len(texts), bool)])
        self.added_since_, self.fitted_at_ = self.fitted_at_, _now()
        report("name", 0, 1)
        all_texts = self.documents_["text"].tolist()
        self.topics_ = _keep_names(label.describe_topics(all_texts, self.labels_, self.embeddings_), old_names)
        self.stories_ = _keep_names(label.describe_topics(all_texts, self.story_labels_, self.embeddings_), old_story_names)
        report("done", 1, 1)
        return self

    def _open_new_topics(self, embeddings, texts, labels, stories):
        """Cluster the new items that fit no topic; clusters among them become new topics."""
        loose = np.flatnonzero(labels < 0)
        if len(loose) < 2:
            return labels, stories
        found = cluster.cluster_levels(embeddings[loose], [texts[i] for i in loose], level=self.level_,
                                       random_state=self.random_state)
        for level_labels, target, attribute in ((found["labels"], labels, "next_topic_id_"),
                                                (found["story"], stories, "next_story_id_")):
            level_labels = np.asarray(level_labels)
            for new in np.unique(level_labels[level_labels >= 0]):
                members = loose[level_labels == new]
                if attribute == "next_story_id_":
                    members = members[target[members] < 0]
                    if len(members) < 2:
                        continue
                target[members] = getattr(self, attribute)
                setattr(self, attribute, getattr(self, attribute) + 1)
        return labels, stories

    def save(self, folder) -> None:
        """Save the fitted map as plain files (no pickle); `TopicMap.load` reads it back."""
        from analysis import __version__, persist

        self._check_fitted()
        manifest = {
            "params": self.get_params(),
            "level_": self.level_,
            "next_topic_id_": self.next_topic_id_,
            "next_story_id_": self.next_story_id_,
            "fitted_at_": self.fitted_at_,
            "added_since_": self.added_since_,
            "topicmap_version": __version__,
        }
        arrays = {"embeddings": self.embeddings_, "coords": self.coords_, "labels": self.labels_,
                  "story_labels": self.story_labels_, "theme_labels": self.theme_labels_, "added": self.added_}
        tables = {"documents": self.documents_, "topics": self.topics_, "stories": self.stories_}
        persist.save_state(folder, manifest, arrays, tables)

    @classmethod
    def load(cls, folder) -> TopicMap:
        """Read a map written by `save`; loading runs no code from the folder."""
        from analysis import persist

        manifest, arrays, tables = persist.load_state(folder, cls._get_param_names())
        topic_map = cls(**manifest["params"])
        topic_map.level_ = manifest["level_"]
        try:
            topic_map._validate_params()
        except InputError as exc:
            raise InputError(f"{folder} is a damaged saved map ({exc}); save the map again") from exc
        if topic_map.level_ not in ("story", "theme"):
            raise InputError(f"{folder} is a damaged saved map (level_={manifest['level_']!r}); save the map again")
        topic_map.next_topic_id_ = int(manifest["next_topic_id_"])
        topic_map.next_story_id_ = int(manifest["next_story_id_"])
        topic_map.embeddings_ = arrays["embeddings"]
        topic_map.coords_ = arrays["coords"]
        topic_map.labels_ = arrays["labels"]
        topic_map.story_labels_ = arrays["story_labels"]
        # Maps saved before themes were kept: a theme map's labels are its themes; a story
        # map's themes are unknown without refitting, so each story stands for its theme.
        topic_map.theme_labels_ = arrays.get("theme_labels", arrays["labels"])
        topic_map.added_ = arrays["added"]
        topic_map.fitted_at_ = manifest.get("fitted_at_")
        topic_map.added_since_ = manifest.get("added_since_")
        topic_map.documents_ = tables["documents"]
        topic_map.topics_ = tables["topics"]
        topic_map.stories_ = tables["stories"]
        return topic_map

    def figure(self):
        """The topic map as a plotly Figure (renders inline in Jupyter)."""
        from analysis.figure import topic_figure

        self._check_fitted()
        return topic_figure(self.to_frame(), self.topics_)

    def _embeddings(self, texts: list[str], embeddings, report) -> np.ndarray:
        if embeddings is not None:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.ndim != 2 or len(embeddings) != len(texts):
                raise InputError(
                    f"embeddings has shape {embeddings.shape}: expected ({len(texts)}, d), one row per document"
                )
            if not np.isfinite(embeddings).all():
                raise InputError("embeddings holds NaN or infinite values: pass finite vectors")
            return embeddings
        from analysis.cache import default_cache_dir

        cache_dir = None if self.cache is False else default_cache_dir() if self.cache is True else self.cache
        report("embed", 0, len(texts))
        return embed.embed_texts(texts, self.model, cache_dir=cache_dir,
                                 on_progress=lambda done, total: report("embed", done, total))

    def _check_width(self, embeddings: np.ndarray) -> np.ndarray:
        """New items' vectors must live in the fitted map's space."""
        if embeddings.shape[1] != self.embeddings_.shape[1]:
            raise InputError(
                f"the new items' vectors have {embeddings.shape[1]} dimensions and the map's "
                f"{self.embeddings_.shape[1]}: use the model the map was made with "
                f"({self.model or 'the packaged default'})"
            )
        return embeddings

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This TopicMap is not fitted yet: call fit(docs) or TopicMap.load(folder) first")

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
        if self.added_.any():
            frame["new"] = self.added_
        extra = docs.drop(columns=["doc_id", "kind", "text"]).reset_index(drop=True)
        return pd.concat([frame, extra], axis=1)

    def report(self, path, *, title: str | None = None, input_name: str = "documents", plotlyjs: str = "inline") -> None:
        """Write the interactive HTML topic map to `path` (the same page as the CLI's)."""
        from analysis import report

        data = self._report_data(input_name)
        report.write_report(path, data, title or f"Topic map of {input_name}", plotlyjs)

    def to_html(self, *, title: str | None = None, input_name: str = "documents") -> str:
        """The report page as a string: plotly.js, the page's code and the data all inside."""
        from analysis import report

        return report.render_html(self._report_data(input_name), title or f"Topic map of {input_name}")

    def show(self, *, height: int = 760, title: str | None = None, input_name: str = "documents"):
        """The report inline in Jupyter: the same page in a sandboxed iframe, loading nothing
        from the network. Display the returned object (the last line of a cell)."""
        from analysis.report import InlineReport

        self._check_fitted()
        return InlineReport(self.to_html(title=title, input_name=input_name), height)

    def _report_data(self, input_name: str) -> dict:
        from analysis import __version__, report
        from analysis import embed as _embed

        self._check_fitted()
        meta = {
            "input": input_name,
            "items": len(self.labels_),
            "model": _embed.model_identity(self.model),
            "parameters": {
                "level": self.level_ if self.level == self.level_ else f"{self.level} ({self.level_})",
                "n_topics": self.n_topics or "auto",
                "assign_noise": self.assign_noise,
                "seed": self.random_state,
            },
            "version": __version__,
            "generated": report.generated_at(),
        }
        frame = self.to_frame()
        if len(frame) > self.sample_size:  # a page of millions of points: draw a sample, any engine
            from analysis.distributed import map_sample

            frame = frame.iloc[map_sample(self.labels_, self.sample_size, self.random_state)].reset_index(drop=True)
            meta["items"] = f"{len(self.labels_):,} (the map draws a stratified sample of {len(frame):,}; topic sizes are exact)"
        if self.engine == "local" and len(self.labels_) - int(self.added_.sum()) > project.LAYOUT_SAMPLE:
            meta["items"] = f"{meta['items']:,}" if isinstance(meta["items"], int) else meta["items"]
            meta["items"] += (f"; layout: UMAP on {project.LAYOUT_SAMPLE:,} items drawn at random, "
                              "the others placed among their nearest neighbours")
        since = report.display_time(getattr(self, "added_since_", None))
        return report.report_data(frame, self.topics_, self.stories_, meta, since=since)

    def _validate_params(self, flags: Mapping[str, str] | None = None) -> None:
        """Check every parameter's type and range; InputError naming the parameter (or, from
        the CLI, its flag in `flags`), the bad value and what is allowed."""

        def bad(name: str, allowed: str) -> InputError:
            value = getattr(self, name)
            if flags and name in flags:
                shown = f"{flags[name]} {value!r}" if isinstance(value, str) else f"{flags[name]} {value}"
            else:
                shown = f"{name}={value!r}"
            return InputError(f"{shown} is not allowed: use {allowed}")

        def integer(value, low: int, high: int | None = None) -> bool:
            return (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low
                    and (high is None or value <= high))

        if self.model is not None and (not isinstance(self.model, str) or not self.model.strip()):
            raise bad("model", "a sentence-transformers model name or folder (omit it for the packaged default)")
        if self.level not in LEVELS:
            raise bad("level", f"one of {', '.join(LEVELS)}")
        if self.n_topics is not None and not integer(self.n_topics, 1, MAX_TOPICS):
            raise bad("n_topics", f"an integer from 1 to {MAX_TOPICS:,} (or leave it out to choose automatically)")
        if not integer(self.random_state, 0, MAX_SEED):
            raise bad("random_state", f"an integer from 0 to {MAX_SEED}")
        if not isinstance(self.assign_noise, bool):
            raise bad("assign_noise", "True or False")
        if not isinstance(self.cache, (bool, str)) and not hasattr(self.cache, "__fspath__"):
            raise bad("cache", "True, False or a folder path")
        if isinstance(self.cache, str) and not self.cache.strip():
            raise bad("cache", "a folder path")
        if self.engine not in ENGINES:
            raise bad("engine", f"one of {', '.join(ENGINES)}")
        if self.engine == "dask" and importlib.util.find_spec("distributed") is None:
            raise InputError("the dask engine needs Dask, which is not installed: pip install 'topicmap[dask]'")
        if self.scheduler is not None and (not isinstance(self.scheduler, str) or not self.scheduler.strip()):
            raise bad("scheduler", "an address such as tcp://host:8786")
        if not integer(self.sample_size, 2):
            raise bad("sample_size", "an integer >= 2")


def as_documents(docs, text_col: str | None = None) -> pd.DataFrame:
    """Normalise str lists, Series and DataFrames to the loader's frame (doc_id, kind, text, ...)."""
    if isinstance(docs, pd.DataFrame):
        if {"doc_id", "kind", "text"} <= set(docs.columns) and text_col is None:
            frame = docs.reset_index(drop=True)
        else:
            frame, _ = table_items(docs.reset_index(drop=True), "DataFrame", text_col)
            frame = frame.reset_index(drop=True)
    elif isinstance(docs, (pd.Series, Sequence, np.ndarray)) and not isinstance(docs, (str, bytes)):
        texts = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in docs]
        frame = pd.DataFrame({"doc_id": [str(i) for i in range(1, len(texts) + 1)], "kind": "headline", "text": texts})
    else:
        raise InputError(f"docs of type {type(docs).__name__} is not allowed: pass a list of str, a Series or a DataFrame")
    if frame.empty:
        raise InputError("docs is empty: pass at least one text")
    # Every text a str that UTF-8 can hold: a lone surrogate (from a bad decode) becomes U+FFFD.
    frame["text"] = [_SURROGATE.sub("\ufffd", t) if isinstance(t, str) else "" if pd.isna(t) else str(t)
                     for t in frame["text"].astype(object)]
    return frame


_SURROGATE = re.compile("[\ud800-\udfff]")


def _canonical_order(texts: list[str], embeddings: np.ndarray) -> np.ndarray:
    """A permutation that sorts the items by text, then by vector: the same for any row order."""
    return np.array(sorted(range(len(texts)), key=lambda i: (texts[i], embeddings[i].tobytes())), dtype=np.int64)


def _fill_noise(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Give every unclustered item the topic its nearest clustered items vote for."""
    clustered = labels >= 0
    filled = labels.copy()
    filled[~clustered], _ = assign.assign(embeddings[clustered], labels[clustered], None,
                                          embeddings[~clustered], include_noise=False)
    return filled


def story_themes(fitted_stories: np.ndarray, fitted_themes: np.ndarray, stories: np.ndarray) -> np.ndarray:
    """Themes of items from their stories: each story's most common theme among the fitted
    items (-1 for unclustered items and for stories the fitted items do not have)."""
    clustered = fitted_stories >= 0
    pairs = pd.DataFrame({"story": fitted_stories[clustered], "theme": fitted_themes[clustered]})
    theme_of = pairs.groupby("story")["theme"].agg(lambda t: t.value_counts().idxmax()).to_dict()
    return np.array([theme_of.get(s, -1) for s in stories.tolist()], dtype=np.int64)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _keep_names(topics: pd.DataFrame, old_names: dict) -> pd.DataFrame:
    """Existing topics keep the name readers already know; new ones get a fresh name."""
    topics = topics.copy()
    topics["name"] = [old_names.get(i, n) for i, n in zip(topics["id"], topics["name"])]
    return topics


def _fresh_ids(new_ids: pd.Series, old_ids: pd.Series) -> list[str]:
    """New items' doc_ids, prefixed where they would clash with the map's."""
    taken = set(old_ids.astype(str))
    if not taken & set(new_ids.astype(str)):
        return list(new_ids.astype(str))
    prefix = next(f"u{k}." for k in range(1, 10_000) if not any(t.startswith(f"u{k}.") for t in taken))
    return [prefix + str(i) for i in new_ids]
