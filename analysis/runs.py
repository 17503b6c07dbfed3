"""How a CLI command runs: one line for any failure (exit 2 for bad input, 1 for an internal
failure or an interruption, a traceback only with --debug), warnings as `warning:` lines,
Ctrl-C and SIGTERM turned into a clean stop that says what was already written, and the rich
progress bars with their per-stage timing for --verbose."""

from __future__ import annotations

import signal
import threading
import traceback
import warnings
from pathlib import Path

import typer

from analysis.errors import InputError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
STAGE_NAMES = {
    "read": "Reading the input",
    "embed": "Embedding",
    "neighbours": "Finding neighbours",
    "stories": "Finding stories",
    "themes": "Grouping themes",
    "assign": "Placing new items",
    "name": "Naming topics",
    "project": "Projecting to 2D",
    "report": "Writing the report",
    "export": "Writing the export",
    "save": "Saving the map",
}


def fail(message: str, code: int) -> None:
    """One line on stderr, whatever the message holds (a path may hold a line break)."""
    message = message.replace("\r", "\\r").replace("\n", "\\n")
    message = message.encode("utf-8", "replace").decode("utf-8")  # a file name that is not UTF-8
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


#: What the running command has written so far, for the line an interruption prints.
WRITTEN: list[str] = []
#: The signals (Ctrl-C, SIGTERM) that have asked the running command to stop.
STOPPED: list[int] = []


def wrote(path: Path | str) -> None:
    WRITTEN.append(str(path))


def guarded(debug: bool, work, quiet: bool = False) -> None:
    """Run `work`; turn failures into one line and an exit code (a traceback only with --debug).

    Warnings print as one `warning: ...` line (none with `quiet`: errors only); SIGTERM stops the run like Ctrl-C, so no
    temporary file is left behind. A Ctrl-C that lands inside a library's import surfaces as
    that library's error (an ImportError), and one inside a garbage-collector callback (Dask
    runs some) is swallowed: the signal is recorded, so it still reads as one, and the next
    progress report raises it again.
    """

    def stop(signum, frame):
        STOPPED.append(signum)
        raise KeyboardInterrupt

    show = warnings.showwarning
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        if signum == signal.SIGINT and signal.getsignal(signum) is not signal.default_int_handler:
            continue  # Ctrl-C ignored (a background job) or handled by the caller: left so
        try:
            previous[signum] = signal.signal(signum, stop)
        except ValueError:  # not the main thread
            break
    warnings.showwarning = lambda message, category, *args, **kwargs: say(quiet, f"warning: {message}")
    WRITTEN.clear()
    STOPPED.clear()
    try:
        work()
    except typer.Exit:
        raise
    except InputError as exc:
        if debug:  # the traceback too, but still bad input: exit 2
            traceback.print_exc()
        fail(str(exc), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        interrupted()
    except OSError as exc:
        if debug:
            raise
        if STOPPED:
            interrupted()
        where = f" {exc.filename}" if exc.filename else ""
        fail(
            f"cannot read or write{where}: {exc.strerror or exc}; check free space and permissions, "
            "then run again (--debug for the traceback)",
            EXIT_INTERNAL,
        )
    except MemoryError:
        if debug:
            raise
        fail("out of memory; try a smaller input or a machine with more memory", EXIT_INTERNAL)
    except Exception as exc:
        if debug:
            raise
        if STOPPED:
            interrupted()
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        fail(f"internal error: {type(exc).__name__}: {first} (rerun with --debug for the traceback)", EXIT_INTERNAL)
    finally:
        warnings.showwarning = show
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def interrupted() -> None:
    """Fail with the line an interrupted run prints: what it had written, if anything."""
    if WRITTEN:
        done = ", ".join(WRITTEN)
        fail(f"interrupted after writing {done}; nothing else was written, no partial file left", EXIT_INTERNAL)
    fail("interrupted before the run finished; no partial file left", EXIT_INTERNAL)


class Progress:
    """Rich progress on a terminal (each stage's bar, with the time left where a stage counts
    its items); silent when piped or quiet. Whatever shows, it times each stage, for
    `--verbose`'s breakdown. Called before it is entered, it times without showing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.tasks: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.current: str | None = None
        self.since = 0.0

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._switch(None)
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if STOPPED and threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt  # a Ctrl-C that a library swallowed (see guarded)
        self._switch(None if stage == "done" else stage)
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

    def _switch(self, stage: str | None) -> None:
        import time

        now = time.perf_counter()
        if stage == self.current:
            return
        if self.current is not None:
            self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.since
        self.current, self.since = stage, now

    def breakdown(self) -> str:
        """Each stage's seconds and share of the run, in the order they ran."""
        self._switch(None)
        total = sum(self.seconds.values()) or 1.0
        parts = [f"{name} {seconds:.1f} s ({seconds / total:.0%})" for name, seconds in self.seconds.items()]
        return f"time by stage: {', '.join(parts)}; {sum(self.seconds.values()):.1f} s in all"


def say(quiet: bool, message: str) -> None:
    if not quiet:
        typer.echo(message, err=True)
