"""topicmap: turn a day's news headlines and articles into an interactive map of its themes."""

import os
from pathlib import Path

__version__ = "0.2.0.dev0"
__all__ = ["TopicMap", "load_corpus", "__version__"]


def user_cache_dir() -> Path:
    """$TOPICMAP_CACHE, else $XDG_CACHE_HOME/topicmap, else ~/.cache/topicmap."""
    if os.environ.get("TOPICMAP_CACHE"):
        return Path(os.environ["TOPICMAP_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "topicmap"


# numba's compiled code (EVōC's neighbour search, the projection) is kept on disk, so its
# compile cost is paid once per machine. Set before numba is imported; a value of the
# user's own wins, and numba falls back to its usual places when the folder is not writable.
os.environ.setdefault("NUMBA_CACHE_DIR", str(user_cache_dir() / "numba"))


def __getattr__(name: str):
    # Lazy, so `topicmap --help` does not pay for importing torch and UMAP.
    if name == "TopicMap":
        from analysis.pipeline import TopicMap

        return TopicMap
    if name == "load_corpus":
        from analysis.load import load_corpus

        return load_corpus
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
