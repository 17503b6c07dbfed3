"""Every command's --help, the report command's export contract and its errors."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.load import OUTPUT_COLUMNS
from analysis.phrases import grounded
from conftest import EXPORT_COLUMNS, ROOT, SEED, SEED_THEMES, cli, topicmap


@pytest.mark.parametrize("command", [[], ["report"]])
def test_every_help_answers_with_an_example(command):
    result = topicmap(*command, "--help")  # the installed command in a process of its own; the rest run in this one
    assert result.returncode == 0
    assert "topicmap report" in result.stdout


@pytest.mark.parametrize(
    "command, options",
    [
        ("report", ["--output", "--export", "--model", "--level", "--topics", "--seed", "--save-map", "--plotlyjs"]),
        ("update", ["--output", "--save", "--export", "--plotlyjs"]),
        ("eval", ["--gold-col", "--level", "--topics", "--model", "--seed"]),
    ],
)
def test_every_command_help_lists_its_options_and_an_example(command, options):
    result = cli(command, "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert f"topicmap {command}" in result.stdout and "Example:" in result.stdout
    for option in options:
        assert option in result.stdout


def test_export_contract(seed_run):
    export = seed_run["export"]
    assert list(export.columns[: len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS
    # load.OUTPUT_COLUMNS, the package's one list of them (the loader renames input columns that
    # clash, the page never offers them as facets), holds the export's own columns in its order
    own = [c for c in export.columns if c in OUTPUT_COLUMNS]
    assert own == [c for c in OUTPUT_COLUMNS if c != "new"] and own[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS
    assert pd.api.types.is_integer_dtype(export["topic"])
    assert (export["topic"] >= -1).all()
    clustered = export["topic"] >= 0
    assert (export.loc[~clustered, "topic_label"] == "").all()
    assert (export.loc[clustered, "topic_label"] != "").all()
    # One name and one description per topic; the name is a phrase its items wrote.
    per_topic = export[clustered].groupby("topic")
    assert (per_topic["topic_label"].nunique() == 1).all() and (per_topic["topic_description"].nunique() == 1).all()
    for _, rows in per_topic:
        assert grounded(rows["topic_label"].iloc[0], rows["text"].tolist())
        description = rows["topic_description"].iloc[0].removesuffix(" …")
        assert any(text.startswith(description) for text in rows["text"])  # an item, shortened if long
    assert (export.loc[~clustered, "topic_description"] == "").all()
    assert export["doc_id"].is_unique


def test_piped_run_prints_only_a_summary_and_quiet_nothing(seed_run, tmp_path):
    assert seed_run["result"].stdout == ""
    assert "23 items" in seed_run["result"].stderr
    quiet = cli("report", str(SEED), "-o", str(tmp_path / "q.html"), "--topics", "50", "--quiet")  # no warning
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_verbose_says_where_the_time_went_and_quiet_still_wins(tmp_path):
    import re

    run = cli(
        "report", str(SEED), "-o", str(tmp_path / "v.html"), "--export", str(tmp_path / "v.csv"), "--topics", "50", "-v"
    )
    assert run.returncode == 0 and run.stdout == ""
    warning, summary, breakdown = run.stderr.strip().splitlines()
    assert warning.startswith("warning: n_topics=50 (--topics): only 4 ")
    assert summary.startswith("23 items") and breakdown.startswith("time by stage: ")
    stages = re.findall(r"(\w+) ([\d.]+) s \((\d+)%\)", breakdown)
    names = [name for name, _, _ in stages]
    for stage in ("read", "embed", "neighbours", "stories", "themes", "name", "project", "report", "export"):
        assert stage in names, breakdown
    assert names.index("embed") < names.index("project") < names.index("report")
    total = float(re.search(r"([\d.]+) s in all", breakdown).group(1))
    assert abs(sum(float(s) for _, s, _ in stages) - total) < 0.05 * len(stages)
    assert 90 <= sum(int(p) for _, _, p in stages) <= 110  # shares of the whole, rounded
    quiet = cli("report", str(SEED), "-o", str(tmp_path / "q.html"), "-v", "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_export_formats_round_trip(tmp_path, fmt):
    out = tmp_path / f"seed.{fmt}"
    cli("report", str(SEED), "-o", str(tmp_path / "r.html"), "--export", str(out), "-q", check=True)
    frame = pd.read_json(out, lines=True) if fmt == "jsonl" else pd.read_parquet(out)
    assert len(frame) == 23 and list(frame.columns[:3]) == ["doc_id", "kind", "text"]


def test_csv_input_columns_reach_the_export(tmp_path):
    source = tmp_path / "news.csv"
    rows = pd.read_csv(SEED.parent / "bench" / "uci_news_aggregator_6k.csv").head(40)
    rows[["text", "source", "date"]].to_csv(source, index=False)
    out = tmp_path / "out.csv"
    cli("report", str(source), "-o", str(tmp_path / "r.html"), "--export", str(out), "-q", check=True)
    export = pd.read_csv(out, keep_default_na=False)
    assert list(export.columns[-2:]) == ["source", "date"]
    assert list(export["source"]) == list(rows["source"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["data/nope.txt", "-o", "{tmp}/x.html"], "does not exist"),
        ([str(SEED), "-o", str(SEED)], "the report is HTML"),
        ([str(SEED), "-o", "{tmp}/missing/x.html"], "does not exist; create it first"),
        ([str(SEED), "-o", "{tmp}/x.html", "--export", "{tmp}/x.xlsx"], "unsupported extension"),
        ([str(SEED), "-o", "{tmp}/x.html", "--level", "chapter"], "Invalid value for '--level'"),
        ([str(SEED), "-o", "{tmp}/x.html", "--topics", "0"], "--topics 0 is not allowed"),
        ([str(SEED), "-o", "{tmp}/x.html", "--model", "{tmp}/no-such-model"], "cannot load model"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    result = cli("report", *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback_and_bad_input_still_exits_2(tmp_path):
    result = cli("report", "data/nope.txt", "-o", str(tmp_path / "x.html"), "--debug")
    assert result.returncode == 2 and "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: ")


@pytest.mark.parametrize("command", ["update", "eval"])
def test_other_commands_help(command):
    result = cli(command, "--help")
    assert result.returncode == 0 and f"topicmap {command}" in result.stdout


def test_save_map_then_update_keeps_ids_and_marks_new_items(tmp_path):
    first = cli(
        "report",
        str(SEED),
        "-o",
        str(tmp_path / "a.html"),
        "--export",
        str(tmp_path / "a.csv"),
        "--save-map",
        str(tmp_path / "map"),
        "-q",
    )
    assert first.returncode == 0, first.stderr
    new = tmp_path / "new.txt"
    new.write_text(
        "Iran Rejects New Nuclear Talks Proposal From Washington\n"
        "Epstein Files Release Delayed Again by Justice Department\n"
        "Local Bakery Wins Regional Bread Prize\n"
        "South Korea Assures U.S. on Trade Deal Commitments Amid Tariff Concerns\n"  # on the map already
    )
    second = cli(
        "update",
        str(tmp_path / "map"),
        str(new),
        "-o",
        str(tmp_path / "b.html"),
        "--export",
        str(tmp_path / "b.csv"),
        "--save",
    )
    assert second.returncode == 0, second.stderr
    before = pd.read_csv(tmp_path / "a.csv", keep_default_na=False)
    after = pd.read_csv(tmp_path / "b.csv", keep_default_na=False)
    assert list(after["topic"][:23]) == list(before["topic"])
    added = after[after["new"]]
    assert len(added) == 3
    iran_topic = before.loc[before["text"].str.contains("Oman"), "topic"].iloc[0]
    assert added["topic"].iloc[0] == iran_topic
    assert "3 new items" in second.stderr
    # The summary counts what opened at each level the map shows (a story map: stories).
    new_stories = len(set(after["story"]) - set(before["story"]) - {-1})
    placed = int((added["story"] >= 0).sum())
    opened = f"{new_stories} new {'story' if new_stories == 1 else 'stories'}"
    summary = f"3 new items: {placed} in stories, {opened}; 1 item already on the map, counted -> "
    assert summary + f"{tmp_path / 'b.html'}, {tmp_path / 'b.csv'}" in second.stderr, second.stderr
    # a day without news (a header alone, a feed without entries) is no error: the map as it is
    saved = sorted(p.name for p in (tmp_path / "map").iterdir())
    for name, text in (("none.csv", "text,source\n"),):  # feeds and other tables: test_errors.py
        (tmp_path / name).write_text(text)
        quiet_day = cli(
            "update", str(tmp_path / "map"), str(tmp_path / name), "-o", str(tmp_path / "c.html"),
            "--export", str(tmp_path / "c.csv"), "--save",
        )  # fmt: skip
        assert quiet_day.returncode == 0, quiet_day.stderr
        assert f"no new items in {tmp_path / name}: the map is unchanged -> " in quiet_day.stderr
        quiet = pd.read_csv(tmp_path / "c.csv")
        assert len(quiet) == len(after) and not quiet["new"].any()  # what the last day added is not new today
        assert sorted(p.name for p in (tmp_path / "map").iterdir()) == saved


def test_eval_scores_an_exports_own_groups_at_each_level(seed_run, tmp_path):
    from sklearn.metrics import adjusted_rand_score

    export = pd.read_csv(seed_run["csv"], keep_default_na=False)
    export["gold"] = pd.read_csv(SEED_THEMES)["theme"]
    path = tmp_path / "export.csv"
    export.to_csv(path, index=False)
    every = cli("eval", str(path), "--gold-col", "gold")
    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    assert [line.split(" against")[0] for line in lines] == [
        f"{path} (export, themes)",
        f"{path} (export, topics)",
        f"{path} (export, stories)",
    ]
    singletons = [t if t >= 0 else -1 - i for i, t in enumerate(export["theme"])]  # unclustered earn nothing
    assert f"ARI {adjusted_rand_score(export['gold'], singletons):.3f}" in lines[0]
    stories = cli("eval", str(path), "--gold-col", "gold", "--level", "story", "--topics", "5", "--seed", "3")
    assert stories.stdout.strip() == lines[2]  # an export is scored as it is
    assert f"note: {path} is an export, scored as it is: --topics, --seed had no effect" in stories.stderr
    assert "note:" not in every.stderr
    assert f"topics {export.loc[export['story'] >= 0, 'story'].nunique()} (gold 6)" in lines[2]
    own = cli("eval", str(path), "--gold-col", "topic")
    assert own.returncode == 2 and "the map's grouping, not a true one" in own.stderr
    missing = cli("eval", str(path), "--gold-col", "nope")
    assert missing.returncode == 2 and "found:" in missing.stderr and "gold" in missing.stderr


def test_eval_reads_a_gold_the_export_kept_from_the_input(tmp_path):
    corpus = tmp_path / "seed.csv"
    pd.read_csv(SEED_THEMES).to_csv(corpus, index=False)  # its gold column is called theme
    export = tmp_path / "export.csv"
    cli("report", str(corpus), "-o", str(tmp_path / "seed.html"), "--export", str(export), check=True)
    assert {"theme", "input_theme"} <= set(pd.read_csv(export).columns)
    result = cli("eval", str(export), "--gold-col", "theme", "--level", "theme")
    assert result.returncode == 0, result.stderr
    assert "(export, themes) against theme" in result.stdout and "(gold 6)" in result.stdout


def test_eval_fits_a_corpus_whose_gold_is_called_topic(tmp_path):
    """A corpus with doc_id and topic columns is a corpus: its topic is the gold, not a map's."""
    frame = pd.read_csv(SEED_THEMES).rename(columns={"theme": "topic"})
    frame.insert(0, "doc_id", [f"d{i}" for i in range(len(frame))])
    path = tmp_path / "corpus.csv"
    frame.to_csv(path, index=False)
    result = cli("eval", str(path), "--gold-col", "topic")
    assert result.returncode == 0, result.stderr
    assert " level) against topic" in result.stdout and "ARI 1.000" not in result.stdout


