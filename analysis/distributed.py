"""The Dask executor: embedding and placement of millions of items on a cluster.

`TopicMap(engine="dask")` calls `embed_on_cluster` and `extend` from `fit`; this module never sees the
estimator, only documents, vectors and the fitted state. The work is split the way the cost is:

1. Embedding is partitioned across the workers. Each worker process loads the model once
   (`embed.load_model` is cached per process) and encodes its partitions in batches through
   `embed.embed_texts`, so the embedding cache works as on one machine (give every worker the
   same cache folder, e.g. a shared disk).
2. Topics, names and the 2D projection are fitted by TopicMap on the client on a sample
   (`sample_size` items drawn uniformly with `random_state`, by a hash of their text, so any
   row order draws the same items); with n <= sample_size that is
   the local fit itself, on the same embeddings, so the topics are the local engine's.
3. Every other item is assigned and placed on the workers (the fitted reference is shipped to
   each worker once with `client.scatter`), block by block as in `analysis.assign`, so the
   cost grows linearly with n. Topic sizes are then exact counts over all items.

Input may be a pandas frame or list (split into blocks on the client) or a Dask dataframe
(`read_corpus` reads partitioned Parquet or CSV globs), whose partitions are read by the
workers themselves. The fitted map is gathered on the client, so `to_frame`, `report`,
`save`, `transform` and `update` work as after a local fit (about 1.6 GB of client memory per
million items, mostly the embeddings).
"""

from __future__ import annotations

import logging
import math
import os
import signal
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis import assign, embed, newgroups
from analysis.errors import InputError
from analysis.load import as_documents, copy_keys, merge_copies
from analysis.state import FittedState, check_embeddings

SCHEDULER_ENV = "TOPICMAP_SCHEDULER"
PROBE_WAIT_S = 10.0  # a scheduler's handshake comes at once; a web server never speaks first
BLOCK_ROWS = 20_000  # rows per embedding / assignment task when the input is not partitioned
_MODEL_LOCK = threading.Lock()

Progress = Callable[[str, int, int], None]


@contextmanager
def connect(scheduler: str | None = None) -> Iterator:
    """A distributed Client: to `scheduler`, else to $TOPICMAP_SCHEDULER, else to a new
    LocalCluster sized to this machine (closed on exit)."""
    from distributed import Client

    address = scheduler or os.environ.get(SCHEDULER_ENV)
    if address:
        _check_answers_as_scheduler(address)
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address
            raise InputError(
                f"cannot reach the Dask scheduler at {address} ({exc}); start it with `dask scheduler` "
                f"or omit --scheduler (and {SCHEDULER_ENV}) to use a LocalCluster"
            ) from exc
        with client:
            yield client
        return
    with _local_cluster() as cluster, Client(cluster) as client:
        yield client


@contextmanager
def _local_cluster() -> Iterator:
    """A LocalCluster whose worker processes never see Ctrl-C: a terminal sends it to the
    whole process group, and each worker printed its own KeyboardInterrupt traceback; the
    client stops the run and closes the cluster."""
    from distributed import LocalCluster

    main = threading.current_thread() is threading.main_thread()
    # Ignored while the cluster starts, so that its processes keep ignoring it (Python leaves an
    # ignored SIGINT ignored; a blocked one they unblock). A Ctrl-C in those two seconds is lost.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Port \d+ is already in use")  # a dashboard's, not ours
            cluster = LocalCluster(dashboard_address=None, silence_logs=logging.CRITICAL)
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGINT, previous)
    with cluster:
        yield cluster


