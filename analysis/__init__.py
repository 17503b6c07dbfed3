"""topicmap: turn a day's news headlines and articles into an interactive map of its themes."""

__version__ = "0.1.0"
__all__ = ["TopicMap", "load_corpus", "__version__"]


def __getattr__(name: str):
    # Lazy, so `topicmap --help` does not pay for importing torch and UMAP.
    if name == "TopicMap":
        from analysis.pipeline import TopicMap

        return TopicMap
    if name == "load_corpus":
        from analysis.load import load_corpus

        return load_corpus
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
