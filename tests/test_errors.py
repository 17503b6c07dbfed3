"""Bad input, faults and untrusted text (issue 6): a clear error, nothing lost, nothing run.

Where the contract is about the command (exit code, the one stderr line, the files left) the
test runs the real `topicmap` in a fresh process. Runs that get past loading use the CLI with
a fast fake embedder patched in (`fake_topicmap`), so they cost no model load; the model's
own error path, the text the model really sees, and near-duplicates use the real model.
The HTML's handling of hostile text is checked in a real browser in tests/test_report.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.load import load_corpus
from conftest import BENCH, ROOT, SEED, cli, fake_vectors, topicmap

# The CLI with embed_texts replaced by a hash-based fake: one unit vector per distinct text
# (after whitespace and case folding), so no model loads. FAKE_PAUSE_IN=stage makes it write
# FAKE_MARKER and sleep in that stage ("embed": inside embedding; "write": just before a
# finished temporary file is renamed onto its target), for a test to kill it there.
FAKE_CLI = r"""
import hashlib, os, sys, time
import numpy as np
import analysis.embed

def pause(stage):
    if os.environ.get("FAKE_PAUSE_IN") == stage:
        open(os.environ["FAKE_MARKER"], "w").close()
        time.sleep(120)

def fake_embed(texts, model=None, batch_size=64, on_progress=None, cache_dir=None):
    if os.environ.get("FAKE_EMBED_FAIL"):
        raise RuntimeError("simulated failure inside embedding")
    pause("embed")
    out = np.empty((len(texts), 32), dtype=np.float32)
    for i, text in enumerate(texts):
        key = hashlib.blake2b(" ".join(text.split()).casefold().encode(), digest_size=8).digest()
        v = np.random.default_rng(int.from_bytes(key, "little")).standard_normal(32)
        out[i] = v / np.linalg.norm(v)
    return out

analysis.embed.embed_texts = fake_embed
if os.environ.get("FAKE_PAUSE_IN") == "write":
    real_replace = os.replace
    def slow_replace(src, dst, *a, **k):
        pause("write")
        return real_replace(src, dst, *a, **k)
    os.replace = slow_replace

from analysis.cli import app
app(sys.argv[1:], prog_name="topicmap")
"""

HEADLINES = [
    "Fed Raises Interest Rates by a Quarter Point",
    "Storm Knocks Out Power Across the Gulf Coast",
    "Champions League Final Goes to Penalties",
]


def fake_topicmap(*args: str, env: dict | None = None, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", FAKE_CLI, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
        **popen,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def real_embed():
    """The packaged model, loaded once for this module (vectors cached like a CLI run's)."""
    from analysis.cache import default_cache_dir
    from analysis.embed import embed_texts

    return lambda texts: embed_texts(list(texts), cache_dir=default_cache_dir())


# 1. An empty file, or only blank lines ---------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.txt", ""),
        ("blank.txt", "\n   \n\t\n\r\n"),
        ("empty.jsonl", "\n\n"),
    ],
)
def test_a_file_without_items_is_exit_2_naming_the_expected_format(tmp_path, name, content):
    source = tmp_path / name
    source.write_text(content)
    result = cli("report", str(source), "-o", str(tmp_path / "out.html"))
    assert_one_line_error(result, 2, f"{source} has no items", "one headline a line", "`text` column")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("header.csv", "text,source\n", "has a header but no rows: add one row an item under it"),
        ("zero.csv", "", "is empty (0 bytes): give a file with a header and a row an item"),
        ("empty.xml", "<rss><channel><title>Wire</title></channel></rss>", "has no entries"),
    ],
)
def test_a_table_with_a_header_alone_or_a_feed_without_entries_says_so(tmp_path, name, content, problem):
    source = tmp_path / name
    source.write_text(content)
    result = cli("report", str(source), "-o", str(tmp_path / "out.html"))
    assert_one_line_error(result, 2, f"{source} {problem}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(
    "name, content",
    [("marks.txt", "!!!\n---\n...\n"), ("blank.csv", "text,source\n,AP\n  ,BBC\nNaN,AFP\n"), ("spaces.csv", " \n\t\n")],
)
def test_a_file_whose_rows_have_no_words_is_told_so_not_sent_to_a_column(tmp_path, name, content):
    source = tmp_path / name
    source.write_text(content)
    result = cli("report", str(source), "-o", str(tmp_path / "out.html"))
    assert_one_line_error(result, 2, f"{source} has no items with words", "blank, missing or punctuation only")
    assert "column" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