def _check_answers_as_scheduler(address: str) -> None:
    """Refuse a TCP address that is not a Dask scheduler, in one line, before `Client` is
    called: given a web server's port (the dashboard's 8787) Client waits forever despite its
    timeout, and an SSH server's banner reads as "out of memory". A scheduler speaks first
    (its handshake), a web server waits for a request, an SSH server sends "SSH-"."""
    scheme, _, rest = address.rpartition("://")
    host, colon, port = rest.rpartition(":")
    if scheme not in ("", "tcp") or not colon or not port.isdigit():
        return  # tls://, ucx://, inproc:// or no port: left to Client
    host, wait = host.strip("[]"), PROBE_WAIT_S
    try:
        with socket.create_connection((host, int(port)), timeout=wait) as probe:
            probe.settimeout(wait)
            first = probe.recv(16)
    except TimeoutError:
        first = b""
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start it with `dask scheduler` "
            f"or omit --scheduler (and {SCHEDULER_ENV}) to use a LocalCluster"
        ) from exc
    speaker = "a web server" if first.startswith(b"HTTP") else "an SSH server" if first.startswith(b"SSH-") else ""
    if not first or speaker:
        said = f"answers as {speaker}" if speaker else f"said nothing in {wait:g} s"
        raise InputError(
            f"{address} is not a Dask scheduler (it {said}; the dashboard's port is 8787): give the "
            "address `dask scheduler` prints, tcp://HOST:8786 by default"
        )


def read_corpus(path: str | Path, text_col: str | None = None, *, merge_copies: bool = False):
    """Partitioned Parquet or CSV files (a file, a folder or a glob, one format) as a lazy Dask
    dataframe of items: kind, text and the input's other columns. doc_ids (each row's number
    in the whole input, counting dropped rows) are given after the partitions are read.
    Empty texts are dropped (counted, for a warning). Copies of one text are kept apart
    (counted, for a warning), or with `merge_copies` merged as the local loader merges them
    once the parts reach the client (the CLI's default; `--keep-duplicates` keeps them)."""
    import dask.dataframe as dd
    from dask.base import tokenize

    from analysis.load import corpus_files, table_items

    files = [str(f) for f in corpus_files(path)]
    suffixes = {Path(f).suffix.lower() for f in files}
    if suffixes == {".parquet"}:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            headers = [tuple(pq.read_schema(f).names) for f in files]  # the footers only
            frames = [dd.read_parquet(run) for run in _runs(files, headers)]
        except (pa.ArrowException, OSError) as exc:
            raise InputError(
                f"{path}: --engine dask cannot read these Parquet files ({str(exc).splitlines()[0][:200]}); "
                "check that each is a whole Parquet file"
            ) from exc
    elif suffixes == {".csv"}:
        headers = [_check_csv_start(Path(file)) for file in files]
        frames = [
            dd.read_csv(run, dtype=str, keep_default_na=False, blocksize=CSV_BLOCK_BYTES, index_col=False)
            for run in _runs(files, headers)
        ]
    else:
        raise InputError(
            f"{path}: --engine dask reads Parquet or CSV files of one format; found {', '.join(sorted(suffixes))}"
        )

    def items(part: pd.DataFrame, where: str) -> pd.DataFrame:
        with warnings.catch_warnings(record=True) as caught:  # said by the client, not a worker's stderr
            warnings.simplefilter("always")
            found, dropped = table_items(part.reset_index(drop=True), Path(where), text_col)
        # read back on the client: row numbers, the notes and the warnings
        found.attrs.update(rows=len(part), dropped=dropped, warnings=[str(w.message) for w in caught])
        return found

    # Dask reads a run of files with the first one's columns, so files with other columns are
    # read as runs; each run's columns are probed (a missing text column fails now, naming the
    # run's file) and every part is given the union, as the local engine's loader gives it
    runs = _runs(files, headers)
    wheres = [run[0] if len(run) == 1 else f"{run[0]} (and {len(run) - 1} more with its columns)" for run in runs]
    metas = [
        items(pd.DataFrame({c: ["probe"] for c in run.columns}), where).iloc[:0]
        for run, where in zip(frames, wheres, strict=True)
    ]
    meta = pd.concat(metas, sort=False) if len(metas) > 1 else metas[0]
    meta.attrs.clear()
    # enforce_metadata=False: dask returns `meta` for an empty result, and with it the probe's
    # row counts; a part of blank rows must keep its own (the columns are set here anyway)
    # each part's own file where the run's partitions can be traced to files (see _partition_files)
    files_of = [_partition_files([run], [frame]) or [] for run, frame in zip(runs, frames, strict=True)]

    def part_items(part: pd.DataFrame, where: str, files: list[str], partition_info=None) -> pd.DataFrame:
        number = (partition_info or {}).get("number")
        if isinstance(number, int) and number < len(files):
            where = files[number]
        return items(part, where).reindex(columns=meta.columns)

    parts = [
        run.map_partitions(part_items, where, files, meta=meta, enforce_metadata=False)
        for run, where, files in zip(frames, wheres, files_of, strict=True)
    ]
    corpus = parts[0] if len(parts) == 1 else dd.concat(parts)
    sources = _partition_files(runs, frames)
    if sources is not None and len(sources) == corpus.npartitions:
        _PARTITION_FILES[tokenize(corpus)] = sources
    if merge_copies:
        _MERGE_COPIES[tokenize(corpus)] = len(files) > 1 or Path(path).is_dir()  # a `count` always, as for a folder
    return corpus


