"""TopicMap: the whole pipeline (embed, cluster, name, project) as one scikit-learn estimator.

The CLI and notebooks both go through this class; it is the only place the stages are chained.
"""

from __future__ import annotations

import importlib.util
import numbers
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from analysis import assign, cluster, embed, label, phrases, project
from analysis.errors import InputError
from analysis.load import as_documents
from analysis.state import FIELDS, FittedState, check_embeddings

LEVELS = ("auto", "story", "theme")
MAX_SEED = 2**32 - 1  # numpy's legacy seeding, used by k-means and UMAP, takes 32 bits
MAX_TOPICS = 1_000_000
ENGINES = ("local", "dask")
Progress = Callable[[str, int, int], None]


def _silent(stage: str, done: int, total: int) -> None:
    """The progress callback when none is given."""


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
    topics_ : DataFrame with id, name, size, keywords, representatives, description, one row a topic.
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
        report = progress or _silent
        if self.engine == "dask":
            state = self._fit_on_dask(docs, embeddings, text_col, report)
        else:
            documents = as_documents(docs, text_col)
            state = self._learn(documents, self._embeddings(documents["text"].tolist(), embeddings, report), report)
        self._set_state(state)
        report("done", 1, 1)
        return self

    def _learn(self, documents: pd.DataFrame, embeddings: np.ndarray, report: Progress) -> FittedState:
        """Cluster, name and project items whose vectors are known: the fit proper."""
        texts = documents["text"].tolist()
        # The stages see the items in one canonical order (by text, then vector) and the order
        # is restored after, so shuffling the input rows changes neither topics nor map
        # (k-means seeding, null draws and kNN ties all depend on row order).
        order = _canonical_order(texts, embeddings)
        restore = np.argsort(order)
        sorted_texts, sorted_vectors = [texts[i] for i in order], embeddings[order]
        report("cluster", 0, 1)
        knn = cluster.embedding_graph(sorted_vectors, self.random_state)
        levels = cluster.cluster_levels(
            sorted_vectors,
            sorted_texts,
            level=self.level,
            n_topics=self.n_topics,
            random_state=self.random_state,
            knn=knn,
        )
        labels, stories = levels.labels, levels.story
        if self.assign_noise and (labels >= 0).any():
            labels = _fill_noise(sorted_vectors, labels)
        themes = labels if levels.level == "theme" else levels.theme
        report("name", 0, 1)
        topics, story_table = self._describe(sorted_texts, labels, stories, sorted_vectors, levels.level)
        report("project", 0, 1)
        coords, _ = project.project_2d(sorted_vectors, random_state=self.random_state, knn=knn)
        return FittedState(
            documents=documents.reset_index(drop=True),
            embeddings=embeddings,
            coords=coords[restore],
            labels=labels[restore],
            story_labels=stories[restore],
            theme_labels=themes[restore],
            added=np.zeros(len(texts), dtype=bool),
            topics=topics,
            stories=story_table,
            level=levels.level,
            next_topic_id=int(labels.max(initial=-1)) + 1,
            next_story_id=int(stories.max(initial=-1)) + 1,
            fitted_at=_now(),
            added_since=None,
        )

    def _fit_on_dask(self, docs, embeddings, text_col: str | None, report: Progress) -> FittedState:
        """Embed on the cluster, fit on a sample here, place every other item on the cluster."""
        from analysis import distributed

        with distributed.connect(self.scheduler) as client:
            documents, vectors, blocks = distributed.embed_on_cluster(
                client, docs, text_col, embeddings, self.model, self._cache_dir(), report
            )
            sample = distributed.sample_indices(len(documents), self.sample_size, self.random_state)

            def report_until_done(stage: str, done: int, total: int) -> None:
                if stage != "done":  # the cluster still has items to place
                    report(stage, done, total)

            state = self._learn(documents.iloc[sample], vectors[sample], report_until_done)
            if len(sample) < len(documents):
                state = distributed.extend(
                    client,
                    state,
                    documents,
                    vectors,
                    blocks,
                    sample,
                    include_noise=not self.assign_noise,
                    report=report,
                )
        return state

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

    def update(
        self,
        docs,
        *,
        embeddings: np.ndarray | None = None,
        text_col: str | None = None,
        progress: Progress | None = None,
    ) -> TopicMap:
        """Add new items to the fitted map: they join the learned topics, keep every existing id,
        land in the same 2D space, and open new topics where enough of them fit none."""
        self._check_fitted()
        old = self._state()
        report = progress or _silent
        documents = as_documents(docs, text_col)
        texts = documents["text"].tolist()
        vectors = self._check_width(self._embeddings(texts, embeddings, report))
        report("assign", 0, 1)
        labels, coords = assign.assign(
            old.embeddings, old.labels, old.coords, vectors, include_noise=not self.assign_noise
        )
        assert coords is not None  # asked for with the fitted coords
        stories, _ = assign.assign(old.embeddings, old.story_labels, None, vectors)
        labels, stories, next_topic, next_story = self._open_new_topics(old, vectors, texts, labels, stories)
        themes = labels if old.level == "theme" else assign.story_themes(old.story_labels, old.theme_labels, stories)
        documents = documents.assign(doc_id=_fresh_ids(documents["doc_id"], old.documents["doc_id"]))
        all_documents = pd.concat([old.documents, documents], ignore_index=True)
        all_vectors = np.vstack([old.embeddings, vectors])
        all_labels = np.concatenate([old.labels, labels])
        all_stories = np.concatenate([old.story_labels, stories])
        report("name", 0, 1)
        all_texts = all_documents["text"].tolist()
        topics, story_table = self._describe(all_texts, all_labels, all_stories, all_vectors, old.level)
        self._set_state(
            FittedState(
                documents=all_documents,
                embeddings=all_vectors,
                coords=np.vstack([old.coords, coords]),
                labels=all_labels,
                story_labels=all_stories,
                theme_labels=np.concatenate([old.theme_labels, themes]),
                added=np.concatenate([np.zeros(len(old.added), bool), np.ones(len(texts), bool)]),
                topics=_keep_names(topics, old.topics),
                stories=_keep_names(story_table, old.stories),
                level=old.level,
                next_topic_id=next_topic,
                next_story_id=next_story,
                fitted_at=_now(),
                added_since=old.fitted_at,
            )
        )
        report("done", 1, 1)
        return self

    def _open_new_topics(
        self, old: FittedState, embeddings: np.ndarray, texts: list[str], labels: np.ndarray, stories: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Cluster the new items that fit no topic; clusters among them become new topics with
        fresh ids. Returns the labels, the stories and the next free ids."""
        next_ids = [old.next_topic_id, old.next_story_id]
        loose = np.flatnonzero(labels < 0)
        if len(loose) < 2:
            return labels, stories, next_ids[0], next_ids[1]
        found = cluster.cluster_levels(
            embeddings[loose], [texts[i] for i in loose], level=old.level, random_state=self.random_state
        )
        for slot, (level_labels, target) in enumerate(((found.labels, labels), (found.story, stories))):
            for new in np.unique(level_labels[level_labels >= 0]):
                members = loose[level_labels == new]
                if slot == 1:  # a story only for items no existing story took
                    members = members[target[members] < 0]
                    if len(members) < 2:
                        continue
                target[members] = next_ids[slot]
                next_ids[slot] += 1
        return labels, stories, next_ids[0], next_ids[1]

    def save(self, folder) -> None:
        """Save the fitted map as plain files (no pickle); `TopicMap.load` reads it back.

        `folder` must be missing, empty or a saved map (see `persist.check_target`)."""
        from analysis import __version__, persist

        self._check_fitted()
        persist.save_state(folder, self.get_params(), self._state(), __version__)

    @classmethod
    def load(cls, folder) -> TopicMap:
        """Read a map written by `save`; loading runs no code from the folder."""
        from analysis import persist

        params, state = persist.load_state(folder, cls._get_param_names())
        topic_map = cls(**params)
        try:
            topic_map._validate_params()
        except InputError as exc:
            raise InputError(f"{folder} is a damaged saved map ({exc}); save the map again") from exc
        topic_map._set_state(state)
        return topic_map

    def _state(self) -> FittedState:
        """The fitted attributes as one record."""
        return FittedState(**{name: getattr(self, f"{name}_") for name in FIELDS})

    def _set_state(self, state: FittedState) -> None:
        """Set every fitted attribute at once, from one record."""
        for name in FIELDS:
            setattr(self, f"{name}_", getattr(state, name))

    def figure(self):
        """The topic map as a plotly Figure (renders inline in Jupyter)."""
        from analysis.figure import topic_figure

        self._check_fitted()
        return topic_figure(self.to_frame(), self.topics_)

    def _describe(
        self, texts: list[str], labels: np.ndarray, stories: np.ndarray, vectors: np.ndarray, level: str
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The topic and story tables; themes are named from their stories, and candidate
        names are embedded with this map's model (see label.describe_topics)."""
        table = phrases.phrase_matrix(texts)
        embed_phrases = self._phrase_embedder()
        story_table = label.describe_topics(texts, stories, vectors, embed=embed_phrases, phrase_table=table)
        if level != "theme" and np.array_equal(labels, stories):
            return story_table, story_table
        topic_table = label.describe_topics(
            texts,
            labels,
            vectors,
            embed=embed_phrases,
            phrase_table=table,
            stories=stories if level == "theme" else None,
        )
        return topic_table, story_table

    def _phrase_embedder(self) -> Callable[[list[str]], np.ndarray | None]:
        """Embeds candidate names with the model (through the cache); None, so names fall back
        to the items' vectors, when the model cannot load (vectors given with `embeddings`)."""
        cache_dir = self._cache_dir()

        def embed_phrases(texts: list[str]) -> np.ndarray | None:
            try:
                return embed.embed_texts(texts, self.model, cache_dir=cache_dir)
            except InputError:
                return None

        return embed_phrases

    def _embeddings(self, texts: list[str], embeddings, report: Progress) -> np.ndarray:
        if embeddings is not None:
            return check_embeddings(embeddings, len(texts))
        report("embed", 0, len(texts))
        return embed.embed_texts(
            texts, self.model, cache_dir=self._cache_dir(), on_progress=lambda done, total: report("embed", done, total)
        )

    def _cache_dir(self) -> str | None:
        """The embedding cache folder the `cache` parameter names, or None when it is off."""
        from analysis.cache import default_cache_dir

        return None if self.cache is False else str(default_cache_dir() if self.cache is True else self.cache)

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
        topic_description, story_description, then the input's other columns."""
        docs = self.documents_
        topic_names, topic_lines = _lookup(self.topics_)
        story_names, story_lines = _lookup(self.stories_)
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
                "topic_description": [topic_lines.get(t, "") for t in self.labels_],
                "story_description": [story_lines.get(t, "") for t in self.story_labels_],
            }
        )
        if self.added_.any():
            frame["new"] = self.added_
        extra = docs.drop(columns=["doc_id", "kind", "text"]).reset_index(drop=True)
        return pd.concat([frame, extra], axis=1)

    def report(
        self, path, *, title: str | None = None, input_name: str = "documents", plotlyjs: str = "inline"
    ) -> None:
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
        notes = []
        if len(frame) > self.sample_size:  # a page of millions of points: draw a sample, any engine
            frame = frame.iloc[report.map_sample(self.labels_, self.sample_size, self.random_state)].reset_index(
                drop=True
            )
            notes.append(f"the map draws a stratified sample of {len(frame):,}; topic sizes are exact")
        if self.engine == "local" and len(self.labels_) - int(self.added_.sum()) > project.LAYOUT_SAMPLE:
            notes.append(
                f"layout: UMAP on {project.LAYOUT_SAMPLE:,} items drawn at random, "
                "the others placed among their nearest neighbours"
            )
        if notes:
            meta["items"] = f"{len(self.labels_):,} ({'; '.join(notes)})"
        since = report.display_time(self.added_since_)
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
            return (
                isinstance(value, numbers.Integral)
                and not isinstance(value, bool)
                and int(value) >= low
                and (high is None or int(value) <= high)
            )

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


def _canonical_order(texts: list[str], embeddings: np.ndarray) -> np.ndarray:
    """A permutation that sorts the items by text, then by vector: the same for any row order."""
    return np.array(sorted(range(len(texts)), key=lambda i: (texts[i], embeddings[i].tobytes())), dtype=np.int64)


def _fill_noise(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Give every unclustered item the topic its nearest clustered items vote for."""
    clustered = labels >= 0
    filled = labels.copy()
    filled[~clustered], _ = assign.assign(
        embeddings[clustered], labels[clustered], None, embeddings[~clustered], include_noise=False
    )
    return filled


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _lookup(table: pd.DataFrame) -> tuple[dict, dict]:
    """id -> name and id -> description (empty for a map saved before descriptions existed)."""
    lines = table["description"] if "description" in table.columns else [""] * len(table)
    return dict(zip(table["id"], table["name"])), dict(zip(table["id"], lines))


def _keep_names(topics: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Existing topics keep the name readers already know; new ones get a fresh name."""
    old_names = dict(zip(old["id"], old["name"]))
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
