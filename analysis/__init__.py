"""topicmap: turn a day's news headlines and articles into an interactive map of its themes."""

from analysis.meta import VERSION as __version__

__all__ = ["TopicMap", "load_corpus", "__version__"]

# numba's compiled code (for the functions umap and pynndescent mark as cacheable: about 14 s
# of compiling when umap is first imported) stays where numba keeps it by default, beside the
# installed packages (else in numba's own user folder): one compile per installation, made by
# `make report`, whatever cache root a run uses. `$NUMBA_CACHE_DIR` moves it.


def __getattr__(name: str):
    # Lazy, so `topicmap --help` does not pay for importing torch and UMAP.
    if name == "TopicMap":
        from analysis.pipeline import TopicMap

        return TopicMap
    if name == "load_corpus":
        from analysis.load import load_corpus

        return load_corpus
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