# 2. One, two or three items ----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
def test_one_two_or_three_items_give_a_valid_report(tmp_path, n):
    source = tmp_path / "few.txt"
    source.write_text("\n".join(HEADLINES[:n]) + "\n")
    html, export = tmp_path / "few.html", tmp_path / "few.csv"
    result = fake_topicmap("report", str(source), "-o", str(html), "--export", str(export))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and f"{n} item{'' if n == 1 else 's'}, " in result.stderr
    frame = pd.read_csv(export, keep_default_na=False)
    assert list(frame["text"]) == HEADLINES[:n]
    assert (frame["topic"] == -1).all()  # unrelated headlines: nothing to group
    assert np.isfinite(frame[["x", "y"]].to_numpy()).all()
    assert html.stat().st_size > 10_000 and "</html>" in html.read_text(encoding="utf-8")[-200:]


def test_two_copies_kept_apart_form_one_topic(tmp_path):
    source = tmp_path / "copies.txt"
    source.write_text(f"{HEADLINES[0]}\n{HEADLINES[0]}\n")
    export = tmp_path / "copies.csv"
    result = fake_topicmap(
        "report", str(source), "-o", str(tmp_path / "c.html"), "--export", str(export), "--keep-duplicates"
    )
    assert result.returncode == 0, result.stderr
    assert list(pd.read_csv(export)["topic"]) == [0, 0]


# 3. Every line the same; near-duplicates -----------------------------------------------------


def test_every_line_the_same_is_one_item_with_its_count(tmp_path):
    source = tmp_path / "same.txt"
    source.write_text(f"{HEADLINES[1]}\n" * 40 + f"{HEADLINES[1].upper()}  \n")
    export = tmp_path / "same.csv"
    result = fake_topicmap("report", str(source), "-o", str(tmp_path / "same.html"), "--export", str(export))
    assert result.returncode == 0, result.stderr
    assert "merged 40 copies" in result.stderr
    frame = pd.read_csv(export, keep_default_na=False)
    assert len(frame) == 1 and frame["count"].tolist() == [41]


def test_near_duplicates_land_in_one_topic(real_embed):
    from analysis.pipeline import TopicMap

    base = "Fed raises interest rates by a quarter point"
    variants = [
        base,
        base + " - Reuters",
        base + " | AP News",
        base.upper(),
        base + "!",
        "BREAKING: " + base,
        base.replace("raises", "lifts"),
        base + " (update 2)",
        base.replace("a quarter", "0.25"),
        base + ", signals more to come",
        base.title(),
        base + " - CNBC",
    ]
    others = pd.read_csv(BENCH / "ag_news_test_titles.csv")["text"].head(40).tolist()
    texts = variants + others
    topic_map = TopicMap(cache=False).fit(texts, embeddings=real_embed(texts))
    labels = topic_map.labels_[: len(variants)]
    assert labels[0] >= 0 and (labels == labels[0]).all(), labels
    assert (topic_map.labels_ == labels[0]).sum() < len(texts) / 2  # a topic, not everything


# 4. BOM, CRLF, Latin-1/cp1252, emoji, right-to-left and CJK ---------------------------------


def test_bom_and_crlf_are_read_as_plain_utf8(tmp_path):
    txt, csv = tmp_path / "bom.txt", tmp_path / "bom.csv"
    txt.write_bytes("\ufeffFirst headline here\r\nSecond headline here\r\n\r\n".encode())
    csv.write_bytes('\ufefftext,source\r\nFirst headline,AP\r\n"Quoted, with comma",BBC\r\n'.encode())
    assert list(load_corpus(txt)["text"]) == ["First headline here", "Second headline here"]
    frame = load_corpus(csv)
    assert list(frame.columns) == ["doc_id", "kind", "text", "source"]  # no "\ufefftext" column
    assert list(frame["text"]) == ["First headline", "Quoted, with comma"] and list(frame["source"]) == ["AP", "BBC"]


