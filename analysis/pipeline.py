"""TopicMap: the whole pipeline (embed, cluster, name, project) as one scikit-learn estimator.

The CLI and notebooks both go through this class; it is the only place the stages are chained.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from analysis import assign, cluster, embed, export, growth, label, params, phrases, project
from analysis.errors import InputError
from analysis.load import as_documents, canonical_order
from analysis.meta import VERSION
from analysis.state import FIELDS, FittedState, check_embeddings, reader_named, with_named

Progress = Callable[[str, int, int], None]
D = params.DEFAULTS
#: The parameters that shape a map: `update`, `transform` and `merge_topics` need the ones it was made with.
MAP_PARAMS = ("model", "backend", "level", "n_topics", "min_story_size", "assign_noise", "random_state")


def _silent(stage: str, done: int, total: int) -> None:
    """The progress callback when none is given."""


class TopicMap(BaseEstimator):
    """Find the themes in a collection of news items and lay them out on a 2D map.

    The parameters are declared once, with their ranges and CLI flags, in
    `analysis.params.PARAMS`; the fitted attributes are the fields of
    `analysis.state.FittedState`.

    Parameters
    ----------
    model : str or None
        A sentence-transformers model name or path; None uses the packaged all-MiniLM-L6-v2.
    backend : {"onnx", "onnx-int8", "torch"}
        How the packaged model runs: float32 under ONNX Runtime (built on first use), int8
        (faster, vectors at cosine 0.99) or PyTorch. Any other model runs in PyTorch.
    level : {"auto", "story", "topic", "theme"}
        The level `labels_` and `topics_` are at: items about one event, a part of a theme,
        broad subjects, or chosen from the corpus (see cluster.auto_level).
    n_topics : int or None
        Merge the chosen level down to this many topics (never split: a warning when fewer
        are found); None chooses automatically.
    min_story_size : int or None
        The fewest items a story may have; None: max(2, round(sqrt(n) / 8)).
    assign_noise : bool
        Place every item in its nearest topic instead of leaving some unclustered.
    cache : bool or str
        The embedding cache: True (the user cache folder), False (off) or a folder path.
    random_state : int
        The seed of every random step, so the same input gives the same map.
    engine : {"local", "dask"}
        Run in this process or on a Dask cluster (see analysis.distributed).
    scheduler : str or None
        With engine="dask", the scheduler's address (e.g. "tcp://host:8786"); None uses
        $TOPICMAP_SCHEDULER, else a LocalCluster sized to this machine.
    sample_size : int
        With engine="dask", topics and the map are fitted on this many items drawn at random
        and every other item is assigned to them; with either engine the report draws a
        stratified sample of this many points when there are more items.

    Attributes
    ----------
    labels_ : ndarray of int
        The group of each item at the chosen level, -1 for unclustered.
    theme_labels_, topic_labels_, story_labels_ : ndarray of int
        Every item's theme, topic and story, whatever the chosen level: one fit finds all
        three, nested (themes ⊇ topics ⊇ stories).
    level_ : str
        The level `labels_` is at ("story", "topic" or "theme").
    topics_ : DataFrame
        The chosen level's table: id, name, size, keywords, representatives, description.
    theme_table_, topic_table_, stories_ : DataFrame
        Each level's table, the same columns.
    embeddings_ : ndarray of shape (n, d)
        The items' embeddings.
    coords_ : ndarray of shape (n, 2)
        The items' map positions.
    documents_ : DataFrame
        The items fitted (doc_id, kind, text and the input's columns).
    added_ : ndarray of bool
        True for the items the last `update` added.
    waiting_ : ndarray of bool
        True for the items of stories updates found far from every topic of their theme,
        waiting in the nearest topic until enough gather to open one.
    grown_ : ndarray of bool
        True for the items updates added since the fit.
    fitted_at_ : str
        When the map last took in items (`fit` or `update`), ISO 8601 in UTC.
    added_since_ : str or None
        The `fitted_at_` of the map the last `update` added to (None before any update, or
        for a map saved before topicmap recorded it).
    next_topic_id_, next_story_id_ : int
        The ids new topics get (ids are never reused).
    vectors_given_ : bool
        Whether the fit's vectors came with the items (`embeddings=`) rather than from the model.
    """

    def __init__(
        self,
        model: str | None = D["model"],  # type: ignore[assignment]
        backend: str = D["backend"],  # type: ignore[assignment]
        level: str = D["level"],  # type: ignore[assignment]
        n_topics: int | None = D["n_topics"],  # type: ignore[assignment]
        min_story_size: int | None = D["min_story_size"],  # type: ignore[assignment]
        assign_noise: bool = D["assign_noise"],  # type: ignore[assignment]
        cache: bool | str = D["cache"],  # type: ignore[assignment]
        random_state: int = D["random_state"],  # type: ignore[assignment]
        engine: str = D["engine"],  # type: ignore[assignment]
        scheduler: str | None = D["scheduler"],  # type: ignore[assignment]
        sample_size: int = D["sample_size"],  # type: ignore[assignment]
    ) -> None:
        self.model = model
        self.backend = backend
        self.level = level
        self.n_topics = n_topics
        self.min_story_size = min_story_size
        self.assign_noise = assign_noise
        self.cache = cache
        self.random_state = random_state
        self.engine = engine
        self.scheduler = scheduler
        self.sample_size = sample_size

    def check_params(self, as_flags: bool = False) -> None:
        """Check every parameter against `analysis.params.PARAMS`; InputError naming the
        parameter (or its CLI flag), the bad value and what is allowed."""
        params.check(self.get_params(), as_flags=as_flags)

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
        Items without a word are dropped with a warning, as the CLI drops them.
        """
        self._fit(docs, embeddings, text_col, progress)
        return self

    def _fit(self, docs, embeddings, text_col: str | None, progress: Progress | None) -> tuple[int, np.ndarray]:
        """`fit` proper; returns the number of rows `docs` had and the rows kept, in fit order."""
        self.check_params()
        _check_progress(progress)
        if self.scheduler is not None and self.engine != "dask":
            warnings.warn(
                f"scheduler={self.scheduler!r} (--scheduler) has no effect without engine='dask' (--engine dask)",
                stacklevel=2,
            )
        if self.backend != D["backend"] and not embed.is_default(self.model):
            warnings.warn(
                f"backend={self.backend!r} (--backend) has no effect with model={self.model!r} (--model): only "
                "the packaged default model runs under ONNX Runtime; others run in PyTorch",
                stacklevel=2,
            )
        report = progress or _silent
        if self.engine == "dask":
            state, rows, kept = self._fit_on_dask(docs, embeddings, text_col, report)
        else:
            documents = as_documents(docs, text_col)
            rows, kept = documents.attrs["rows"], documents.index.to_numpy()
            # umap's import and compile run beside the encoder (which leaves the GIL free while
            # it computes): started once the first items are embedded (the encoder's own imports
            # are done by then) and joined before clustering, so no two threads import at once
            warm: list = []

            def report_and_warm(stage: str, done: int, total: int) -> None:
                if stage == "embed" and done > 0 and not warm:
                    warm.append(project.warm_up())
                report(stage, done, total)

            vectors = self._embeddings(documents, embeddings, report_and_warm)
            for thread in warm:
                thread.join()
            state = self._learn(documents.reset_index(drop=True), vectors, report)
        self._set_state(dataclasses.replace(state, vectors_given=embeddings is not None))
        self.params_ = params.plain(self.get_params())  # what the map was made with (see _check_same_params)
        report("done", 1, 1)
        return rows, kept

    def _learn(self, documents: pd.DataFrame, embeddings: np.ndarray, report: Progress) -> FittedState:
        """Cluster, name and project items whose vectors are known: the fit proper."""
        texts = documents["text"].tolist()
        # The stages see the items in one canonical order (by text, then vector) and the order
        # is restored after, so shuffling the input rows changes neither topics nor map
        # (k-means seeding, null draws and kNN ties all depend on row order).
        order = canonical_order(texts, embeddings)
        restore = np.argsort(order)
        sorted_texts, sorted_vectors = [texts[i] for i in order], embeddings[order]
        report("neighbours", 0, 1)
        knn = cluster.embedding_graph(sorted_vectors, self.random_state)
        table = phrases.phrase_matrix(sorted_texts)
        levels = cluster.cluster_levels(
            sorted_vectors,
            sorted_texts,
            level=self.level,
            n_topics=self.n_topics,
            random_state=self.random_state,
            knn=knn,
            min_story_size=self.min_story_size,
            on_stage=lambda stage: report(stage, 0, 1),
            phrase_table=table,
        )
        story, topic, theme = levels.story, levels.topic, levels.theme
        found = len(np.unique(levels.labels[levels.labels >= 0]))
        if self.n_topics and found < self.n_topics:
            groups = "stories" if levels.level == "story" else levels.level + "s"
            warnings.warn(
                f"n_topics={self.n_topics} (--topics): only {found} {groups} were found, so the map has "
                f"{found}: a count merges groups, it never splits one"
                if found
                else f"n_topics={self.n_topics} (--topics): {len(texts)} items are too few to form any group, "
                "so the map has none",
                stacklevel=2,
            )
        if self.assign_noise:
            story, topic, theme = cluster.fill_noise(sorted_vectors, levels.level, story, topic, theme)
        labels = {"story": story, "topic": topic, "theme": theme}[levels.level]
        report("name", 0, 1)
        tables = self._describe(sorted_texts, story, topic, theme, sorted_vectors, levels.level, table)
        report("project", 0, 1)
        coords, _ = project.project_2d(
            sorted_vectors, random_state=self.random_state, knn=knn, stories=story, themes=theme
        )
        return FittedState(
            documents=documents.reset_index(drop=True),
            embeddings=embeddings,
            coords=coords[restore],
            labels=labels[restore],
            story_labels=story[restore],
            topic_labels=topic[restore],
            theme_labels=theme[restore],
            added=np.zeros(len(texts), dtype=bool),
            waiting=np.zeros(len(texts), dtype=bool),
            grown=np.zeros(len(texts), dtype=bool),
            topics=tables[levels.level],
            stories=tables["story"],
            topic_table=tables["topic"],
            theme_table=tables["theme"],
            level=levels.level,
            next_topic_id=int(labels.max(initial=-1)) + 1,
            next_story_id=int(story.max(initial=-1)) + 1,
            fitted_at=_now(),
            added_since=None,
        )

    def _fit_on_dask(
        self, docs, embeddings, text_col: str | None, report: Progress
    ) -> tuple[FittedState, int, np.ndarray]:
        """Embed on the cluster, fit on a sample here, place every other item on the cluster;
        the state, the number of input rows and the rows kept (as `_fit` returns them)."""
        from analysis import distributed

        with distributed.connect(self.scheduler) as client:
            documents, vectors, blocks, rows, kept = distributed.embed_on_cluster(
                client, docs, text_col, embeddings, self._encoder(), self._cache_dir(), report
            )
            sample = distributed.sample_indices(documents["text"].tolist(), self.sample_size, self.random_state)

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
        return state, rows, kept

    def fit_transform(
        self,
        docs,
        y=None,
        *,
        embeddings: np.ndarray | None = None,
        text_col: str | None = None,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Fit and return one label per row of `docs`, as `transform` does: `labels_` in the
        rows' places, -1 for a row without a word (dropped from the map)."""
        rows, kept = self._fit(docs, embeddings, text_col, progress)
        labels = np.full(rows, -1, dtype=np.int64)
        labels[kept] = self.labels_
        return labels

    def transform(self, docs, *, embeddings: np.ndarray | None = None, text_col: str | None = None) -> np.ndarray:
        """Assign items to the learned topics, one label per row of `docs`: -1 for an item that
        fits none (its nearest fitted items are unclustered, or it lies beyond the reach of the
        topic they vote for: farther from it than the topic's own members typically are) and
        for an item without a word.

        An item's topic is the similarity-weighted vote of its nearest fitted items, so a
        fitted item gets its own label back. The map is not changed: `update` also places the
        items that fit no topic, in new topics or the nearest theme, so the two differ there.
        """
        self._check_same_params()
        documents = as_documents(docs, text_col, empty_ok=True)
        given = self._given_vectors(documents, embeddings, new=True)
        if documents.empty:  # nothing with words: -1 for every row
            return np.full(documents.attrs["rows"], -1, dtype=np.int64)
        vectors = self._check_width(self._vectors(documents["text"].tolist(), given, _silent), given is not None)
        labels = np.full(documents.attrs["rows"], -1, dtype=np.int64)
        labels[documents.index.to_numpy()], _ = assign.assign(
            self.embeddings_,
            self.labels_,
            None,
            vectors,
            include_noise=not self.assign_noise,
            stories=self.level_ == "story",
        )
        return labels

    def update(
        self,
        docs,
        *,
        embeddings: np.ndarray | None = None,
        text_col: str | None = None,
        progress: Progress | None = None,
    ) -> TopicMap:
        """Add new items to the fitted map: they join the learned topics, land in the same 2D
        space, and open new topics where enough of them fit none. Existing ids and names are
        kept, and no id is given twice; as a fit of the grown map would, stories it finds as one
        are joined under the largest's id, and a subject it sets apart inside a theme leaves
        for a new theme (growth.py, newgroups.py).

        An item the map already holds is counted on it (`count`), not added again; the new
        items are seen in a canonical order, so their row order changes nothing. No item with
        words (an empty day) leaves the map as it is, no item marked new, with a warning.
        """
        self._check_same_params()
        _check_progress(progress)
        old = self._state()
        report = progress or _silent
        documents = as_documents(docs, text_col, empty_ok=True)
        given = self._given_vectors(documents, embeddings, new=True)
        if documents.empty:  # a day without news: nothing added, and nothing marked new
            rows = documents.attrs["rows"]
            warnings.warn(
                f"no new items ({rows} given, none with words): the map is unchanged"
                if rows
                else "no new items given: the map is unchanged",
                stacklevel=2,
            )
            if old.added.any():  # the items the last update added are not this one's
                self._set_state(dataclasses.replace(old, added=np.zeros(len(old.added), dtype=bool)))
            return self
        hits = growth.repeats(old.documents, documents)
        known = growth.count_repeats(old.documents, hits, documents)
        documents = documents[hits < 0]
        if given is not None:
            given = given[hits < 0]
        texts = documents["text"].tolist()
        if texts:
            vectors = self._check_width(self._vectors(texts, given, report), given is not None)
        else:  # every item was in the map already
            vectors = np.empty((0, old.embeddings.shape[1]), dtype=np.float32)
        report("assign", 0, 1)
        grown = growth.grow_levels(old, texts, vectors, self.random_state, self.min_story_size, not self.assign_noise)
        if grown.misfit is not None:
            warnings.warn(grown.misfit, stacklevel=2)
        documents = documents.assign(doc_id=growth.fresh_ids(documents["doc_id"], old.documents["doc_id"]))
        all_documents = pd.concat([known, documents.reset_index(drop=True)], ignore_index=True)
        if "count" in all_documents.columns:
            all_documents["count"] = all_documents["count"].fillna(1).astype(np.int64)
        all_vectors, all_stories, all_topics, all_themes = grown.embeddings, grown.story, grown.topic, grown.theme
        all_labels = {"story": all_stories, "topic": all_topics, "theme": all_themes}[old.level]
        report("name", 0, 1)
        all_texts = all_documents["text"].tolist()
        olds = {"story": old.stories, "topic": old.topic_table, "theme": old.theme_table}
        tables = self._describe(all_texts, all_stories, all_topics, all_themes, all_vectors, old.level, taken=olds)
        tables = {at: with_named(table, reader_named(olds[at])) for at, table in tables.items()}
        self._set_state(
            FittedState(
                documents=all_documents,
                embeddings=all_vectors,
                coords=np.vstack([old.coords, grown.coords]),
                labels=all_labels,
                story_labels=all_stories,
                topic_labels=all_topics,
                theme_labels=all_themes,
                added=np.concatenate([np.zeros(len(old.added), bool), np.ones(len(texts), bool)]),
                waiting=np.isin(all_stories, grown.waiting),
                grown=np.concatenate([old.grown, np.ones(len(texts), bool)]),
                topics=tables[old.level],
                stories=tables["story"],
                topic_table=tables["topic"],
                theme_table=tables["theme"],
                level=old.level,
                next_topic_id=grown.next_topic_id,
                next_story_id=grown.next_story_id,
                fitted_at=_now(),
                added_since=old.fitted_at,
                vectors_given=old.vectors_given,
            )
        )
        report("done", 1, 1)
        return self

    def rename_topics(self, names: dict[int, str], level: str | None = None) -> TopicMap:
        """Give groups the reader's names, {id: name}: the map's own level by default, or
        `level` "topic" or "story" below it (the levels as `fit` names them); `update` keeps
        them, and the report and export show them (see analysis.edit)."""
        from analysis import edit

        self._check_fitted()
        self._set_state(edit.rename(self._state(), names, level))
        return self

    def merge_topics(self, ids: list[int], level: str | None = None) -> TopicMap:
        """Make the groups `ids` (a list; `level` as in `rename_topics`) one, under the first
        id and its name; its size, keywords, representatives and description are found again.
        A theme map's topics merge only inside one theme. Merged ids stay merged through
        `update` (see analysis.edit)."""
        from analysis import edit

        self._check_same_params()
        self._set_state(edit.merge(self._state(), ids, level))
        return self

    def save(self, folder, *, unit: str | None = None) -> None:
        """Save the fitted map as plain files (no pickle); `TopicMap.load` reads it back.

        `folder` must be missing, empty or a saved map (see `persist.check_target`). A cache
        folder is saved as an absolute path, so `update` finds it from anywhere. `unit` is the
        `load_corpus` unit the items were read at, recorded so `topicmap update` reads new
        feeds and articles the same way (`persist.saved_unit`)."""
        from pathlib import Path

        from analysis import persist

        self._check_fitted()
        saved = dict(self.params_)
        if not isinstance(saved["cache"], bool):
            saved["cache"] = str(Path(saved["cache"]).absolute())
        persist.save_state(folder, saved, self._state(), VERSION, flag="folder", unit=unit)

    @classmethod
    def load(cls, folder) -> TopicMap:
        """Read a map written by `save`; loading runs no code from the folder."""
        from analysis import persist

        saved, state = persist.load_state(folder, cls._get_param_names())
        saved.setdefault("backend", "torch")  # a map saved before the ONNX backend has PyTorch's vectors
        topic_map = cls(**saved)
        try:
            topic_map.check_params()
        except InputError as exc:
            raise InputError(f"{folder} is a damaged saved map ({exc}); save the map again") from exc
        topic_map._set_state(state)
        topic_map.params_ = params.plain(topic_map.get_params())
        return topic_map

    def _state(self) -> FittedState:
        """The fitted attributes as one record."""
        return FittedState(**{name: getattr(self, f"{name}_") for name in FIELDS})

    def _set_state(self, state: FittedState) -> None:
        """Set every fitted attribute at once, from one record."""
        for name in FIELDS:
            setattr(self, f"{name}_", getattr(state, name))

    def _describe(
        self,
        texts: list[str],
        story: np.ndarray,
        topic: np.ndarray,
        theme: np.ndarray,
        vectors: np.ndarray,
        level: str,
        table: label.Phrases | None = None,
        taken: dict[str, pd.DataFrame] | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Each level's table, {"story", "topic", "theme"}: themes are named from their stories
        and led by their subject, topics from their stories, and a level that is the same
        partition as the one below it shares its table (see label.describe_topics). Candidate
        names are embedded with this map's model. `table` is `phrases.phrase_matrix(texts)`
        when the caller has it; `taken` holds each level's table of a saved map, whose groups
        keep their names (no new group of the level may take one)."""
        table = table if table is not None else phrases.phrase_matrix(texts)
        embed_phrases = self._phrase_embedder()

        def describe(labels: np.ndarray, at: str, **how) -> pd.DataFrame:
            kept = None if taken is None else dict(zip(taken[at]["id"].astype(int), taken[at]["name"]))
            return label.describe_topics(
                texts, labels, vectors, embed=embed_phrases, phrase_table=table, taken=kept, **how
            )

        tables = {"story": describe(story, "story")}
        same_topic = np.array_equal(topic, story)
        if np.array_equal(theme, story) and level != "theme":
            tables["theme"] = tables["story"]
        else:
            tables["theme"] = describe(theme, "theme", stories=story)
        if same_topic:
            tables["topic"] = tables["story"]
        elif np.array_equal(topic, theme):
            tables["topic"] = tables["theme"]
        else:
            tables["topic"] = describe(topic, "topic", stories=story, subject=False)
        return tables

    def _phrase_embedder(self) -> Callable[[list[str]], np.ndarray | None]:
        """Embeds candidate names with the model (through the cache); None, so names fall back
        to the items' vectors, when the model cannot load (vectors given with `embeddings`)."""
        cache_dir = self._cache_dir()

        def embed_phrases(texts: list[str]) -> np.ndarray | None:
            try:
                return embed.embed_texts(texts, self._encoder(), cache_dir=cache_dir)
            except InputError:
                return None

        return embed_phrases

    def _given_vectors(self, documents: pd.DataFrame, embeddings, new: bool = False) -> np.ndarray | None:
        """Vectors given with the items, checked against the rows of `docs` and kept for the
        items `as_documents` kept."""
        if embeddings is None:
            return None
        vectors = check_embeddings(embeddings, documents.attrs["rows"])
        if new:  # new items of the fitted map: in its space, even when none is kept
            vectors = self._check_width(vectors, given=True)
        return vectors[documents.index.to_numpy()]

    def _embeddings(self, documents: pd.DataFrame, embeddings, report: Progress) -> np.ndarray:
        """The vectors of `documents` (as `as_documents` gave them): given, or embedded."""
        return self._vectors(documents["text"].tolist(), self._given_vectors(documents, embeddings), report)

    def _vectors(self, texts: list[str], given: np.ndarray | None, report: Progress) -> np.ndarray:
        if given is not None:
            return given
        report("embed", 0, len(texts))
        return embed.embed_texts(
            texts,
            self._encoder(),
            cache_dir=self._cache_dir(),
            on_progress=lambda done, total: report("embed", done, total),
        )

    def _encoder(self) -> str | None:
        """The name `analysis.embed` runs for `model` and `backend`."""
        return embed.encoder_name(self.model, self.backend)

    def _cache_dir(self) -> str | None:
        """The embedding cache folder the `cache` parameter names, or None when it is off."""
        from analysis.cache import default_cache_dir

        return None if self.cache is False else str(default_cache_dir() if self.cache is True else self.cache)

    def _check_width(self, embeddings: np.ndarray, given: bool) -> np.ndarray:
        """New items' vectors must live in the fitted map's space; `given`: they came with
        `embeddings=`, not from the model."""
        width, wanted = (embeddings.shape[1] if embeddings.ndim == 2 else 0), self.embeddings_.shape[1]
        if len(embeddings) and width != wanted:
            model = embed.model_identity(self._encoder())
            made = (
                "as the map's were, given with embeddings="
                if self.vectors_given_
                else f"as the map's were (by {model})"
            )
            raise InputError(
                f"embeddings= has {width} dimensions and the map's vectors {wanted}: give vectors made {made}"
                if given
                else f"{model} makes vectors of {width} dimensions and the map's have {wanted}, so the map was "
                "made with other vectors: use the model the map was made with, or pass the new items' vectors "
                f"with embeddings= ({wanted} wide)"
            )
        return embeddings

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This TopicMap is not fitted yet: call fit(docs) or TopicMap.load(folder) first")

    def _encoder_made(self) -> str | None:
        """The encoder the map was made with."""
        return embed.encoder_name(self.params_["model"], self.params_["backend"])

    def _check_same_params(self) -> None:
        """Refuse to grow or edit a map with parameters it was not made with: `set_params`
        after `fit` is for the next fit (as in scikit-learn), and a map updated with another
        model or story size would be neither the old map nor a new one. Executor settings
        (cache, engine, scheduler, sample_size) may change."""
        self._check_fitted()
        now = self.get_params()
        changed = [name for name in MAP_PARAMS if now[name] != self.params_[name]]
        if "backend" in changed and embed.encoder_name(now["model"], now["backend"]) == self._encoder_made():
            changed.remove("backend")  # a model the backend does not apply to (static, any not the default)
        if changed:
            name = changed[0]
            raise InputError(
                f"set_params changed {name} from {self.params_[name]!r} to {now[name]!r} after the map was made: "
                f"call fit to make a map with it, or set it back (set_params({name}={self.params_[name]!r}))"
            )

    def to_frame(self) -> pd.DataFrame:
        """The export's rows (see `export.item_frame`)."""
        self._check_fitted()
        return export.item_frame(self._state())

    def figure(self):
        """The topic map as a plotly Figure (renders inline in Jupyter)."""
        from analysis.figure import topic_figure

        self._check_fitted()
        return topic_figure(self.to_frame(), self.topics_, self.level_)

    def report(
        self, path, *, title: str | None = None, input_name: str = "documents", plotlyjs: str = "inline"
    ) -> None:
        """Write the interactive HTML topic map to `path` (the same page as the CLI's): a file
        name ending in .html, so a slip never overwrites a data file."""
        from analysis import page

        page.check_report_path(path)
        page.check_plotlyjs(plotlyjs)
        data = self._report_data(input_name)
        page.write_report(path, data, title or f"Topic map of {input_name}", plotlyjs)

    def to_html(self, *, title: str | None = None, input_name: str = "documents") -> str:
        """The report page as a string: plotly.js, the page's code and the data all inside."""
        from analysis import page

        return page.render_html(self._report_data(input_name), title or f"Topic map of {input_name}")

    def show(self, *, height: int = 760, title: str | None = None, input_name: str = "documents"):
        """The report inline in Jupyter: the same page in a sandboxed iframe, loading nothing
        from the network. Display the returned object (the last line of a cell)."""
        from analysis.page import InlineReport

        InlineReport("", height)  # the height checked before the page is made
        return InlineReport(self.to_html(title=title, input_name=input_name), height)

    def _report_data(self, input_name: str) -> dict:
        from analysis import page, report

        self._check_fitted()
        self.check_params()  # sample_size may change after a fit
        meta = {
            "input": input_name,
            "items": len(self.labels_),
            "model": f"vectors given with the items ({self.embeddings_.shape[1]} wide)"
            if self.vectors_given_
            else embed.model_identity(self._encoder_made()),
            "parameters": params.provenance(self.params_, self.level_),
            "version": VERSION,
            "generated": page.generated_at(),
        }
        notes = []
        if self.engine == "local" and len(self.labels_) - int(self.added_.sum()) > project.LAYOUT_SAMPLE:
            notes.append(
                f"layout: UMAP on {project.LAYOUT_SAMPLE:,} items drawn at random, "
                "the others placed among their nearest neighbours"
            )
        return report.fitted_report_data(
            self._state(),
            meta,
            sample_size=int(self.sample_size),
            random_state=int(self.params_["random_state"]),
            notes=tuple(notes),
        )


def _check_progress(progress: object) -> None:
    if progress is not None and not callable(progress):
        raise InputError(f"progress={progress!r} is not allowed: pass a function progress(stage, done, total), or None")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
