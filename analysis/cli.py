"""The `topicmap` command: a thin layer over analysis.pipeline.TopicMap.

Heavy modules (torch, UMAP) are imported inside the commands, so `--help` and bad input
answer at once.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Optional

import typer

from analysis.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Turn news headlines and articles into an interactive map of their themes.",
    epilog="Example: topicmap report data/seed.txt -o reports/seed.html --export reports/seed.csv",
)

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
STAGE_NAMES = {"embed": "Embedding", "cluster": "Clustering", "name": "Naming topics", "project": "Projecting to 2D"}


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guarded(debug: bool, work) -> None:
    """Run `work`; turn failures into one line and an exit code (a traceback only with --debug)."""
    try:
        work()
    except typer.Exit:
        raise
    except InputError as exc:
        if debug:
            raise
        _fail(str(exc), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        _fail("interrupted; no output written", EXIT_INTERNAL)
    except Exception as exc:
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", EXIT_INTERNAL)


def _check_output(output: Path, inputs: list[Path], what: str) -> None:
    for source in inputs:
        if output.resolve() == source.resolve():
            raise InputError(f"{what} {output} is the input file: choose another output path")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{what} {output}: folder {folder} does not exist; create it first")
    if output.is_dir():
        raise InputError(f"{what} {output} is a directory: give a file name")
    import os

    if not os.access(folder, os.W_OK):
        raise InputError(f"{what} {output}: folder {folder} is not writable; choose another folder")


class _Progress:
    """Rich progress on a terminal; silent when piped or quiet."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False,
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        for name, task in self.tasks.items():
            if name != stage:
                self.bar.update(task, completed=self.bar.tasks[task].total)
        if stage == "done":
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(STAGE_NAMES.get(stage, stage), total=max(total, 1))
        self.bar.update(self.tasks[stage], completed=done, total=max(total, 1))


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        typer.echo(message, err=True)


@app.command(
    epilog="Example: topicmap report data/seed.txt -o reports/seed.html --export reports/seed.csv"
)
def report(
    input: str = typer.Argument(
        ...,
        help="Corpus: a file (.txt one item a line, .md article, .xml/.rss/.atom feed, .csv, .tsv, .jsonl, "
        ".parquet), a folder of them, or a quoted glob such as 'news/2026-11-*.csv'.",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="HTML file to write."),
    export: Optional[Path] = typer.Option(None, "--export", help="Also write one row per item (.csv, .jsonl or .parquet)."),
    model: Optional[str] = typer.Option(None, "--model", help="sentence-transformers model name or path [default: packaged all-MiniLM-L6-v2]."),
    text_col: Optional[str] = typer.Option(None, "--text-col", help="Text column of a table [default: text, else title or headline]."),
    unit: Optional[str] = typer.Option(None, "--unit", help="One item in feeds and article files: headline, article or paragraph [default: headline for feeds, article for article files]."),
    keep_duplicates: bool = typer.Option(False, "--keep-duplicates", help="Keep copies of one headline (syndicated stories) as separate items instead of one item with a count."),
    level: str = typer.Option("auto", "--level", help="Topic granularity: story, theme or auto."),
    topics: Optional[int] = typer.Option(None, "--topics", help="Force this many topics [default: chosen automatically]."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same map."),
    plotlyjs: str = typer.Option("inline", "--plotlyjs", help="inline (offline, self-contained) or cdn (small file, needs network)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary output."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error."),
) -> None:
    """Write an interactive HTML topic map of INPUT."""

    def work() -> None:
        from analysis.export import check_export_path
        from analysis.load import corpus_files, load_corpus

        if not output.suffix.lower() in (".html", ".htm"):
            raise InputError(f"-o {output}: the report is HTML; give a file name ending in .html")
        if plotlyjs not in ("inline", "cdn"):
            raise InputError(f"--plotlyjs {plotlyjs!r} is not allowed: use inline or cdn")
        sources = corpus_files(input)
        _check_output(output, sources, "-o")
        if export is not None:
            check_export_path(export)
            _check_output(export, [*sources, output], "--export")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            documents = load_corpus(input, text_col, unit=unit, keep_duplicates=keep_duplicates)
        for warning in caught:
            _say(quiet, f"warning: {warning.message}")
        if documents.attrs.get("dropped"):
            _say(quiet, f"note: dropped {documents.attrs['dropped']} empty items")
        if documents.attrs.get("merged"):
            _say(quiet, f"note: merged {documents.attrs['merged']} copies of repeated items (--keep-duplicates keeps them)")

        from analysis.export import write_export
        from analysis.pipeline import TopicMap

        topic_map = TopicMap(model=model, level=level, n_topics=topics, random_state=seed)
        topic_map._validate_params()
        with _Progress(not quiet and sys.stderr.isatty()) as progress:
            topic_map.fit(documents, progress=progress)
        topic_map.report(output, input_name=Path(input).resolve().name or input, plotlyjs=plotlyjs)
        if export is not None:
            write_export(topic_map.to_frame(), export)
        unclustered = int((topic_map.labels_ < 0).sum())
        _say(
            quiet,
            f"{len(documents)} items, {len(topic_map.topics_)} topics ({topic_map.level_} level), "
            f"{unclustered} unclustered -> {output}" + (f", {export}" if export else ""),
        )

    _guarded(debug, work)


@app.callback()
def _root() -> None:
    """Turn news headlines and articles into an interactive map of their themes."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