def test_cp1252_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text,source\r\nCaf\xe9 prices rise \x96 \x93again\x94,Le Monde\r\n".encode("latin-1"))
    with pytest.warns(UserWarning, match="not UTF-8; read it as Windows-1252"):
        frame = load_corpus(path)
    assert frame["text"].tolist() == ["Café prices rise – “again”"]


def test_utf16_with_a_bom_is_read_and_binary_is_refused(tmp_path):
    utf16 = tmp_path / "excel.tsv"
    utf16.write_bytes("text\tsource\r\nÜber headline\tAP\r\n".encode("utf-16"))
    assert load_corpus(utf16)["text"].tolist() == ["Über headline"]
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="not a text file"):
        load_corpus(binary)


def test_the_cli_says_the_encoding_warning_and_the_drop_count_on_one_line_each(tmp_path):
    source = tmp_path / "latin.txt"
    source.write_bytes(("\r\n".join(HEADLINES) + "\r\n!!!\r\n---\r\nCaf\xe9 owners protest\r\n").encode("cp1252"))
    export = tmp_path / "out.csv"
    result = fake_topicmap("report", str(source), "-o", str(tmp_path / "out.html"), "--export", str(export))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("warning: ") and "Windows-1252" in line for line in lines), lines
    assert "note: dropped 2 items with no words" in result.stderr
    assert pd.read_csv(export)["text"].iloc[-1] == "Café owners protest"


