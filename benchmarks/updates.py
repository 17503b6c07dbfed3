"""Do updates keep every level sound? A dated set replayed day by day (issue 27, deliverable 5).

HuffPost's 10,000 dated headlines, oldest first: a map is fitted on the first 3,000 (default
settings, seed 0), then `update` adds the next 400 twelve times, as a daily user would; after
the last update its theme, topic and story counts and its theme and topic ARI against the 29
sections are set beside a fresh fit on the same 7,800 items. Targets: counts within ±25% of
the fresh fit's, ARI within 0.02 of it.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/updates.py   # writes benchmarks/results/updates.md
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import TopicMap  # noqa: E402
from analysis.cache import default_cache_dir  # noqa: E402
from analysis.embed import embed_texts, encoder_name  # noqa: E402
from analysis.evaluate import score  # noqa: E402
from analysis.load import load_corpus  # noqa: E402

FIRST, STEP, STEPS = 3000, 400, 12


LEVELS = ("theme", "topic", "story")


def counts(topic_map: TopicMap) -> dict[str, int]:
    """Groups at each level of a map."""
    out = {}
    for level in LEVELS:
        labels = getattr(topic_map, f"{level}_labels_")
        out[level] = len(np.unique(labels[labels >= 0]))
    return out


def aris(topic_map: TopicMap, gold) -> dict[str, float]:
    """Theme and topic ARI against the sections."""
    return {level: score(getattr(topic_map, f"{level}_labels_"), gold)["ari"] for level in ("theme", "topic")}


def main() -> None:
    frame = load_corpus(ROOT / "data" / "bench" / "huffpost_v3_2018_2022_10k.csv")
    frame = frame.sort_values(["date", "text"], kind="stable").reset_index(drop=True)
    frame = frame.iloc[: FIRST + STEP * STEPS].reset_index(drop=True)
    vectors = embed_texts(frame["text"].tolist(), encoder_name(None), cache_dir=default_cache_dir())
    lines = [
        "# Updates keep the levels sound",
        "",
        "`HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/updates.py`: HuffPost's dated headlines oldest first;",
        f"a map fitted on the first {FIRST:,} (default settings, seed 0), then {STEPS} updates of {STEP} each,",
        "beside a fresh fit on the same items. Theme and topic ARI against the 29 sections.",
        "",
        "| step | items | new items | themes | topics | stories | theme ARI | topic ARI | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    started = time.perf_counter()
    topic_map = TopicMap(random_state=0).fit(frame.iloc[:FIRST], embeddings=vectors[:FIRST])
    seconds = time.perf_counter() - started
    end = FIRST
    for step in range(STEPS + 1):
        if step:
            rows = slice(end, end + STEP)
            started = time.perf_counter()
            topic_map.update(frame.iloc[rows], embeddings=vectors[rows])
            seconds, end = time.perf_counter() - started, end + STEP
        found, ari = counts(topic_map), aris(topic_map, frame["label"].iloc[:end])
        lines.append(
            f"| {'fit' if step == 0 else step} | {end:,} | {STEP if step else FIRST} | {found['theme']} | "
            f"{found['topic']} | {found['story']} | {ari['theme']:.3f} | {ari['topic']:.3f} | {seconds:.1f} |"
        )
        print(lines[-1], flush=True)
    fresh = TopicMap(random_state=0).fit(frame, embeddings=vectors)
    fresh_found, fresh_ari = counts(fresh), aris(fresh, frame["label"])
    lines.append(
        f"| fresh fit | {end:,} | | {fresh_found['theme']} | {fresh_found['topic']} | {fresh_found['story']} | "
        f"{fresh_ari['theme']:.3f} | {fresh_ari['topic']:.3f} | |"
    )

    def within(ours: float, theirs: float, margin: float) -> str:
        return "met" if abs(ours - theirs) <= margin else "not met"

    lines += ["", "## Targets (after the last update, against the fresh fit)", ""]
    for level in LEVELS:
        ours, theirs = found[level], fresh_found[level]
        plural = {"theme": "themes", "topic": "topics", "story": "stories"}[level]
        lines.append(f"- {plural} within ±25%: {ours} vs {theirs} ({within(ours, theirs, 0.25 * theirs)})")
    for level in ("theme", "topic"):
        ours_ari, theirs_ari = ari[level], fresh_ari[level]
        lines.append(
            f"- {level} ARI within 0.02: {ours_ari:.3f} vs {theirs_ari:.3f} ({within(ours_ari, theirs_ari, 0.02)})"
        )
    out = ROOT / "benchmarks" / "results" / "updates.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-6:]))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
