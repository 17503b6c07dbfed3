"""Models topicmap builds itself, once, under the cache root: `<root>/models/<name>`.

`$TOPICMAP_MODELS`, when set, names the folder that holds them instead (`<folder>/<name>`),
so that several cache roots (a test run's, a team's) share one build.

The static model (`analysis.static`) and the int8 ONNX model (`analysis.onnx_model`) are both
made offline from the packaged MiniLM the first time they are asked for. Each folder's name
hashes what it was made from and how, so a changed recipe never reads an old folder. This
module holds what the two share: the cache root is checked to be writable before any work,
one process builds while the others wait for it (a lock on the `models` folder), and a folder
that does not load is built again once, with a warning naming it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

#: Loggers of the libraries that build models, silenced meanwhile.
QUIET_LOGGERS = ("model2vec", "sentence_transformers", "transformers", "huggingface_hub", "onnxruntime", "torch.onnx")


def built_model(
    root: str | Path | None, name: str, problem: Callable[[Path], str | None], build: Callable[[Path], None], what: str
) -> Path:
    """The folder `<root>/models/<name>` (root: the user cache folder when None; the folder
    `$TOPICMAP_MODELS` instead when set), built there by `build(target)` when `problem(target)`
    says it does not load (None: it loads)."""
    from analysis.cache import default_cache_dir
    from analysis.errors import InputError
    from analysis.files import locked, probe_write

    root = Path(root if root is not None else default_cache_dir())
    shared = os.environ.get("TOPICMAP_MODELS")
    target = Path(shared) / name if shared else root / "models" / name
    if problem(target) is None:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe_write(target.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write the {what} in the cache folder {root} ({exc.strerror or exc}); "
            "give a writable cache folder with --cache DIR or $TOPICMAP_CACHE"
        ) from exc
    with locked(target.parent):
        found = problem(target)  # another process may have built it while this one waited
        if found is None:
            return target
        if target.exists() or target.is_symlink():
            warnings.warn(f"the {what} in {target} does not load ({found}); building it again", stacklevel=3)
        build(target)
        found = problem(target)
    if found is not None:
        raise RuntimeError(f"the {what} just built in {target} does not load ({found})")
    return target


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables the user has not set, for the block only (a notebook that
    distils once keeps its own hub access and progress bars)."""
    added = [name for name in values if name not in os.environ]
    os.environ.update({name: values[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


@contextlib.contextmanager
def libraries_quiet() -> Iterator[None]:
    """Keep the libraries that build a model from writing notices to stderr (model2vec's, the
    revision sentence-transformers cannot resolve offline): their loggers are set to ERROR
    and their warnings ignored for the block, then put back."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    # onnxruntime's quantiser logs through the root logger: quiet it too, with a handler of
    # its own so that logging does not install its default one on the user's root logger.
    root, root_level, guard = logging.getLogger(), logging.getLogger().level, logging.NullHandler()
    root.addHandler(guard)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for logger in (*loggers, root):
                logger.setLevel(logging.ERROR)
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
        root.setLevel(root_level)
        root.removeHandler(guard)