def test_emoji_rtl_and_cjk_text_reach_every_export_unchanged(tmp_path, real_embed):
    from analysis.export import write_export
    from analysis.pipeline import TopicMap

    texts = [
        "🔥 Wildfire spreads near Athens 🚒",
        "Мир: переговоры продолжаются",
        "الانتخابات في مصر تبدأ غدا",
        "שביתה כללית בישראל",
        "東京で大地震の訓練",
        "中国经济增长放缓",
        "Zero\u200bwidth and e\u0301 combining",
        "Family emoji 👨‍👩‍👧 and flag 🇺🇦",
        "한국 대통령 선거 결과",
    ]
    source = tmp_path / "world.txt"
    source.write_text("\n".join(texts) + "\n", encoding="utf-8")
    docs = load_corpus(source)
    assert docs["text"].tolist() == texts
    topic_map = TopicMap(cache=False).fit(docs, embeddings=real_embed(docs["text"]))
    frame = topic_map.to_frame()
    for suffix in ("csv", "jsonl", "parquet"):
        write_export(frame, tmp_path / f"world.{suffix}")
    assert pd.read_csv(tmp_path / "world.csv", keep_default_na=False)["text"].tolist() == texts
    jsonl = [json.loads(line) for line in (tmp_path / "world.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["text"] for row in jsonl] == texts
    assert pd.read_parquet(tmp_path / "world.parquet")["text"].tolist() == texts


# 5. A 100,000-character line; punctuation only; empty or NaN cells ---------------------------


def test_a_100000_character_line_is_embedded_and_exported_whole(tmp_path, real_embed):
    from analysis.export import write_export
    from analysis.pipeline import TopicMap

    long_line = " ".join(["inflation"] * 10_000)[:99_999] + "x"
    assert len(long_line) == 100_000
    source = tmp_path / "long.txt"
    source.write_text("\n".join([long_line, *HEADLINES]) + "\n")
    docs = load_corpus(source)
    vectors = real_embed(docs["text"])  # the model reads its first 256 tokens
    assert vectors.shape[0] == 4 and np.isfinite(vectors).all()
    write_export(TopicMap(cache=False).fit(docs, embeddings=vectors).to_frame(), tmp_path / "long.csv")
    assert pd.read_csv(tmp_path / "long.csv")["text"].str.len().tolist()[0] == 100_000


def test_punctuation_only_lines_are_dropped_and_counted(tmp_path):
    source = tmp_path / "marks.txt"
    source.write_text("First headline\n!!!\n...\n— — —\nSecond headline\n\n🙂🙂\n")
    frame = load_corpus(source)
    assert frame["text"].tolist() == ["First headline", "Second headline"]
    assert frame.attrs["dropped"] == 4  # blank lines are not items; wordless ones are counted


def test_empty_and_missing_cells_are_dropped_and_counted(tmp_path):
    csv = tmp_path / "cells.csv"
    csv.write_text("text,n\nOne story,1\n,2\n   ,3\nNaN,4\nnull,5\nN/A,6\nTwo story,7\n")
    frame = load_corpus(csv)
    assert frame["text"].tolist() == ["One story", "Two story"] and frame.attrs["dropped"] == 5
    assert frame["n"].tolist() == ["1", "7"]  # other columns are kept as written
    jsonl = tmp_path / "cells.jsonl"
    jsonl.write_text('{"text": "One story"}\n{"text": null}\n{"text": NaN}\n{"other": 1}\n{"text": ""}\n')
    frame = load_corpus(jsonl)
    assert frame["text"].tolist() == ["One story"] and frame.attrs["dropped"] == 4
    parquet = tmp_path / "cells.parquet"
    pd.DataFrame({"text": ["One story", None, np.nan, "  ", "Two"]}).to_parquet(parquet)
    frame = load_corpus(parquet)
    assert frame["text"].tolist() == ["One story", "Two"] and frame.attrs["dropped"] == 3


# 6. Unreadable inputs: each a one-line error, exit 2, before any model loads -----------------


@pytest.mark.parametrize(
    "name, content, needles",
    [
        ("nocol.csv", "body,source\nA story,AP\n", ["found: body, source", "--text-col"]),
        ("broken.jsonl", '{"text": "ok"}\n{"text": "also ok"}\n{broken\n', ["broken.jsonl:3", "not valid JSON"]),
        ("notes.docx", "hello", ["unsupported extension", ".txt", ".csv", ".parquet"]),
        ("fake.parquet", "this is not parquet", ["not a readable Parquet file"]),
        ("quote.csv", 'text,source\n"unclosed quote,AP\nNext,BBC\n', ["is not valid CSV", "EOF inside string"]),
        ("ragged.csv", "text,source\nA story,AP,extra,fields\n", ["is not valid CSV", "more fields than the header"]),
        ("binary.txt", "\x00\x01\x02 headline", ["not a text file"]),
        ("missing.txt", None, ["does not exist"]),
        ("folder", "dir", ["has no corpus files", "put files ending in"]),
    ],
)
def test_unreadable_inputs_are_one_line_exit_2(tmp_path, name, content, needles):
    source = tmp_path / name
    if content == "dir":
        source.mkdir()
        (source / "readme.docx").write_text("x")
    elif content is not None:
        source.write_text(content)
    out = tmp_path / "out"
    out.mkdir()
    result = cli("report", str(source), "-o", str(out / "x.html"), "--export", str(out / "x.csv"))
    assert_one_line_error(result, 2, *needles)
    assert list(out.iterdir()) == []


# 7. Output: refused paths, a killed run, a full disk ----------------------------------------


def test_output_that_is_the_input_is_refused_and_the_input_untouched(tmp_path):
    source = tmp_path / "news.csv"
    source.write_text("text\n" + "\n".join(HEADLINES) + "\n")
    before = digest(source)
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    for export in (source, link):
        result = cli("report", str(source), "-o", str(tmp_path / "r.html"), "--export", str(export))
        assert_one_line_error(result, 2, "is the input file", "choose another output path")
    assert digest(source) == before and not (tmp_path / "r.html").exists()


def _unwritable_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        return folder
    (folder / "probe").unlink()  # root ignores modes: use a folder the kernel refuses instead
    for candidate in (Path("/sys"), Path("/proc/self")):
        try:
            (candidate / "topicmap-probe.html").touch()
        except OSError:
            return candidate
    pytest.skip("no unwritable folder on this machine")


def test_an_unwritable_folder_is_refused_before_any_work(tmp_path):
    folder = _unwritable_folder(tmp_path)
    try:
        result = cli("report", str(SEED), "-o", str(folder / "out.html"))
        assert_one_line_error(result, 2, f"cannot write in folder {folder}", "choose another folder")
        assert not (folder / "out.html").exists()
    finally:
        if folder.is_relative_to(tmp_path):
            folder.chmod(0o755)


@pytest.mark.parametrize(
    "stage, sig",
    [("embed", signal.SIGTERM), ("embed", signal.SIGKILL), ("write", signal.SIGTERM), ("write", signal.SIGKILL)],
)
def test_a_run_killed_midway_leaves_no_partial_output_and_the_input_untouched(tmp_path, stage, sig):
    source = tmp_path / "news.txt"
    source.write_text("\n".join(HEADLINES) + "\n")
    before = digest(source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "kept.csv").write_text("an earlier export\n")  # an existing output survives whole
    marker = tmp_path / "marker"
    # stderr to a file, not a pipe: a helper process the run started may hold a pipe open
    # after the run itself has ended, and this test is about the run
    with open(tmp_path / "stderr.txt", "w") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                FAKE_CLI,
                "report",
                str(source),
                "-o",
                str(out / "r.html"),
                "--export",
                str(out / "kept.csv"),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            text=True,
            env={**os.environ, "FAKE_PAUSE_IN": stage, "FAKE_MARKER": str(marker)},
        )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert process.poll() is None, (tmp_path / "stderr.txt").read_text()
            assert time.monotonic() < deadline, "the run never reached the stage"
            time.sleep(0.05)
        process.send_signal(sig)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = (tmp_path / "stderr.txt").read_text()
    assert process.returncode != 0
    assert digest(source) == before
    assert (out / "kept.csv").read_text() == "an earlier export\n"
    left = sorted(p.name for p in out.iterdir())
    if sig == signal.SIGTERM:  # caught: one line, exit 1, temporary files removed
        assert stderr.strip().splitlines() == ["error: interrupted before the run finished; no partial file left"]
        assert process.returncode == 1 and left == ["kept.csv"]
    else:  # SIGKILL runs no cleanup: only the hidden temporary file may remain, never r.html
        assert process.returncode == -signal.SIGKILL
        assert [n for n in left if not (n.startswith(".r.html.") and n.endswith(".part"))] == ["kept.csv"]


def test_a_full_disk_is_one_line_and_leaves_no_partial_file(tmp_path):
    """The write fails for real: the process may write no file larger than 64 kB (the report
    inlines plotly.js, megabytes), which is how a full disk looks to it (EFBIG like ENOSPC)."""
    source = tmp_path / "news.txt"
    source.write_text("\n".join(HEADLINES) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.html").write_text("the previous report")

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))

    result = fake_topicmap(
        "report", str(source), "-o", str(out / "r.html"), "--export", str(out / "r.csv"), preexec_fn=small_files
    )
    assert_one_line_error(result, 1, "cannot read or write", "File too large", "check free space")
    assert sorted(p.name for p in out.iterdir()) == ["r.html"]
    assert (out / "r.html").read_text() == "the previous report"


