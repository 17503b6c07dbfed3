"""topicmap: turn a day's news headlines and articles into an interactive map of its themes."""

import os

from analysis.meta import VERSION as __version__
from analysis.meta import user_cache_dir

__all__ = ["TopicMap", "load_corpus", "__version__"]


# numba's compiled code, for the functions its libraries mark as cacheable, is kept on disk
# under the cache root. Set before numba is imported; a value of the
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
