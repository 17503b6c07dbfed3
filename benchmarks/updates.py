"""Do updates keep every level sound? Dated sets replayed update by update (issue 27, deliverable 5).

Each set's items are taken oldest first: a map is fitted on the first part (default settings),
then `update` adds the next items in equal steps, as a daily user would; after the last
update each level's count and its ARI against the set's gold at that level are set beside a
fresh fit on the same items, for seeds 0-2 (the fresh fit's own ARI moves by up to 0.075
between seeds on HuffPost: one seed cannot tell 0.02). Targets, on the means over the
seeds: counts within ±25% of the fresh fit's, ARI no more than 0.02 below it. Seed 0 is
shown step by step.

- HuffPost: 10,000 dated headlines (2018-2022); the first 3,000, then twelve updates of 400;
  themes and topics against its 29 sections.
- UCI News Aggregator: 6,330 headlines over 36 hours; the first half, then twelve updates of
  about 264; themes against its 4 categories, stories against its 87 events.

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

LEVELS = ("theme", "topic", "story")
PLURAL = {"theme": "themes", "topic": "topics", "story": "stories"}
SETS = [  # name, file, items fitted first (None: half), items in all (None: every one), gold of each level scored
    ("HuffPost", "huffpost_v3_2018_2022_10k.csv", 3000, 3000 + 12 * 400, {"theme": "label", "topic": "label"}),
    ("UCI", "uci_news_aggregator_6k.csv", None, None, {"theme": "label", "story": "input_story"}),
]
STEPS = 12
SEEDS = (0, 1, 2)


def counts(topic_map: TopicMap) -> dict[str, int]:
    """Groups at each level of a map."""
    out = {}
    for level in LEVELS:
        labels = getattr(topic_map, f"{level}_labels_")
        out[level] = len(np.unique(labels[labels >= 0]))
    return out


def aris(topic_map: TopicMap, frame, golds: dict[str, str]) -> dict[str, float]:
    """ARI of each scored level against its gold column (the items the map holds, in order)."""
    return {level: score(getattr(topic_map, f"{level}_labels_"), frame[col])["ari"] for level, col in golds.items()}


def replay(
    name: str, file: str, first: int | None, total: int | None, golds: dict[str, str], seed: int
) -> tuple[list[str], dict]:
    """The replay of one set with one seed: its step-by-step table and where the fresh fit's
    themes went (the lines), and the last update's and the fresh fit's counts and ARIs."""
    frame = load_corpus(ROOT / "data" / "bench" / file)
    frame = frame.sort_values(["date", "text"], kind="stable").reset_index(drop=True)
    frame = frame.iloc[: total or len(frame)].reset_index(drop=True)
    first = first or len(frame) // 2
    bounds = np.linspace(first, len(frame), STEPS + 1).round().astype(int)
    vectors = embed_texts(frame["text"].tolist(), encoder_name(None), cache_dir=default_cache_dir())
    scored = list(golds)
    lines = [
        f"## {name}: {first:,} fitted, then {STEPS} updates of about {bounds[1] - bounds[0]:,}",
        "",
        "| step | items | new items | themes | topics | stories | "
        + " | ".join(f"{level} ARI" for level in scored)
        + " | seconds |",
        "|---|---|---|---|---|---|" + "---|" * len(scored) + "---|",
    ]
    started = time.perf_counter()
    topic_map = TopicMap(random_state=seed).fit(frame.iloc[:first], embeddings=vectors[:first])
    seconds = time.perf_counter() - started
    for step in range(STEPS + 1):
        end = bounds[step]
        if step:
            rows = slice(bounds[step - 1], end)
            started = time.perf_counter()
            topic_map.update(frame.iloc[rows], embeddings=vectors[rows])
            seconds = time.perf_counter() - started
        found, ari = counts(topic_map), aris(topic_map, frame.iloc[:end], golds)
        lines.append(
            f"| {'fit' if step == 0 else step} | {end:,} | {end - bounds[step - 1] if step else first} | "
            f"{found['theme']} | {found['topic']} | {found['story']} | "
            + " | ".join(f"{ari[level]:.3f}" for level in scored)
            + f" | {seconds:.1f} |"
        )
        print(lines[-1], flush=True)
    fresh = TopicMap(random_state=seed).fit(frame, embeddings=vectors)
    fresh_found, fresh_ari = counts(fresh), aris(fresh, frame, golds)
    lines.append(
        f"| fresh fit | {len(frame):,} | | {fresh_found['theme']} | {fresh_found['topic']} | {fresh_found['story']} | "
        + " | ".join(f"{fresh_ari[level]:.3f}" for level in scored)
        + " | |"
    )
    result = {"found": found, "ari": ari, "fresh_found": fresh_found, "fresh_ari": fresh_ari}
    return lines + ["", *where_themes_went(topic_map, fresh, first), ""], result


def targets(name: str, golds: dict[str, str], results: list[dict]) -> list[str]:
    """Each seed's last update beside its fresh fit, and the targets on the means."""
    scored = list(golds)
    lines = [
        f"## {name}: after the last update, seeds {SEEDS[0]}-{SEEDS[-1]}",
        "",
        "| seed | map | themes | topics | stories | " + " | ".join(f"{level} ARI" for level in scored) + " |",
        "|---|---|---|---|---|" + "---|" * len(scored),
    ]
    for seed, result in zip(SEEDS, results):
        for label, found, ari in (("updated", "found", "ari"), ("fresh fit", "fresh_found", "fresh_ari")):
            lines.append(
                f"| {seed} | {label} | "
                + " | ".join(str(result[found][level]) for level in LEVELS)
                + " | "
                + " | ".join(f"{result[ari][level]:.3f}" for level in scored)
                + " |"
            )

    def mean(key: str, level: str) -> float:
        return float(np.mean([result[key][level] for result in results]))

    def within(ours: float, theirs: float, margin: float) -> str:
        return "met" if abs(ours - theirs) <= margin else "not met"

    lines += ["", f"Targets for {name} (means over the seeds, after the last update, against the fresh fit):", ""]
    for level in LEVELS:
        ours, theirs = mean("found", level), mean("fresh_found", level)
        lines.append(
            f"- {PLURAL[level]} within ±25%: {ours:.1f} vs {theirs:.1f} ({within(ours, theirs, 0.25 * theirs)})"
        )
    for level in scored:  # ARI: no more than 0.02 below the fresh fit's (above it is better)
        ours, theirs = round(mean("ari", level), 3), round(mean("fresh_ari", level), 3)
        lines.append(
            f"- {level} ARI within 0.02: {ours:.3f} vs {theirs:.3f} ({within(min(ours, theirs), theirs, 0.02)})"
        )
    return lines + [""]