#: Dask cuts a CSV file into blocks of about this many bytes, one partition each.
CSV_BLOCK_BYTES = 64_000_000

#: The file each partition of a frame `read_corpus` made was read from, by the frame's token:
#: a part a worker cannot read is then named by its file.
_PARTITION_FILES: dict[str, list[str]] = {}
#: The frames `read_corpus` made to have their copies merged, by token: whether `count` is always added.
_MERGE_COPIES: dict[str, bool] = {}


def _partition_files(runs: list[list[str]], frames: list) -> list[str] | None:
    """The file of each partition of the runs' frames, in order; None where it cannot be told.

    A Parquet file is one partition; a CSV file of size s is max(1, s // block) (dask's read_bytes
    keeps a file's block count and evens out their sizes). A run whose count differs is not guessed."""
    sources: list[str] = []
    for run, frame in zip(runs, frames, strict=True):
        counts = [
            1 if file.lower().endswith(".parquet") else max(1, os.path.getsize(file) // CSV_BLOCK_BYTES) for file in run
        ]
        if sum(counts) != frame.npartitions:
            return None
        sources += [file for file, count in zip(run, counts, strict=True) for _ in range(count)]
    return sources


def _runs(files: list[str], headers: list[tuple[str, ...]]) -> list[list[str]]:
    """`files` in order, cut where the header changes."""
    runs: list[list[str]] = []
    for i, file in enumerate(files):
        if i and headers[i] == headers[i - 1]:
            runs[-1].append(file)
        else:
            runs.append([file])
    return runs


def _check_csv_start(path: Path) -> tuple[str, ...]:
    """The header of a CSV file, and what the workers cannot say in one line, checked here on
    its first rows: an empty file, text that is not UTF-8, and a first row longer than the
    header (which pandas reads as an index column, shifting every column of the file one place)."""
    import csv
    import io

    from analysis.decode import separator

    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        raise InputError(f"{path} is empty: remove it or give it a header and rows")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut at the end of the block read
            raise InputError(
                f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8, or read it without --engine dask, "
                "which guesses the encoding"
            ) from exc
        text = head[: exc.start].decode("utf-8-sig")
    sep = separator(text, ".csv")
    if sep != ",":
        name = "semicolons" if sep == ";" else "tabs"
        raise InputError(
            f"{path} is separated by {name}: --engine dask reads comma-separated files; save it with commas, "
            "or read it without --engine dask"
        )
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header, first = next(rows, []), next(rows, None)
    except csv.Error as exc:  # a lone carriage return in an unquoted field
        raise InputError(f"{path} is not valid CSV ({exc}); check its quotes and line ends") from exc
    repeated = sorted({name for name in header if name.strip() and header.count(name) > 1})
    if repeated:
        raise InputError(f"{path} has more than one column named {repeated[0]!r}: rename all but one")
    if first is not None and len(first) > len(header):
        raise InputError(
            f"{path} is not valid CSV: a row has more fields than the header; check its quotes and separators"
        )
    return tuple(header)


def is_dask_input(path: str | Path) -> bool:
    """Whether `read_corpus` reads `path`: only Parquet files, or only CSV files."""
    from analysis.load import corpus_files

    suffixes = {f.suffix.lower() for f in corpus_files(path)}
    return suffixes in ({".parquet"}, {".csv"})


def sample_indices(texts: list[str], size: int, random_state: int) -> np.ndarray:
    """The items the topics and the map are fitted on: all when n <= size, else the `size`
    whose texts hash lowest under `random_state` (a uniform draw that follows the items, not
    their rows, so any row order fits the same sample), in input order."""
    import hashlib

    n = len(texts)
    if n <= size:
        return np.arange(n)
    salt = str(int(random_state)).encode()
    keys = np.array(
        [
            int.from_bytes(hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8, key=salt).digest(), "big")
            for t in texts
        ],
        dtype=np.uint64,
    )
    order = np.lexsort((np.arange(n), np.asarray(texts, dtype=object).astype(str), keys))
    return np.sort(order[:size])