def test_an_internal_failure_is_one_line_exit_1_and_debug_shows_the_traceback(tmp_path):
    source = tmp_path / "news.txt"
    source.write_text("\n".join(HEADLINES) + "\n")
    args = ("report", str(source), "-o", str(tmp_path / "r.html"))
    result = fake_topicmap(*args, env={"FAKE_EMBED_FAIL": "1"})
    assert_one_line_error(result, 1, "internal error: RuntimeError: simulated failure", "--debug")
    debug = fake_topicmap(*args, "--debug", env={"FAKE_EMBED_FAIL": "1"})
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    assert not (tmp_path / "r.html").exists()


# 8. A missing or broken --model -------------------------------------------------------------


def test_a_missing_model_folder_fails_at_once_naming_it_and_the_default(tmp_path):
    source = tmp_path / "news.txt"
    source.write_text("\n".join(HEADLINES) + "\n")
    result = topicmap(
        "report", str(source), "-o", str(tmp_path / "r.html"), "--no-cache", "--model", str(tmp_path / "no-such-model")
    )
    assert_one_line_error(
        result, 2, f"cannot load model '{tmp_path / 'no-such-model'}'", "no such folder", "packaged all-MiniLM-L6-v2"
    )
    assert not (tmp_path / "r.html").exists()


def test_a_model_name_not_on_this_machine_fails_without_a_hanging_download(tmp_path):
    source = tmp_path / "news.txt"
    source.write_text("\n".join(HEADLINES) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "topicmap"),
            "report",
            str(source),
            "-o",
            str(tmp_path / "r.html"),
            "--no-cache",
            "--model",
            "no-such-org/no-such-model",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert_one_line_error(
        result, 2, "cannot load model 'no-such-org/no-such-model'", "downloads are off", "packaged all-MiniLM-L6-v2"
    )