def test_eval_leaves_unlabelled_items_out_and_checks_the_gold_before_fitting(tmp_path):
    frame = pd.read_csv(SEED_THEMES)
    codes = {name: i for i, name in enumerate(sorted(set(frame["theme"])))}
    gold = [None if i % 3 == 0 else codes[t] for i, t in enumerate(frame["theme"])]  # integers and nulls
    path = tmp_path / "corpus.jsonl"
    pd.DataFrame({"text": frame["text"], "gold": pd.array(gold, dtype="Int64")}).to_json(
        path, orient="records", lines=True
    )
    result = cli("eval", str(path), "--gold-col", "gold")
    assert result.returncode == 0, result.stderr
    left_out = sum(g is None for g in gold)
    assert f"note: left out {left_out} items with no gold (blank or missing)" in result.stderr
    assert f"of {len(gold) - left_out}" in result.stdout
    blank = tmp_path / "blank.csv"
    pd.DataFrame({"text": frame["text"], "gold": " "}).to_csv(blank, index=False)
    empty = cli("eval", str(blank), "--gold-col", "gold", "--model", "no/such-model")  # refused before loading it
    assert empty.returncode == 2 and "blank or missing in every row" in empty.stderr, empty.stderr


def test_eval_scores_an_export_written_as_a_folder_of_parts(seed_run, tmp_path):
    """`--engine dask --export x.parquet` writes a folder of part.N.parquet files."""
    export = seed_run["export"].copy()
    export["gold"] = pd.read_csv(SEED_THEMES)["theme"]
    export["source_file"] = "wire.csv"  # an export of a folder has one; reading the parts adds another
    folder = tmp_path / "x.parquet"
    folder.mkdir()
    export.iloc[:10].to_parquet(folder / "part.0.parquet", index=False)
    export.iloc[10:].to_parquet(folder / "part.1.parquet", index=False)
    result = cli("eval", str(folder), "--gold-col", "gold", "--level", "story")
    assert result.returncode == 0, result.stderr
    stories = export.loc[export["story"] >= 0, "story"].nunique()
    assert "(export, stories) against gold" in result.stdout and f"topics {stories} (gold 6)" in result.stdout