class Embedded(NamedTuple):
    """What `embed_on_cluster` gives back."""

    documents: pd.DataFrame  #: the kept items, on the client
    vectors: np.ndarray  #: their embeddings, on the client
    blocks: list  #: the embeddings as futures of row blocks on the workers, in order
    rows: int  #: the rows the input had, dropped ones too
    kept: np.ndarray  #: the input row of each kept item


def _scatter_texts(client, documents: pd.DataFrame) -> list:
    """The texts sent to the workers in blocks (at least two a worker, at most BLOCK_ROWS each)."""
    n_blocks = max(1, min(len(documents), max(2 * _n_workers(client), math.ceil(len(documents) / BLOCK_ROWS))))
    return client.scatter([list(b) for b in np.array_split(documents["text"].to_numpy(), n_blocks)])


def embed_on_cluster(
    client, docs, text_col: str | None, embeddings, model: str | None, cache_dir: str | None, report: Progress
) -> Embedded:
    """Embed `docs` on the workers. Given `embeddings` are checked and scattered instead."""
    import dask.dataframe as dd

    if isinstance(docs, dd.DataFrame):
        from dask.base import tokenize

        parts = client.compute(docs.to_delayed())
        token = tokenize(docs)
        sources = _PARTITION_FILES.get(token)
        frames = _gather_read(client, parts, sources)
        documents = pd.concat(frames, ignore_index=True)
        if {"doc_id", "kind", "text"} - set(documents.columns):
            raise InputError(
                "a Dask dataframe given to fit needs doc_id, kind and text columns: read it with "
                "analysis.distributed.read_corpus"
            )
        # each part numbers its rows from 1; a row's number in the whole input counts the rows
        # (dropped ones too) of the parts before it, as the local engine numbers a file's rows
        offsets = np.cumsum([0] + [frame.attrs.get("rows", len(frame)) for frame in frames[:-1]])
        numbers = np.concatenate(
            [offset + frame["doc_id"].astype(int).to_numpy() for offset, frame in zip(offsets, frames, strict=True)]
        )
        documents = documents.assign(doc_id=numbers.astype(str))
        rows, kept = sum(frame.attrs.get("rows", len(frame)) for frame in frames), numbers - 1
        for message in dict.fromkeys(m for frame in frames for m in frame.attrs.get("warnings", [])):
            warnings.warn(message, stacklevel=2)
        merging = token in _MERGE_COPIES and embeddings is None
        if merging:  # as the local loader merges them (see load.merge_copies)
            documents, merged = merge_copies(documents.set_axis(kept), always_count=_MERGE_COPIES[token])
            kept, documents = documents.index.to_numpy(), documents.reset_index(drop=True)
            if merged:
                warnings.warn(
                    f"merged {merged:,} cop{'y' if merged == 1 else 'ies'} of repeated items (--keep-duplicates keeps them)",
                    stacklevel=2,
                )
        copies = int(copy_keys(documents).duplicated().sum()) if len(documents) and not merging else 0
        if copies:
            warnings.warn(
                f"{copies:,} item{' is a copy' if copies == 1 else 's are copies'} of another (the same text), "
                "kept apart: copies can make stories of their own",
                stacklevel=2,
            )
        dropped = sum(frame.attrs.get("dropped", 0) for frame in frames)
        if dropped:
            warnings.warn(
                f"dropped {dropped} item{'' if dropped == 1 else 's'} with no words (empty, missing or punctuation only)",
                stacklevel=2,
            )
        if documents.empty:  # as the local engine's loader says it
            files = sorted(set(sources or []))
            where = files[0] if len(files) == 1 else "the input"
            raise InputError(
                f"{where} has no items with words: its rows are blank, missing or punctuation only"
                if rows
                else f"{where} has a header but no rows: add one row an item under it"
            )
        text_parts = client.map(_texts_of, parts) if not merging else _scatter_texts(client, documents)
    else:
        documents = as_documents(docs, text_col)
        if embeddings is not None:  # the vectors of the rows as_documents kept
            embeddings = check_embeddings(embeddings, documents.attrs["rows"])[documents.index.to_numpy()]
        rows, kept = documents.attrs["rows"], documents.index.to_numpy()
        documents = documents.reset_index(drop=True)
        text_parts = _scatter_texts(client, documents)
    if embeddings is not None:
        vectors = check_embeddings(embeddings, len(documents))
        sizes = [len(t) for t in client.gather(text_parts)]
        blocks = client.scatter(np.split(vectors, np.cumsum(sizes)[:-1]))
        return Embedded(documents, vectors, blocks, rows, kept)
    blocks = client.map(embed_block, text_parts, model=model, cache_dir=cache_dir)
    _track(blocks, "embed", report, len(documents))
    return Embedded(documents, np.concatenate(client.gather(blocks)), blocks, rows, kept)