def where_themes_went(updated: TopicMap, fresh: TopicMap, first: int) -> list[str]:
    """Each theme of the fresh fit beside the updated map's theme holding most of its items,
    and how many of its items were in the part fitted first: a fresh theme whose items were
    there from the start, but held within an old theme, is no new subject an update opens."""
    lines = [
        "Each theme of the fresh fit, and where the updated map holds its items:",
        "",
        "| fresh theme | items | in the first fit's part | updated map's theme holding most | share |",
        "|---|---|---|---|---|",
    ]
    names = dict(zip(updated.theme_table_["id"], updated.theme_table_["name"]))
    for theme, name in zip(fresh.theme_table_["id"], fresh.theme_table_["name"]):
        rows = np.flatnonzero(fresh.theme_labels_ == theme)
        held = updated.theme_labels_[rows]
        most = int(np.bincount(held[held >= 0]).argmax()) if (held >= 0).any() else -1
        lines.append(
            f"| {name} | {len(rows):,} | {int((rows < first).sum()):,} | {names.get(most, 'unclustered')} "
            f"| {float(np.mean(held == most)):.2f} |"
        )
    return lines


def main() -> None:
    lines = [
        "# Updates keep the levels sound",
        "",
        "`HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/updates.py`: dated sets replayed oldest first, a",
        "map fitted on the first part (default settings) and then updated twelve times, beside a fresh",
        "fit on the same items, seeds 0-2; ARI against the gold of each level the set has. The targets",
        "are judged on the means over the seeds; seed 0 is shown step by step.",
        "",
    ]
    for spec in SETS:
        runs = [replay(*spec, seed) for seed in SEEDS]
        lines += targets(spec[0], spec[-1], [result for _, result in runs]) + runs[0][0]
    out = ROOT / "benchmarks" / "results" / "updates.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