@pytest.mark.parametrize(
    "files", [{}, {"config.json": "{broken", "modules.json": '{"a": 1}'}, {"modules.json": "[]", "config.json": "{}"}]
)
def test_a_broken_model_folder_is_one_input_error_naming_it(tmp_path, files):
    from analysis.embed import load_model

    folder = tmp_path / "model"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    with pytest.raises(InputError) as caught:
        load_model(str(folder))
    message = str(caught.value)
    assert message.startswith(f"cannot load model '{folder}'") and "packaged all-MiniLM-L6-v2" in message
    assert "\n" not in message


# 9. A corrupt cache entry or saved map ------------------------------------------------------


def test_a_corrupt_cache_shard_is_rebuilt_with_a_warning(tmp_path, monkeypatch):
    from analysis import embed

    texts = HEADLINES
    calls = []

    def encode(todo, model, batch_size, on_progress):
        calls.append(list(todo))
        return fake_vectors(todo)

    monkeypatch.setattr(embed, "_encode", encode)
    monkeypatch.setattr(embed, "model_dimension", lambda model, root=None: 32)  # the fake's width
    first = embed.embed_texts(texts, cache_dir=tmp_path)
    [shard] = list(tmp_path.rglob("*.npz"))
    shard.write_bytes(shard.read_bytes()[:40])  # truncated, as by a crash or a full disk
    with pytest.warns(UserWarning, match="corrupt .* will embed again"):
        again = embed.embed_texts(texts, cache_dir=tmp_path)
    assert np.array_equal(first, again) and [sorted(c) for c in calls] == [sorted(texts)] * 2
    [rebuilt] = list(tmp_path.rglob("*.npz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(embed.embed_texts(texts, cache_dir=tmp_path), first)
    assert len(calls) == 2 and rebuilt.exists()


def _damage(folder: Path, how: str) -> None:
    manifest = folder / "topicmap.json"
    if how == "no manifest":
        manifest.unlink()
    elif how == "manifest not JSON":
        manifest.write_text("{ not json")
    elif how == "manifest a list":
        manifest.write_text("[1, 2]")
    elif how == "other version":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format_version": 99}))
    elif how == "unknown params":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "params": {"bogus": 1}}))
    elif how == "no ids":
        data = json.loads(manifest.read_text())
        del data["next_topic_id_"]
        manifest.write_text(json.dumps(data))
    elif how == "truncated array":
        (folder / "labels.npy").write_bytes((folder / "labels.npy").read_bytes()[:20])
    elif how == "short array":
        np.save(folder / "coords.npy", np.zeros((1, 2), np.float32))
    elif how == "pickled array":
        np.save(folder / "labels.npy", np.array([object()] * 5, dtype=object), allow_pickle=True)
    elif how == "missing table":
        (folder / "topics.parquet").unlink()
    elif how == "garbage table":
        (folder / "documents.parquet").write_text("garbage")
    elif how == "table without columns":
        pd.DataFrame({"x": [1]}).to_parquet(folder / "stories.parquet")
    elif how in MANIFEST_VALUES:  # a value of the right type but out of range
        key, value = MANIFEST_VALUES[how]
        data = json.loads(manifest.read_text())
        if key.startswith("params."):
            data["params"][key[7:]] = value
        else:
            data[key] = value
        manifest.write_text(json.dumps(data))
    elif how == "manifest nested deep":
        manifest.write_text("[" * 100_000 + "]" * 100_000)
    elif how == "embeddings as strings":
        n = len(np.load(folder / "labels.npy"))
        np.save(folder / "embeddings.npy", np.array([["0.1"] * 32] * n))
    elif how == "NaN coords":
        coords = np.load(folder / "coords.npy")
        coords[0, 0] = np.nan
        np.save(folder / "coords.npy", coords)
    elif how == "labels beyond the ids":
        labels = np.load(folder / "labels.npy")
        labels[0] = 10**6
        np.save(folder / "labels.npy", labels)
    elif how == "keywords null":
        topics = pd.read_parquet(folder / "topics.parquet")
        topics["keywords"] = None
        topics.to_parquet(folder / "topics.parquet")
    elif how == "embeddings past float32":
        np.save(folder / "embeddings.npy", np.load(folder / "embeddings.npy").astype(np.float64) * 1e300)
    elif how == "text not text":
        documents = pd.read_parquet(folder / "documents.parquet")
        documents["text"] = range(len(documents))
        documents.to_parquet(folder / "documents.parquet")
    elif how == "array replaced by a folder":
        (folder / "added.npy").unlink()
        (folder / "added.npy").mkdir()


