"""Which path to use: the topics each way of embedding gives (the README's "Which path to use").

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/paths.py   # writes benchmarks/results/paths.md

Each path embeds UCI, AG News and HuffPost (the bench copies) with its own vectors: the
packaged MiniLM under ONNX Runtime in float32 (the default), in int8, in PyTorch, and the
static model distilled from it (`--model static`). A default fit (seed 0) on each set's
vectors is then scored: UCI's stories against its 87 events, and the themes against each
set's sections. Speed is `benchmarks/speed.py`'s; this is the quality side of the same table.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import TopicMap  # noqa: E402
from analysis.cache import default_cache_dir  # noqa: E402
from analysis.embed import STATIC_MODEL, embed_texts, encoder_name  # noqa: E402
from analysis.evaluate import score  # noqa: E402
from analysis.load import load_corpus  # noqa: E402

PATHS = {  # column, the model name embed_texts takes
    "default (ONNX float32)": encoder_name(None),
    "`--backend onnx-int8`": encoder_name(None, "onnx-int8"),
    "`--backend torch`": encoder_name(None, "torch"),
    "`--model static`": STATIC_MODEL,
}
SETS = [
    ("UCI", "uci_news_aggregator_6k.csv"),
    ("AG", "ag_news_test_titles.csv"),
    ("HuffPost", "huffpost_v3_2018_2022_10k.csv"),
]


def scores(model: str | None) -> tuple[float, list[float]]:
    """UCI's story ARI and each set's theme ARI, a default fit on `model`'s vectors (seed 0)."""
    themes, story = [], 0.0
    for name, file in SETS:
        frame = load_corpus(ROOT / "data" / "bench" / file, keep_duplicates=True)
        vectors = embed_texts(frame["text"].tolist(), model, cache_dir=default_cache_dir())
        fitted = TopicMap(random_state=0).fit(frame, embeddings=vectors)
        themes.append(score(fitted.theme_labels_, frame["label"].astype(str))["ari"])
        if name == "UCI":
            story = score(fitted.story_labels_, frame["input_story"].astype(str))["ari"]
    return story, themes


def main() -> None:
    began = time.strftime("%Y-%m-%d %H:%M")
    found = {column: scores(model) for column, model in PATHS.items()}
    lines = [
        "# Which path to use: the topics of each way of embedding",
        "",
        f"`HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/paths.py`, {began}, Python {platform.python_version()}. "
        "A default fit (seed 0) on each path's vectors of the bench sets; ARI against the gold "
        "(unclustered items as one group, `analysis.evaluate.score`).",
        "",
        "| | " + " | ".join(PATHS) + " |",
        "|---|" + "---:|" * len(PATHS),
        "| UCI stories ARI (whole 6k set) | " + " | ".join(f"{story:.3f}" for story, _ in found.values()) + " |",
        "| themes ARI: "
        + " / ".join(name for name, _ in SETS)
        + " | "
        + " | ".join(" / ".join(f"{a:.2f}" for a in themes) for _, themes in found.values())
        + " |",
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "paths.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