def _gather_read(client, parts, sources: list[str] | None = None) -> list[pd.DataFrame]:
    """The partitions as read by the workers; a part that cannot be read (not UTF-8 past its
    first block, a ragged row, not Parquet) is one line naming its file (`sources`, the file
    of each part, where known), not an internal error."""
    import pyarrow as pa

    try:
        return client.gather(parts)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, pa.ArrowException, KeyError) as exc:
        problem = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        failed = sorted({sources[i] for i, part in enumerate(parts) if part.status == "error"}) if sources else []
        if failed:
            more = f" (and {len(failed) - 1} other files)" if len(failed) > 1 else ""
            raise InputError(
                f"{failed[0]}{more}: --engine dask could not read it ({problem}); check that it is UTF-8 CSV with "
                "balanced quotes and one field per column, or a whole Parquet file"
            ) from exc
        raise InputError(
            f"--engine dask could not read a part of the input ({problem}); check that "
            "every part is UTF-8 CSV or a whole Parquet file, or read it without --engine dask, "
            "which names the file and the problem"
        ) from exc


def embed_block(texts: list[str], model: str | None, cache_dir: str | None) -> np.ndarray:
    """One partition's embeddings, on a worker: the model is loaded once per worker process."""
    with _MODEL_LOCK:  # threads of one process wait for the first load instead of loading twice
        encoder = embed.load_model(model, cache_dir)
    if not texts:  # a partition whose rows were all empty texts
        return np.empty((0, encoder.get_embedding_dimension()), dtype=np.float32)
    return embed.embed_texts(texts, model, cache_dir=cache_dir)


def _texts_of(frame: pd.DataFrame) -> list[str]:
    return frame["text"].astype(str).tolist()


@dataclass
class Reference:
    """The fitted sample every worker places items against (scattered once)."""

    embeddings: np.ndarray
    labels: np.ndarray
    stories: np.ndarray
    coords: np.ndarray
    reach: dict[int, float]
    story_reach: dict[int, float]
    include_noise: bool


def reference_of(state: FittedState, include_noise: bool) -> Reference:
    """The reference of a fitted sample (its embeddings, labels, stories and coordinates)."""
    return Reference(
        state.embeddings,
        state.labels,
        state.story_labels,
        state.coords,
        assign.topic_reach(state.embeddings, state.labels, floor=state.level == "story") if include_noise else {},
        assign.topic_reach(state.embeddings, state.story_labels, floor=True),
        include_noise,
    )