MANIFEST_VALUES = {
    "negative next id": ("next_topic_id_", -5),
    "huge next id": ("next_topic_id_", 10**30),
    "negative seed": ("params.random_state", -1),
    "negative topics": ("params.n_topics", -3),
    "unknown level param": ("params.level", "zzz"),
    "unknown fitted level": ("level_", "zzz"),
}


DAMAGES = [
    "no manifest",
    "manifest not JSON",
    "manifest a list",
    "other version",
    "unknown params",
    "no ids",
    "truncated array",
    "short array",
    "pickled array",
    "missing table",
    "garbage table",
    "table without columns",
    *MANIFEST_VALUES,
    "manifest nested deep",
    "embeddings as strings",
    "NaN coords",
    "labels beyond the ids",
    "array replaced by a folder",
    "keywords null",
    "embeddings past float32",
    "text not text",
]


@pytest.fixture(scope="module")
def saved_map(tmp_path_factory):
    from analysis.pipeline import TopicMap

    texts = HEADLINES + ["Fed Raises Rates Again", "Storm Hits the Gulf Coast"]
    folder = tmp_path_factory.mktemp("maps") / "map"
    TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts)).save(folder)
    return folder


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_saved_map_is_a_clear_input_error(tmp_path, saved_map, how):
    import shutil

    from analysis.pipeline import TopicMap

    folder = tmp_path / "map"
    shutil.copytree(saved_map, folder)
    _damage(folder, how)
    with pytest.raises(InputError, match=r"saved map|save the map again|--save-map") as caught:
        TopicMap.load(folder)
    assert "\n" not in str(caught.value)


def test_update_with_a_damaged_saved_map_is_one_line_exit_2(tmp_path, saved_map):
    import shutil

    folder = tmp_path / "map"
    shutil.copytree(saved_map, folder)
    _damage(folder, "unknown params")
    source = tmp_path / "new.txt"
    source.write_text("Another headline about the storm\n")
    result = cli("update", str(folder), str(source), "-o", str(tmp_path / "u.html"))
    assert_one_line_error(result, 2, "damaged saved map", "save the map again")
    assert not (tmp_path / "u.html").exists()


# Untrusted columns: named like an output column, or unlike anything Parquet holds ------------


def test_input_columns_clashing_or_mixed_still_export_in_every_format(tmp_path):
    from analysis.export import write_export
    from analysis.pipeline import TopicMap

    rows = [
        {"text": "Fed raises rates", "topic": "econ", "input_topic": "old", "new": True, "score": 1, "meta": {}},
        {"text": "Storm hits coast", "topic": "weather", "score": "n/a", "meta": {}, "big": 2**70},
        {"text": "Final goes to penalties", "tags": [1, "a"], "when": None},
    ]
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    docs = load_corpus(source)
    assert docs.columns.is_unique
    frame = TopicMap(cache=False).fit(docs, embeddings=fake_vectors(docs["text"])).to_frame()
    assert frame.columns.is_unique and {"input_input_topic", "input_topic", "input_new"} <= set(frame.columns)
    for suffix in ("csv", "jsonl", "parquet"):
        write_export(frame, tmp_path / f"mixed.{suffix}")
    back = pd.read_parquet(tmp_path / "mixed.parquet")
    assert back["text"].tolist() == [r["text"] for r in rows]
    assert back["score"].tolist()[:2] == ["1", "n/a"] and back["meta"].tolist()[:2] == ["{}", "{}"]
    assert back["input_topic"].tolist()[0] == "old" and back["input_input_topic"].tolist()[:2] == ["econ", "weather"]
    assert back[["score", "input_topic"]].iloc[2].isna().all() and back["big"].tolist()[1] == str(2**70)


