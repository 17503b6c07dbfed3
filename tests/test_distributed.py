"""The Dask engine: the local engine's topics on a 2-worker LocalCluster, every item placed
when topics are fitted on a sample, partitioned Parquet in and out through the CLI."""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis import TopicMap, assign, distributed, embed, report
from analysis.errors import InputError
from conftest import BENCH, topicmap

pytestmark = pytest.mark.slow  # starts Dask clusters

N_ITEMS = 1200  # past a sample of 400 and the 512-item background sample


@pytest.fixture(scope="module")
def cluster():
    """Two in-process workers on a TCP address, so a `topicmap` subprocess can use them too."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return pd.read_csv(BENCH / "uci_news_aggregator_6k.csv").sample(N_ITEMS, random_state=2).reset_index(drop=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def maps(cluster, corpus, cache) -> dict:
    """The dask engine embeds on the workers into an empty cache; the local engine then reads it."""
    dask_map = TopicMap(cache=cache, engine="dask", scheduler=cluster.scheduler_address).fit(corpus)
    local_map = TopicMap(cache=cache).fit(corpus)
    return {"dask": dask_map, "local": local_map}


def test_dask_engine_finds_the_local_topics(maps, corpus):
    dask_map, local_map = maps["dask"], maps["local"]
    assert len(np.unique(local_map.labels_)) >= 5
    assert adjusted_rand_score(local_map.labels_, dask_map.labels_) >= 0.99
    assert dask_map.level_ == local_map.level_
    assert list(dask_map.topics_["name"]) == list(local_map.topics_["name"])
    assert list(dask_map.topics_["size"]) == list(local_map.topics_["size"])
    np.testing.assert_allclose(dask_map.coords_, local_map.coords_, atol=1e-4)
    frame = dask_map.to_frame()
    assert len(frame) == N_ITEMS and list(frame["source"]) == list(corpus["source"])


def test_workers_embed_into_the_shared_cache(maps, corpus):
    # The local run found every vector the workers wrote, under the same model key...
    assert np.array_equal(maps["dask"].embeddings_, maps["local"].embeddings_)
    # ...and they are the model's vectors, not stand-ins.
    fresh = embed.embed_texts(corpus["text"].tolist()[:12], cache_dir=None)
    np.testing.assert_allclose(maps["dask"].embeddings_[:12], fresh, atol=1e-5)


def test_sample_fit_places_every_item_as_assign_does(cluster, maps, corpus):
    vectors = maps["dask"].embeddings_
    sampled = TopicMap(engine="dask", scheduler=cluster.scheduler_address, sample_size=400, cache=False)
    sampled.fit(corpus, embeddings=vectors)
    sample = distributed.sample_indices(sampled.documents_["text"].tolist(), 400, 0)
    rest = np.setdiff1d(np.arange(N_ITEMS), sample)
    local_sample = TopicMap(cache=False).fit(corpus.iloc[sample], embeddings=vectors[sample])
    # The sample keeps its own fit; every other item is placed on it as analysis.assign places items.
    assert np.array_equal(sampled.labels_[sample], local_sample.labels_)
    labels, coords = assign.assign(vectors[sample], local_sample.labels_, local_sample.coords_, vectors[rest])
    stories, _ = assign.assign(vectors[sample], local_sample.story_labels_, None, vectors[rest], stories=True)
    assert np.array_equal(sampled.story_labels_[rest], stories)
    # An item's topic is the vote of its neighbours, unless its story lies in another topic:
    # then it follows its story, so every level nests; one the vote leaves out takes the
    # nearest theme, as every item of a fit has one.
    follows = (sampled.labels_[rest] != labels) & (labels >= 0)
    assert follows.mean() < 0.1
    assert (sampled.story_labels_[rest][follows] >= 0).all()
    assert (local_sample.theme_labels_ >= 0).all() and (sampled.theme_labels_ >= 0).all()
    frame = pd.DataFrame(
        {"story": sampled.story_labels_, "topic": sampled.topic_labels_, "theme": sampled.theme_labels_}
    )
    for lower, upper in (("story", "topic"), ("topic", "theme")):
        assert (frame[frame[lower] >= 0].groupby(lower)[upper].nunique() == 1).all()
    assert np.array_equal(sampled.topic_labels_[sample], local_sample.topic_labels_)
    topic_counts = pd.Series(sampled.topic_labels_[sampled.topic_labels_ >= 0]).value_counts()
    assert dict(zip(sampled.topic_table_["id"], sampled.topic_table_["size"])) == topic_counts.to_dict()
    np.testing.assert_allclose(sampled.coords_[rest], coords, rtol=1e-5, atol=1e-5)  # float32, other blocks
    # Topics are the sample's, their sizes exact counts over all items.
    counts = pd.Series(sampled.labels_[sampled.labels_ >= 0]).value_counts()
    assert dict(zip(sampled.topics_["id"], sampled.topics_["size"])) == counts.to_dict()
    assert list(sampled.topics_["name"]) == list(local_sample.topics_["name"])
    assert sampled.topics_["size"].sum() > local_sample.topics_["size"].sum()
    assert len(sampled.documents_) == len(sampled.embeddings_) == len(sampled.coords_) == N_ITEMS


def test_a_sampled_fit_is_the_same_in_any_row_order(cluster, maps, corpus):
    """The sample was drawn by row position: 1,500 HuffPost rows reversed gave 13 topics, not 21."""
    from sklearn.metrics import adjusted_rand_score

    vectors = maps["dask"].embeddings_
    order = np.random.default_rng(1).permutation(N_ITEMS)
    fits = [
        TopicMap(engine="dask", scheduler=cluster.scheduler_address, sample_size=400, cache=False).fit(
            corpus.iloc[rows].reset_index(drop=True), embeddings=vectors[rows]
        )
        for rows in (np.arange(N_ITEMS), order)
    ]
    by_text = [pd.Series(f.labels_, index=f.documents_["text"]).sort_index() for f in fits]
    assert adjusted_rand_score(by_text[0], by_text[1]) == 1.0
    assert sorted(fits[0].topics_["name"]) == sorted(fits[1].topics_["name"])


def test_a_sampled_story_map_with_assign_noise_is_one_partition_and_loads(cluster, maps, corpus, tmp_path):
    """Placed items took their label by one rule and their story by another: the export had
    stories of -1 on a map that said "0 unclustered", and `update` refused the saved map."""
    vectors = maps["dask"].embeddings_
    story_map = TopicMap(
        engine="dask",
        scheduler=cluster.scheduler_address,
        sample_size=400,
        level="story",
        assign_noise=True,
        cache=False,
    ).fit(corpus, embeddings=vectors)
    assert np.array_equal(story_map.labels_, story_map.story_labels_) and (story_map.labels_ >= 0).all()
    story_map.save(tmp_path / "map")
    loaded = TopicMap.load(tmp_path / "map")
    loaded.update(corpus.iloc[:5].assign(text=lambda f: f["text"] + " again"), embeddings=vectors[:5])
    assert len(loaded.labels_) == N_ITEMS + 5


def test_map_sample_draws_every_topic_in_proportion():
    labels = np.repeat([-1, 0, 1, 2], [30_000, 60_000, 9_990, 10])
    drawn = report.map_sample(labels, 10_000, random_state=0)
    assert np.all(np.diff(drawn) > 0)
    counts = pd.Series(labels[drawn]).value_counts()
    assert counts[0] == 6000 and counts[-1] == 3000 and counts[1] == 999
    assert counts[2] == 10  # a topic smaller than the floor is drawn whole
    assert np.array_equal(drawn, report.map_sample(labels, 10_000, random_state=0))


def test_cli_reads_and_writes_partitioned_parquet(cluster, corpus, cache, maps, tmp_path):
    folder = tmp_path / "big"  # `maps` has filled the cache: the workers read the vectors from it
    folder.mkdir()
    for k in range(3):
        corpus.iloc[100 * k : 100 * (k + 1)].to_parquet(folder / f"part-{k}.parquet", index=False)
    html, export = tmp_path / "big.html", tmp_path / "big.parquet"
    command = ["report", f"{folder}/*.parquet", "--engine", "dask", "--scheduler", cluster.scheduler_address]
    command += ["-o", str(html), "--export", str(export)]
    result = topicmap(*command, "--sample-size", "200", "--cache", cache)
    assert result.returncode == 0, result.stderr
    assert "300 items" in result.stderr
    rows = pd.read_parquet(export)
    assert sorted(p.name for p in export.iterdir()) == ["part.0.parquet"]
    assert len(rows) == 300 and list(rows["text"]) == list(corpus["text"].iloc[:300])
    assert rows[["x", "y"]].notna().all().all()
    data = json.loads(re.search(r'id="topicmap-data">(.*?)</script>', html.read_text(), re.S).group(1))
    drawn = len(data["points"]["x"])
    assert f"stratified sample of {drawn}" in data["meta"]["items"]
    top = data["meta"]["levels"][0]  # the map's own level: the export's column of that name
    exact = rows[rows[top] >= 0][top].value_counts()
    assert {t["id"]: t["size"] for t in data["topics"]} == exact.to_dict()  # every topic, exact sizes
    # The same command again replaces the earlier export's parts (it refused the folder) ...
    again = topicmap(*command, "--sample-size", "200", "--cache", cache)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in export.iterdir()) == ["part.0.parquet"] and len(pd.read_parquet(export)) == 300
    # ... but never a folder of anything else
    (export / "notes.txt").write_text("mine")
    refused = topicmap(*command)
    assert refused.returncode == 2 and "not an earlier export's parts" in refused.stderr
    assert (export / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"engine": "spark"}, "engine='spark' is not allowed: use one of local, dask"),
        ({"sample_size": 1}, "sample_size=1 is not allowed: use an integer >= 2"),
        ({"scheduler": ""}, "scheduler='' is not allowed"),
    ],
)
def test_engine_parameters_are_validated(params, message):
    with pytest.raises(InputError, match=message):
        TopicMap(**params).fit(["a", "b", "c"], embeddings=np.eye(3, dtype=np.float32))


@pytest.mark.parametrize(
    "name, content, message",
    [
        # a first row longer than the header shifted every column: the map was of the sources
        ("first.csv", "text,label,source\nOops a stray row,with,too,many,fields\nHello there,a,b\n", "more fields"),
        ("empty.csv", "", "is empty"),
        ("latin.csv", "text\nCaf\xe9 opens\n".encode("latin-1"), "is not UTF-8"),
        ("broken.parquet", b"PAR1 not really", "cannot read these Parquet files"),
    ],
)
def test_unreadable_dask_input_is_one_line_before_any_work(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = topicmap("report", str(path), "--engine", "dask", "-o", str(tmp_path / "r.html"))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_files_with_other_columns_are_read_as_the_local_engine_reads_them(cluster, tmp_path, suffix):
    # Dask read every file with the first one's columns: a later file's `source` was dropped,
    # and a file whose text column is `headline` was an internal error
    folder = tmp_path / "parts"
    folder.mkdir()
    files = {
        "a": pd.DataFrame({"text": ["Fed raises rates", "Stocks fall"], "label": ["x", "y"]}),
        "b": pd.DataFrame({"label": ["z"], "text": ["Storm hits coast"], "source": ["AP"]}),
        "c": pd.DataFrame({"headline": ["Oil prices climb"], "label": ["w"]}),
    }
    for name, frame in files.items():
        path = folder / f"{name}{suffix}"
        frame.to_parquet(path) if suffix == ".parquet" else frame.to_csv(path, index=False)
    export = tmp_path / "out.csv"
    common = ["--scheduler", cluster.scheduler_address, "-o", str(tmp_path / "r.html"), "--export", str(export)]
    result = topicmap("report", str(folder), "--engine", "dask", *common)
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(export, keep_default_na=False).set_index("text")
    assert rows.loc["Storm hits coast", "source"] == "AP" and rows.loc["Fed raises rates", "source"] == ""
    assert rows.loc["Oil prices climb", "label"] == "w" and len(rows) == 4
    # a file with no text column at all is one line before any work
    no_text = pd.DataFrame({"count": [1], "label": ["v"]})
    no_text.to_parquet(folder / "d.parquet") if suffix == ".parquet" else no_text.to_csv(folder / "d.csv", index=False)
    refused = topicmap("report", str(folder), "--engine", "dask", *common[:2], "-o", str(tmp_path / "s.html"))
    assert refused.returncode == 2 and "internal error" not in refused.stderr, refused.stderr
    assert (
        "has no text, title or headline column" in refused.stderr
        and refused.stderr.count("\n") == 1
        and not (tmp_path / "s.html").exists()
    )


@pytest.fixture
def not_a_scheduler():
    """A TCP port that accepts and then sends `banner` (b"" for silence, like a web server)."""
    import socket
    import threading

    servers = []

    def serve(banner: bytes) -> str:
        server = socket.create_server(("127.0.0.1", 0))
        servers.append(server)

        def answer():
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                conn.sendall(banner)
                servers.append(conn)

        threading.Thread(target=answer, daemon=True).start()
        return f"tcp://127.0.0.1:{server.getsockname()[1]}"

    yield serve
    for sock in servers:
        sock.close()


def test_an_ssh_port_as_scheduler_is_one_line(not_a_scheduler, tmp_path):
    # it read the banner as frame lengths: "out of memory"
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nFed raises rates\nStocks fall\nStorm hits coast\n")
    address = not_a_scheduler(b"SSH-2.0-OpenSSH_9.2p1\r\n")
    result = topicmap("report", str(corpus), "--engine", "dask", "--scheduler", address, "-o", str(tmp_path / "r.html"))
    assert result.returncode == 2, result.stderr
    assert f"{address} is not a Dask scheduler (it answers as an SSH server" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_a_silent_port_as_scheduler_is_refused_not_waited_on(not_a_scheduler, monkeypatch):
    # a web server (the dashboard's 8787) never speaks first: Client waited forever
    monkeypatch.setattr(distributed, "PROBE_WAIT_S", 0.5)
    address = not_a_scheduler(b"")
    with pytest.raises(InputError, match=re.escape(f"{address} is not a Dask scheduler (it said nothing in 0.5 s")):
        TopicMap(engine="dask", scheduler=address, cache=False).fit(
            ["a b", "c d", "e f"], embeddings=np.eye(3, dtype=np.float32)
        )


def test_dropped_rows_are_counted_and_ids_stay_row_numbers(cluster, tmp_path):
    # Dask renumbered the kept items 1..n and said nothing of the dropped ones; a NUL byte the
    # local loader drops became a space ("Stor m hits coast")
    corpus = tmp_path / "c.csv"
    corpus.write_text("text,label\nFed raises rates,x\n,y\n...,z\nStor\x00m hits coast,w\nOil climbs,v\n")
    exports = {}
    for engine in ("local", "dask"):
        exports[engine] = tmp_path / f"{engine}.csv"
        result = topicmap(
            "report",
            str(corpus),
            "--engine",
            engine,
            *(["--scheduler", cluster.scheduler_address] if engine == "dask" else []),
            "-o",
            str(tmp_path / f"{engine}.html"),
            "--export",
            str(exports[engine]),
        )
        assert result.returncode == 0 and "dropped 2 items with no words" in result.stderr, result.stderr
    local, dask = (pd.read_csv(exports[e], dtype=str).set_index("doc_id")["text"] for e in ("local", "dask"))
    assert dask.to_dict() == local.to_dict() == {"1": "Fed raises rates", "4": "Storm hits coast", "5": "Oil climbs"}


def test_a_part_no_worker_can_read_is_named_by_its_file(cluster, tmp_path, monkeypatch):
    # a ragged row past a file's first block was "could not read a part of the input": which?
    monkeypatch.setattr(distributed, "CSV_BLOCK_BYTES", 4_000)  # several partitions per file
    folder = tmp_path / "parts"
    folder.mkdir()
    rows = [f"Headline number {i} about the markets,wire" for i in range(400)]
    for name in ("a", "b", "c"):
        lines = list(rows)
        if name == "b":
            lines[300] = "A ragged row,wire,with,two more fields"
        (folder / f"{name}.csv").write_text("text,source\n" + "\n".join(lines) + "\n")
    corpus = distributed.read_corpus(folder)
    assert corpus.npartitions > 3  # the files were cut into blocks, and each block is traced to its file
    with pytest.raises(InputError, match=r"b\.csv: --engine dask could not read it \(ParserError: .*Expected 2 fields"):
        TopicMap(engine="dask", scheduler=cluster.scheduler_address).fit(corpus)


def test_a_part_of_blank_rows_keeps_its_row_count_and_a_bad_column_names_its_file(tmp_path):
    import dask

    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "a.csv").write_text("text,label\n,x\n  ,y\n,z\n...,w\n")  # four rows, none with words
    (folder / "b.csv").write_text("text,label\nFed raises rates,x\n42,y\n")
    parts = dask.compute(*distributed.read_corpus(folder).to_delayed(), scheduler="sync")
    assert [(len(p), p.attrs["rows"], p.attrs["dropped"]) for p in parts] == [(0, 4, 4), (2, 2, 0)]
    (folder / "c.csv").write_text("text,label\n7,x\n8,y\n")  # numbers: warned of, on the client
    parts = dask.compute(*distributed.read_corpus(folder).to_delayed(), scheduler="sync")
    assert any("c.csv: text column text holds numbers" in w for p in parts for w in p.attrs["warnings"])
    (folder / "d.csv").write_text("title,label\nOil climbs,x\n")
    with pytest.raises(InputError, match=r"/a\.csv \(and 2 more with its columns\) has no column 'title'"):
        distributed.read_corpus(folder, text_col="title")


def test_a_dask_input_without_items_says_what_the_local_engine_says(cluster, tmp_path):
    source = tmp_path / "empty.csv"
    source.write_text("text,label\n")
    result = topicmap(
        "report",
        str(source),
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler_address,
        "-o",
        str(tmp_path / "r.html"),
    )
    assert result.returncode == 2 and f"{source} has a header but no rows" in result.stderr, result.stderr


def test_the_cli_merges_copies_under_dask_as_the_local_engine_does(cluster, tmp_path):
    """A wire's copies made stories of their own: 50 of 77 stories on 150 UCI headlines and 50 copies."""
    source = tmp_path / "wire.csv"
    source.write_text("text\nFed raises rates\nOil climbs\nfed raises  rates\nStorm hits coast\nOil climbs\n")
    exports = {}
    for engine, extra in (("local", []), ("dask", ["--scheduler", cluster.scheduler_address]), ("kept", [])):
        exports[engine] = tmp_path / f"{engine}.csv"
        result = topicmap(
            "report",
            str(source),
            "--engine",
            "local" if engine == "local" else "dask",
            *(["--scheduler", cluster.scheduler_address, "--keep-duplicates"] if engine == "kept" else extra),
            "-o",
            str(tmp_path / f"{engine}.html"),
            "--export",
            str(exports[engine]),
        )
        assert result.returncode == 0, result.stderr
        if engine == "dask":
            assert "merged 2 copies of repeated items" in result.stderr and "3 items" in result.stderr
        if engine == "kept":
            assert "warning: 2 items are copies of another (the same text), kept apart" in result.stderr
    local, dask, kept = (pd.read_csv(exports[e], dtype=str) for e in ("local", "dask", "kept"))
    assert dask[["doc_id", "text", "count"]].equals(local[["doc_id", "text", "count"]])
    assert dask["count"].tolist() == ["2", "2", "1"] and len(kept) == 5


def _sigint_handler() -> str:
    import signal

    return str(signal.getsignal(signal.SIGINT))


def test_the_local_clusters_workers_leave_ctrl_c_to_the_client():
    """A terminal's Ctrl-C reaches the whole process group: each worker printed a traceback."""
    import signal

    from distributed import Client

    before = signal.getsignal(signal.SIGINT)
    with distributed._local_cluster() as local_cluster, Client(local_cluster) as client:
        handlers = client.run(_sigint_handler)
        assert signal.getsignal(signal.SIGINT) is before  # the client's own Ctrl-C is back
    assert handlers and set(handlers.values()) == {str(signal.SIG_IGN)}
