"""The `topicmap` command: a thin layer over analysis.pipeline.TopicMap.

Heavy modules (torch, UMAP) are imported inside the commands, so `--help` and bad input
answer at once.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from analysis.errors import InputError
from analysis.outputs import check_output, check_outputs, check_outside_maps
from analysis.params import BACKENDS, BY_NAME, DEFAULTS, ENGINES, LEVELS
from analysis.runs import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    Progress,
    guarded,
    say,
    wrote,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Turn news headlines and articles into an interactive map of their themes.",
    epilog="Example: topicmap report data/seed.txt -o reports/seed.html --export reports/seed.csv",
)

# Choices and TopicMap options come from the one table of parameters (analysis.params).
Level = Enum("Level", {level: level for level in LEVELS}, type=str)  # type: ignore[misc]
Engine = Enum("Engine", {engine: engine for engine in ENGINES}, type=str)  # type: ignore[misc]
Backend = Enum("Backend", {backend: backend for backend in BACKENDS}, type=str)  # type: ignore[misc]


def _option(name: str, *extra: str):
    """The typer option of a TopicMap parameter: its flag and help from analysis.params."""
    param = BY_NAME[name]
    assert param.flag is not None
    return typer.Option(param.flag, *extra, help=param.help.replace("[", "\\["))  # not rich markup


class PlotlyJS(str, Enum):
    inline = "inline"
    cdn = "cdn"


class Unit(str, Enum):
    headline = "headline"
    article = "article"
    paragraph = "paragraph"


# Options shared by several commands, declared once.
Output = Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")]
Export = Annotated[
    Path | None, typer.Option("--export", help="Also write one row per item (.csv, .jsonl or .parquet).")
]
Model = Annotated[str | None, _option("model")]
BackendOption = Annotated[Backend, _option("backend")]
TextCol = Annotated[
    str | None, typer.Option("--text-col", help="Text column of a table \\[default: text, else title or headline].")
]
UnitOption = Annotated[
    Unit | None,
    typer.Option(
        "--unit", help="One item in feeds and article files \\[default: headline for feeds, article for article files]."
    ),
]
KeepDuplicates = Annotated[
    bool,
    typer.Option(
        "--keep-duplicates",
        help="Keep copies of one headline (syndicated stories) as separate items instead of one item with a count.",
    ),
]
LevelOption = Annotated[Level, _option("level")]
Topics = Annotated[int | None, _option("n_topics")]
MinStorySize = Annotated[int | None, _option("min_story_size")]
AssignNoise = Annotated[bool, _option("assign_noise")]
Seed = Annotated[int, _option("random_state")]
PlotlyOption = Annotated[
    PlotlyJS, typer.Option("--plotlyjs", help="inline (offline, self-contained) or cdn (small file, needs network).")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary output.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="At the end, each stage's seconds and share of the run's time.")
]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]


@app.command(epilog="Example: topicmap report data/seed.txt -o reports/seed.html --export reports/seed.csv")
def report(
    input: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="Corpus: a file (.txt one item a line, .md article, .xml/.rss/.atom feed, .csv, .tsv, .jsonl, "
            ".parquet), a folder of them, or a quoted glob such as 'news/2026-11-*.csv'.",
        ),
    ],
    output: Output,
    export: Export = None,
    model: Model = None,
    backend: BackendOption = DEFAULTS["backend"],  # type: ignore[assignment]
    text_col: TextCol = None,
    unit: UnitOption = None,
    keep_duplicates: KeepDuplicates = False,
    level: LevelOption = DEFAULTS["level"],  # type: ignore[assignment]
    topics: Topics = DEFAULTS["n_topics"],  # type: ignore[assignment]
    min_story_size: MinStorySize = DEFAULTS["min_story_size"],  # type: ignore[assignment]
    assign_noise: AssignNoise = DEFAULTS["assign_noise"],  # type: ignore[assignment]
    seed: Seed = DEFAULTS["random_state"],  # type: ignore[assignment]
    plotlyjs: PlotlyOption = PlotlyJS.inline,
    save_map: Annotated[
        Path | None,
        typer.Option(
            "--save-map",
            help="Also save the fitted map to this folder (missing, empty, or a saved map), for `topicmap update`.",
        ),
    ] = None,
    cache: Annotated[Path | None, _option("cache")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the embedding cache.")] = False,
    engine: Annotated[Engine, _option("engine")] = DEFAULTS["engine"],  # type: ignore[assignment]
    scheduler: Annotated[str | None, _option("scheduler")] = DEFAULTS["scheduler"],  # type: ignore[assignment]
    sample_size: Annotated[int, _option("sample_size")] = DEFAULTS["sample_size"],  # type: ignore[assignment]
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Write an interactive HTML topic map of INPUT."""

    def work() -> None:
        from analysis.pipeline import TopicMap
        from analysis.state import PLURALS

        topic_map = TopicMap(
            model=model,
            backend=Backend(backend).value,
            level=Level(level).value,
            n_topics=topics,
            min_story_size=min_story_size,
            assign_noise=assign_noise,
            cache=_cache_option(cache, no_cache),
            random_state=seed,
            engine=Engine(engine).value,
            scheduler=scheduler,
            sample_size=sample_size,
        )
        topic_map.check_params(as_flags=True)
        sources = check_outputs(input, output, export, parts=engine == "dask")
        if save_map is not None:
            from analysis.persist import check_target

            check_target(save_map, [*sources, output, *([export] if export else [])])
        progress = Progress(not quiet and sys.stderr.isatty())
        progress("read", 0, 1)
        documents = None
        if engine == "dask":
            from analysis.distributed import is_dask_input, read_corpus

            if is_dask_input(input):  # partitioned Parquet / CSV, read by the workers
                documents = read_corpus(input, text_col, merge_copies=not keep_duplicates)
        if documents is None:
            documents = _read_input(input, text_col, unit, keep_duplicates, quiet)

        from analysis.export import write_export

        with progress:
            topic_map.fit(documents, progress=progress)
            progress("report", 0, 1)
            topic_map.report(
                output, input_name=_shown_name(Path(input).resolve().name or input), plotlyjs=plotlyjs.value
            )
            wrote(output)
            if export is not None:
                progress("export", 0, 1)
            if export is not None and engine == "dask" and export.suffix.lower() == ".parquet":
                from analysis.distributed import write_parquet_parts

                write_parquet_parts(topic_map.to_frame(), export)  # a folder of part.N.parquet
                wrote(export)
            elif export is not None:
                write_export(topic_map.to_frame(), export)
                wrote(export)
            if save_map is not None:
                from analysis.files import locked

                progress("save", 0, 1)
                waiting = f"note: another run is saving {save_map}; waiting for it"
                with locked(save_map, on_wait=lambda: say(quiet, waiting)):  # an existing map: one save at a time
                    topic_map.save(save_map, unit=unit.value if unit else None)
                wrote(f"the map in {save_map}")
            progress("done", 1, 1)
        unclustered = int((topic_map.labels_ < 0).sum())
        say(
            quiet,
            f"{_counted(len(topic_map.labels_), 'item')}, "
            f"{_counted(len(topic_map.topics_), topic_map.level_, PLURALS[topic_map.level_])} "
            f"({topic_map.level_} level), "
            f"{unclustered} unclustered -> {output}" + (f", {export}" if export else ""),
        )
        if verbose:
            say(quiet, progress.breakdown())

    guarded(debug, work, quiet)