def test_update_with_vectors_of_another_width_than_the_map_is_refused(tmp_path, saved_map):
    """A saved map whose vectors are 32 wide, updated with the packaged 384-wide model (as when
    the manifest names another model than the one that made the vectors): exit 2, one line."""
    import shutil

    folder = tmp_path / "map"
    shutil.copytree(saved_map, folder)
    source = tmp_path / "new.txt"
    source.write_text("Another headline about the storm\n")
    result = topicmap("update", str(folder), str(source), "-o", str(tmp_path / "u.html"))
    assert_one_line_error(result, 2, "dimensions", "the model the map was made with")
    assert not (tmp_path / "u.html").exists()


def test_a_ctrl_c_a_library_swallowed_stops_the_run_at_its_next_progress_report(capsys):
    # Dask runs code in garbage-collector callbacks, where a KeyboardInterrupt is printed and dropped
    import typer

    from analysis import runs

    reached = []

    def work():
        progress = runs.Progress(False)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            pass  # swallowed, as in a gc callback
        progress("embed", 1, 2)
        reached.append("past the report")

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(typer.Exit) as stopped:
            runs.guarded(False, work)
    finally:
        signal.signal(signal.SIGINT, before)
    assert stopped.value.exit_code == 1 and reached == []
    assert capsys.readouterr().err == "error: interrupted before the run finished; no partial file left\n"


def test_the_cli_counts_one_of_a_thing_in_the_singular(tmp_path):
    source = tmp_path / "day.txt"
    source.write_text("\n".join([*HEADLINES, "!!!", HEADLINES[0]]) + "\n")
    result = fake_topicmap("report", str(source), "-o", str(tmp_path / "out.html"), "--keep-duplicates")
    assert result.returncode == 0 and "note: dropped 1 item with no words" in result.stderr, result.stderr
    merged = fake_topicmap("report", str(source), "-o", str(tmp_path / "out.html"))
    assert "note: merged 1 copy of repeated items" in merged.stderr, merged.stderr


def test_a_day_without_news_is_tables_and_feeds_without_items_not_files_without_words(tmp_path):
    # `topicmap update` reads with empty_ok: a quiet day is no error, but a broken input still is
    from analysis.load import load_corpus

    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / "a.csv").write_text("text,date\n")
    (quiet / "b.jsonl").write_text("")
    (quiet / "c.xml").write_text("<rss><channel><title>Wire</title></channel></rss>")
    for path in (quiet, quiet / "a.csv", quiet / "b.jsonl", quiet / "c.xml"):
        assert load_corpus(path, empty_ok=True).empty
        with pytest.raises(InputError):
            load_corpus(path)  # `report` has nothing to map
    broken = {"words.txt": "!!!\n---\n", "empty.md": "", "notext.csv": "a,b\n"}
    for name, content in broken.items():
        (tmp_path / name).write_text(content)
        with pytest.raises(InputError, match="no items with words|no text, title or headline column"):
            load_corpus(tmp_path / name, empty_ok=True)
    with pytest.raises(InputError, match="has no column 'nope'"):
        load_corpus(quiet / "a.csv", "nope", empty_ok=True)


def test_an_output_under_a_file_or_with_too_long_a_name_is_one_line_before_any_work(tmp_path):
    # a 300-character name failed with exit 1 once the map was made; a path under a file was
    # said to be a missing folder
    source = tmp_path / "in.txt"
    source.write_text("Iran talks resume\nTariffs rise again\n")
    (tmp_path / "file").write_text("not a folder")
    long_name = str(tmp_path / ("a" * 300 + ".html"))
    for args, needle in (
        (["-o", long_name], "the file name is 305 bytes long, more than the 255 allowed"),
        (["-o", str(tmp_path / "file" / "x.html")], "file is a file, not a folder"),
        (["-o", str(tmp_path / "ok.html"), "--export", str(tmp_path / "file" / "x.csv")], "is a file, not a folder"),
    ):
        assert_one_line_error(cli("report", str(source), *args), 2, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "in.txt"]
    from analysis.pipeline import TopicMap

    texts = ["Iran talks resume", "Tariffs rise again", "Storm hits the coast"]
    with pytest.raises(InputError, match="the file name is 305 bytes long"):
        TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts)).report(long_name)