def place_block(reference: Reference, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(topics, stories, coords) of one block of items: `assign.assign` with one neighbour
    search for both levels and the topics' reach computed once, not per block."""
    indices, sims = assign.nearest(reference.embeddings, queries)
    if reference.include_noise:
        labels = assign.join_nearest_topic(reference.labels[indices], sims, reference.reach)
    else:
        labels = assign.vote(reference.labels[indices], sims)
    stories = assign.join_nearest_topic(reference.stories[indices], sims, reference.story_reach)
    return labels, stories, assign.place(reference.coords[indices], sims)


def extend(
    client,
    state: FittedState,
    documents: pd.DataFrame,
    vectors: np.ndarray,
    blocks: list,
    sample: np.ndarray,
    include_noise: bool,
    report: Progress,
) -> FittedState:
    """The state of all items from the state fitted on `sample`: every other item placed on
    the sample's map on the workers; the sample keeps its own fit; topic sizes exact."""
    report("assign", 0, len(documents))
    reference = client.scatter(reference_of(state, include_noise), broadcast=True, hash=False)
    placed = client.map(place_block, [reference] * len(blocks), blocks)
    _track(placed, "assign", report, len(documents))
    results = client.gather(placed)
    labels = np.concatenate([r[0] for r in results])
    stories = np.concatenate([r[1] for r in results])
    coords = np.concatenate([r[2] for r in results])
    if state.level == "story":  # the map's level is its stories: one placement, not two rules
        stories = labels.copy()
    # The other levels, nested: an item's theme (topic) is its story's, where it has one.
    nested = newgroups.nest_new(state, vectors, labels, stories)  # no new stories: nothing opens or waits
    topics, themes = nested.topics, nested.themes
    if state.level != "story":
        labels = (topics if state.level == "topic" else themes).copy()
    labels[sample], stories[sample], coords[sample] = state.labels, state.story_labels, state.coords
    topics[sample], themes[sample] = state.topic_labels, state.theme_labels
    return replace(
        state,
        documents=documents.reset_index(drop=True),
        embeddings=vectors,
        coords=coords,
        labels=labels,
        story_labels=stories,
        topic_labels=topics,
        theme_labels=themes,
        added=np.zeros(len(documents), dtype=bool),
        waiting=np.zeros(len(documents), dtype=bool),
        grown=np.zeros(len(documents), dtype=bool),
        topics=_exact_sizes(state.topics, labels),
        stories=_exact_sizes(state.stories, stories),
        topic_table=_exact_sizes(state.topic_table, topics),
        theme_table=_exact_sizes(state.theme_table, themes),
    )


def _exact_sizes(topics: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    counts = pd.Series(labels[labels >= 0]).value_counts()
    return topics.assign(size=[int(counts.get(i, 0)) for i in topics["id"]])


def _track(futures, stage: str, report: Progress, total: int) -> None:
    """Report progress as the tasks finish (rows done of `total`, by block count)."""
    from distributed import as_completed

    done = 0
    for k, _ in enumerate(as_completed(futures), 1):
        done = round(total * k / len(futures))
        report(stage, done, total)


def _n_workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def write_parquet_parts(frame: pd.DataFrame, folder: str | Path, rows_per_part: int = 1_000_000) -> None:
    """The export as partitioned Parquet: `folder`/part.0.parquet, part.1.parquet, ...; written
    to a fresh temporary folder swapped in whole (`files.atomic_dir`), so no half-written export
    is left and the old one stays until the new one is complete. Each part is written as the
    one-file export writes (`export.parquet_ready`): a list column stays a list (dask's own
    writer made it the text "['a', 'b']")."""
    from analysis.export import parquet_ready
    from analysis.files import atomic_dir

    n_parts = max(1, math.ceil(len(frame) / rows_per_part))
    with atomic_dir(folder) as building:
        for k in range(n_parts):
            part = frame.iloc[k * rows_per_part : (k + 1) * rows_per_part]
            parquet_ready(part).to_parquet(building / f"part.{k}.parquet", index=False)