@app.command(epilog="Example: topicmap update maps/seed data/tomorrow.txt -o reports/tomorrow.html --save")
def update(
    map_dir: Annotated[Path, typer.Argument(metavar="MAP_DIR", help="A map saved with `topicmap report --save-map`.")],
    input: Annotated[str, typer.Argument(metavar="INPUT", help="New items: any input `topicmap report` reads.")],
    output: Output,
    save: Annotated[bool, typer.Option("--save", help="Write the grown map back to MAP_DIR.")] = False,
    export: Export = None,
    text_col: TextCol = None,
    unit: UnitOption = None,
    keep_duplicates: KeepDuplicates = False,
    plotlyjs: PlotlyOption = PlotlyJS.inline,
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Add a new day's items to a saved map, keeping its ids, names and 2D space."""

    def work() -> None:
        from analysis.export import write_export
        from analysis.persist import check_target

        sources = check_outputs(input, output, export)
        if any(map_dir.resolve() in (source.resolve(), *source.resolve().parents) for source in sources):
            raise InputError(
                f"INPUT {input} is the saved map {map_dir} (or in it): give the file or folder of the new items"
            )
        if save:  # the map is written back: the same rule as --save-map
            check_target(map_dir, [*sources, output, *([export] if export else [])], flag="MAP_DIR")
        from contextlib import nullcontext

        from analysis.files import locked
        from analysis.persist import saved_unit
        from analysis.pipeline import TopicMap

        # --save: the map is locked from before it is read until it is saved, so a second run
        # waits and then grows the map the first one saved (nothing of either run is lost).
        waiting = f"note: another run is saving {map_dir}; waiting for it"
        progress = Progress(not quiet and sys.stderr.isatty())
        with locked(map_dir, on_wait=lambda: say(quiet, waiting)) if save else nullcontext():
            progress("read", 0, 1)
            topic_map = TopicMap.load(map_dir)
            # new feeds and articles are read at the unit the map's items were, unless told
            read_at = unit.value if unit else saved_unit(map_dir)
            documents = _read_input(  # a day without news (a header alone, a feed without entries) is no error
                input,
                text_col,
                Unit(read_at) if read_at else None,
                keep_duplicates,
                quiet,
                unit_given=unit is not None,
                empty_ok=True,
            )
            before = {level: set(table["id"]) for level, table in _level_tables(topic_map).items()}
            with progress:
                with warnings.catch_warnings():  # a day without news is said below, in the CLI's words
                    warnings.filterwarnings("ignore", message="no new items")
                    topic_map.update(documents, progress=progress)
                progress("report", 0, 1)
                topic_map.report(
                    output, input_name=_shown_name(f"{map_dir.name} + {Path(input).name}"), plotlyjs=plotlyjs.value
                )
                wrote(output)
                if export is not None:
                    progress("export", 0, 1)
                    write_export(topic_map.to_frame(), export)
                    wrote(export)
                if save and not documents.empty:
                    progress("save", 0, 1)
                    topic_map.save(map_dir, unit=read_at)
                    wrote(f"the map in {map_dir}")
                progress("done", 1, 1)
        if documents.empty:
            say(quiet, f"no new items in {input}: the map is unchanged -> {output}" + (f", {export}" if export else ""))
        else:
            _say_update(topic_map, documents, before, output, export, quiet)
        if verbose:
            say(quiet, progress.breakdown())

    guarded(debug, work, quiet)


def _level_tables(topic_map) -> dict:
    """Each level's table of a fitted map."""
    return {"theme": topic_map.theme_table_, "topic": topic_map.topic_table_, "story": topic_map.stories_}


def _say_update(topic_map, documents, before: dict[str, set], output: Path, export: Path | None, quiet: bool) -> None:
    """The summary of an update: new items, where they went, what opened at each level shown."""
    from analysis.state import LEVEL_ORDER, PLURALS

    tables = _level_tables(topic_map)
    new = topic_map.labels_[topic_map.added_]
    known = len(documents) - len(new)  # items the map held already: their `count` went up
    shown = LEVEL_ORDER[LEVEL_ORDER.index(topic_map.level_) :]  # the map's level and those below
    counts = {level: len(set(tables[level]["id"]) - before[level]) for level in shown}
    opened = ", ".join(f"{k} new {level if k == 1 else PLURALS[level]}" for level, k in counts.items())
    say(
        quiet,
        f"{_counted(len(new), 'new item')}: {int((new >= 0).sum())} in {PLURALS[topic_map.level_]}, {opened}"
        + (f"; {_counted(known, 'item')} already on the map, counted" if known else "")
        + f" -> {output}"
        + (f", {export}" if export else ""),
    )


#: The options of `eval` that shape a fit, and so do nothing to an export scored as it is.
EVAL_FIT_PARAMS = ("model", "backend", "n_topics", "min_story_size", "assign_noise", "random_state")


@app.command(
    name="eval",
    epilog="Example: topicmap eval data/bench/uci_news_aggregator_6k.csv --gold-col story --level story",
)
def evaluate(
    input: Annotated[
        str,
        typer.Argument(metavar="INPUT", help="A labelled corpus, or an export written by `topicmap report --export`."),
    ],
    gold_col: Annotated[str, typer.Option("--gold-col", help="The column holding the true grouping.")],
    level: LevelOption = DEFAULTS["level"],  # type: ignore[assignment]
    topics: Topics = DEFAULTS["n_topics"],  # type: ignore[assignment]
    min_story_size: MinStorySize = DEFAULTS["min_story_size"],  # type: ignore[assignment]
    text_col: TextCol = None,
    model: Model = DEFAULTS["model"],  # type: ignore[assignment]
    backend: BackendOption = DEFAULTS["backend"],  # type: ignore[assignment]
    assign_noise: AssignNoise = DEFAULTS["assign_noise"],  # type: ignore[assignment]
    seed: Seed = DEFAULTS["random_state"],  # type: ignore[assignment]
    quiet: Quiet = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Score topics against a gold column: ARI, NMI, topic count and unclustered share.

    Unclustered items count as singletons, so leaving items out earns nothing."""

    def work() -> None:
        from analysis import evaluate
        from analysis.pipeline import TopicMap
        from analysis.state import LEVEL_ORDER, PLURALS

        topic_map = TopicMap(
            model=model,
            backend=Backend(backend).value,
            level=Level(level).value,
            n_topics=topics,
            min_story_size=min_story_size,
            assign_noise=assign_noise,
            random_state=seed,
        )
        topic_map.check_params(as_flags=True)
        documents = _read_input(input, text_col, None, True, quiet)
        own = evaluate.export_columns(documents)
        gold_name = gold_col
        if own is not None and gold_col in own:  # the export wrote the input's own `theme` as input_theme
            gold_name = f"input_{gold_col}"
            if gold_name not in documents.attrs["columns"].values():
                raise InputError(
                    f"--gold-col {gold_col} is {input}'s own {gold_col} column, the map's grouping, not a true one: "
                    "name the column holding the true groups"
                )
        gold = evaluate.read_gold(
            documents[evaluate.gold_column(documents, gold_name, input)], gold_col, input
        )  # checked before the fit
        if own is not None:
            given = topic_map.get_params()
            unused = [str(BY_NAME[n].flag) for n in EVAL_FIT_PARAMS if given[n] != DEFAULTS[n]]
            if unused:
                say(quiet, f"note: {input} is an export, scored as it is: {', '.join(unused)} had no effect")
            levels = LEVEL_ORDER if Level(level).value == "auto" else (Level(level).value,)
            scored = [
                (f"export, {PLURALS[name]}", evaluate.export_labels(documents, own, name, input)) for name in levels
            ]
        else:
            with Progress(not quiet and sys.stderr.isatty()) as progress:
                topic_map.fit(documents, progress=progress)
            scored = [(f"{topic_map.level_} level", topic_map.labels_)]
            if verbose:
                say(quiet, progress.breakdown())
        left_out = int((~gold.labelled).sum())
        if left_out:
            say(quiet, f"note: left out {_counted(left_out, 'item')} with no {gold_col} (blank or missing)")
        if len(set(gold.values[gold.labelled])) == 1:
            say(quiet, f"note: {gold_col} holds one group, so any split of it scores ARI 0")
        for what, labels in scored:
            result = evaluate.score(labels[gold.labelled], gold.values[gold.labelled])
            typer.echo(
                f"{input} ({what}) against {gold_col}: ARI {result['ari']:.3f}  NMI {result['nmi']:.3f}  "
                f"topics {result['topics']} (gold {result['gold_groups']})  "
                f"unclustered {result['unclustered']:.1%} of {result['items']}"
            )

    guarded(debug, work, quiet)


def _read_input(
    input: str,
    text_col: str | None,
    unit: Unit | None,
    keep_duplicates: bool,
    quiet: bool,
    unit_given: bool = True,
    empty_ok: bool = False,
):
    """Load any supported input, telling the user what was dropped, merged or guessed (not
    that a `unit` the user did not give, a saved map's, has no effect on a table); with
    `empty_ok`, a day without news is an empty frame (see `load_corpus`)."""
    from analysis.load import load_corpus

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        documents = load_corpus(
            input, text_col, unit=unit.value if unit else None, keep_duplicates=keep_duplicates, empty_ok=empty_ok
        )
    for warning in caught:
        if unit_given or not str(warning.message).startswith("--unit "):
            say(quiet, f"warning: {warning.message}")
    if documents.attrs.get("dropped"):
        say(
            quiet,
            f"note: dropped {_counted(documents.attrs['dropped'], 'item')} with no words (empty, missing or punctuation only)",
        )
    if documents.attrs.get("merged"):
        say(
            quiet,
            f"note: merged {_counted(documents.attrs['merged'], 'copy', 'copies')} of repeated items (--keep-duplicates keeps them)",
        )
    return documents


def _counted(n: int, one: str, many: str | None = None) -> str:
    """ "1 item", "2 items" ("1 story", "3 stories" with `many`)."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _shown_name(name: str) -> str:
    """A file name as the report shows it: bytes that are not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _cache_option(cache: Path | None, no_cache: bool):
    """The `cache` parameter: off, the default folder, or the folder named (made absolute,
    so a map saved with it finds it from any working directory)."""
    if no_cache:
        return False
    return str(cache.absolute()) if cache is not None and str(cache).strip() else True if cache is None else str(cache)


@app.callback()
def _root() -> None:
    """Turn news headlines and articles into an interactive map of their themes."""


def main() -> None:
    """Run the CLI; a bad flag or value is one line on stderr and exit 2, not a usage box."""
    if len(sys.argv) <= 1:  # no command: the help, as `topicmap --help` gives it
        sys.argv.append("--help")
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # a usage error: unknown flag, bad value, missing argument
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "topicmap"
        message = " ".join(exc.format_message().split()).rstrip(".")
        typer.echo(f"error: {message}; see `{command} --help`", err=True)
        code = EXIT_BAD_INPUT
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        code = EXIT_INTERNAL
    # The run has ended and said so: a Ctrl-C now would only kill the interpreter's teardown,
    # leaving the exit status of a run cut short.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code or 0)


class EditLevel(str, Enum):
    theme = "theme"
    topic = "topic"
    story = "story"


#: A topic id as typed: ASCII digits, an optional minus (int() would take "²" or "٣" too).
_ID = re.compile(r"-?[0-9]+", re.ASCII)


def _edit_renames(values: list[str]) -> dict[int, str]:
    """--rename ID=NAME values as {id: name}; InputError naming the bad value."""
    from analysis.edit import clean_name

    names: dict[int, str] = {}
    for value in values:
        key, sep, name = value.partition("=")
        if not sep or not _ID.fullmatch(key.strip()):
            raise InputError(f"--rename {value!r}: give ID=NAME, e.g. --rename '3=Election night'")
        topic = int(key.strip())
        if topic in names:
            raise InputError(f"--rename names {topic} twice: give each id one name")
        names[topic] = clean_name(topic, name)
    return names


def _edit_merges(values: list[str]) -> list[list[int]]:
    """--merge ID,ID[,ID] values as lists of ids; InputError naming the bad value."""
    merges = []
    for value in values:
        parts = [p.strip() for p in value.split(",")]
        if not all(_ID.fullmatch(p) for p in parts):
            raise InputError(f"--merge {value!r}: give ids separated by commas, e.g. --merge 3,7")
        ids = list(dict.fromkeys(int(p) for p in parts))
        if len(ids) < 2:
            raise InputError(f"--merge {value!r}: merging needs at least two different ids, e.g. --merge 3,7")
        merges.append(ids)
    return merges


@app.command(
    epilog="Example: topicmap edit maps/seed --rename '3=Election night' --merge 4,7 -o reports/seed.html "
    "--export reports/seed.csv"
)
def edit(
    map_dir: Annotated[Path, typer.Argument(metavar="MAP_DIR", help="A map saved with `topicmap report --save-map`.")],
    rename: Annotated[
        list[str] | None,
        typer.Option("--rename", help="ID=NAME: give topic ID the name NAME (repeatable)."),
    ] = None,
    merge: Annotated[
        list[str] | None,
        typer.Option("--merge", help="ID,ID[,ID]: make these topics one, under the first id (repeatable)."),
    ] = None,
    level: Annotated[
        EditLevel | None,
        typer.Option("--level", help="Edit the map's level or its stories \\[default: the map's level]."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the edited map's report.")] = None,
    export: Export = None,
    plotlyjs: PlotlyOption = PlotlyJS.inline,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Rename and merge a saved map's topics; the map is saved back to MAP_DIR (merges first)."""

    def work() -> None:
        from analysis.edit import resolve_level
        from analysis.persist import MANIFEST, check_target
        from analysis.state import PLURALS

        names = _edit_renames(rename or [])
        merges = _edit_merges(merge or [])
        if not names and not merges:
            raise InputError("nothing to edit: give --rename ID=NAME or --merge ID,ID")
        if not (map_dir / MANIFEST).is_file():
            raise InputError(f"MAP_DIR {map_dir} is not a saved map: give a folder written by --save-map")
        if output is not None:
            if output.suffix.lower() not in (".html", ".htm"):
                raise InputError(f"-o {output}: the report is HTML; give a file name ending in .html")
            check_output(output, [], "-o")
            check_outside_maps(output, "-o")
        if export is not None:
            from analysis.export import check_export_path

            check_export_path(export)
            check_output(export, [output] if output is not None else [], "--export")
            check_outside_maps(export, "--export")
        written = [path for path in (output, export) if path is not None]
        check_target(map_dir, written, flag="MAP_DIR")
        from analysis.files import locked
        from analysis.persist import saved_unit
        from analysis.pipeline import TopicMap

        waiting = f"note: another run is saving {map_dir}; waiting for it"
        with locked(map_dir, on_wait=lambda: say(quiet, waiting)):
            topic_map = TopicMap.load(map_dir)
            what = EditLevel(level).value if level is not None else None
            resolve_level(topic_map._state(), what, flag="--level")  # before any edit: one line
            for ids in merges:
                topic_map.merge_topics(ids, level=what)
            merged_away = {other: ids[0] for ids in merges for other in ids[1:]}
            if gone := next((i for i in names if i in merged_away), None):
                kept = gone
                while kept in merged_away:
                    kept = merged_away[kept]
                raise InputError(f"--rename {gone}: --merge made {gone} part of {kept}; rename {kept} instead")
            if names:
                topic_map.rename_topics(names, level=what)
            topic_map.save(map_dir, unit=saved_unit(map_dir))
        wrote(f"the edited map in {map_dir}")
        if output is not None:
            topic_map.report(output, input_name=_shown_name(map_dir.resolve().name), plotlyjs=plotlyjs.value)
            wrote(output)
        if export is not None:
            from analysis.export import write_export

            write_export(topic_map.to_frame(), export)
            wrote(export)
        edited = (level.value if level is not None else None) or topic_map.level_
        tables = {"story": topic_map.stories_, "topic": topic_map.topic_table_, "theme": topic_map.theme_table_}
        say(
            quiet,
            f"{len(names)} renamed, {len(merges)} merged: {len(tables[edited])} {PLURALS[edited]} -> {map_dir}"
            + "".join(f", {path}" for path in written),
        )

    guarded(debug, work, quiet)


if __name__ == "__main__":
    main()
