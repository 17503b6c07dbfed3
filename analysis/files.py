"""Atomic file and folder writing (output appears whole or not at all), and folder locks."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
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


TEMP_NAME = 64  # characters of a file's name its temporary sibling's name starts with
NAME_MAX = 255  # bytes in a file's name, where the file system does not say


def check_folder(path: Path, shown: str) -> None:
    """InputError unless `path`'s folder exists as a folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if folder.is_dir():
        return
    from analysis.errors import InputError

    if folder.exists():
        raise InputError(f"{shown}: {folder} is a file, not a folder; give a path in a folder")
    raise InputError(f"{shown}: folder {folder} does not exist; create it first")


def check_name_length(path: Path, shown: str) -> None:
    """InputError when `path`'s name is longer than its file system allows: found before any
    work, not when the finished file is written."""
    from analysis.errors import InputError

    try:
        limit = os.pathconf(path.parent if str(path.parent) else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = NAME_MAX
    size = len(os.fsencode(path.name))
    if size > limit:
        raise InputError(
            f"{shown}: the file name is {size} bytes long, more than the {limit} allowed; give a shorter name"
        )


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success.

    A run that fails or is killed midway leaves no partial file behind. InputError when
    `target` is a folder or its folder does not exist.
    """
    from analysis.errors import InputError

    target = Path(target)
    if target.is_dir():
        raise InputError(f"{target} is a folder: give the path of a file to write")
    check_folder(target, str(target))
    check_name_length(target, str(target))
    tmp_path: Path | None = None
    try:
        with signals_held():
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:TEMP_NAME]}.", suffix=".part", dir=target.parent)
            os.close(fd)
            tmp_path = Path(tmp)
        yield tmp_path
        os.chmod(tmp_path, _replacing_mode(target, folder=False))
        os.replace(tmp_path, target)
    finally:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)


def probe_write(folder: str | os.PathLike) -> None:
    """Create and remove a file in `folder`, raising OSError when that fails: a real write, not
    os.access, so it is right for root, read-only mounts and ACLs alike."""
    fd, probe = tempfile.mkstemp(prefix=".topicmap-", suffix=".probe", dir=folder)
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary folder beside `target`; on success swap it into place whole.

    The swap renames the old `target` (a folder or a file) aside, renames the new folder in and
    only then removes the old one, so `target` always names a whole folder, old or new. A
    failure or an interruption removes the temporary folder and leaves `target` as it was.
    The new folder gets the mode of the folder it replaces (else the one the umask gives, as
    mkdir would), and what is in it follows the umask (libraries write some files 0600).
    """
    target = Path(target)
    building: Path | None = None
    try:
        with signals_held():
            building = Path(tempfile.mkdtemp(prefix=f".{target.name[:TEMP_NAME]}.", dir=target.parent))
        yield building
        _follow_umask(building, _replacing_mode(target, folder=True))
        with signals_held():  # never stop between moving the old folder aside and removing it
            old = _swap(building, target)
            building = None
            if old is not None:
                _remove(old)
    finally:
        if building is not None:
            _remove(building)


@contextlib.contextmanager
def locked(folder: str | os.PathLike, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock (flock) on `folder` for the block, waiting for another holder
    first (`on_wait` is called once before waiting); no lock when `folder` does not exist.

    The lock is on the folder itself, so it leaves no file behind. A folder replaced by
    `atomic_dir` is a new folder: after the wait the path is checked to still name the folder
    that was locked, and the lock is taken again on the new one otherwise, so whoever waited
    sees what the previous holder saved. Linux and macOS only (fcntl).
    """
    import fcntl

    fd: int | None = None
    while fd is None:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            break
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                fcntl.flock(fd, fcntl.LOCK_EX)
            if not _same_file(fd, folder):
                os.close(fd)
                fd = None
        except BaseException:
            if fd is not None:
                os.close(fd)
            raise
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def _same_file(fd: int, path: str | os.PathLike) -> bool:
    """Whether `path` still names the file open as `fd`."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _swap(new: Path, target: Path) -> Path | None:
    """Rename `new` onto `target`; return where the old `target` was moved (to remove), or
    None when there was none. Put the old one back if the new one cannot go in."""
    while True:
        try:
            os.rename(new, target)  # target missing (or an empty folder, which rename replaces)
            return None
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                raise
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        aside.rmdir()
        try:
            os.rename(target, aside)
        except FileNotFoundError:  # another process moved it away meanwhile: try again
            continue
        try:
            os.rename(new, target)
        except OSError:
            os.rename(aside, target)
            raise
        return aside


def _replacing_mode(target: Path, folder: bool) -> int:
    """The mode a file (or folder) replacing `target` gets: the mode of the one it replaces (a
    report its owner made private stays private), else the one open() (mkdir) gives under the
    umask."""
    try:
        if target.is_dir() if folder else target.is_file():
            return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        pass
    return (0o777 if folder else 0o666) & ~_umask()


def _follow_umask(folder: Path, mode: int) -> None:
    """Give `folder` `mode`, and what is in it the modes a plain mkdir or open would give."""
    mask = _umask()
    for parent, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(parent, name), 0o777 & ~mask)
        for name in files:
            path = os.path.join(parent, name)
            now = os.lstat(path).st_mode
            if not stat.S_ISLNK(now):
                os.chmod(path, (0o777 if now & stat.S_IXUSR else 0o666) & ~mask)
    os.chmod(folder, mode)


def _remove(path: Path) -> None:
    """Remove a folder tree or a file, as far as possible."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
