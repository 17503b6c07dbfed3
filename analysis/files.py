"""Atomic file writing: output appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

#: Signals that stop a run (the CLI turns SIGTERM into KeyboardInterrupt like SIGINT).
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, so that a temporary file or folder and
    the cleanup that owns it come into being together (a signal between the two would leave
    the temporary behind). A signal that arrives meanwhile is acted on at the end of the
    block, by the handler that was in place. Python runs signal handlers in the main thread
    only, so elsewhere this holds nothing (and needs not)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {number: signal.signal(number, lambda signum, frame: caught.append(signum)) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        for signum in caught:
            held = previous[signal.Signals(signum)]
            if callable(held):
                held(signum, None)
            elif held != signal.SIG_IGN:
                signal.raise_signal(signum)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success.

    A run that fails or is killed midway leaves no partial file behind.
    """
    target = Path(target)
    tmp_path: Path | None = None
    try:
        with signals_held():
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            os.close(fd)
            tmp_path = Path(tmp)
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
