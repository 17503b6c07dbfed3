"""MultiFin (Jorgensen et al. 2023, EACL Findings): real-world financial article headlines from the
websites of one professional-services network's member firms in many countries, each labelled
with 6 high-level and 23 low-level topics (a two-level taxonomy). Licence CC BY-NC 4.0 (stated in
the authors' repository, github.com/RasmusKaer/MultiFin). Read from the copy of the authors'
release in awinml/multifin (`MultiFinDataset_EACL_2023/`).

Only the English headlines (2,730 of 10,048; written by firms in Turkey, Greece, Finland, Spain,
Italy, Poland, Israel, Denmark, Russia, Iceland and a global site), and of those only the ones
with exactly one low-level topic (the low-level task is multi-label), so that every row has one
`label` = high-level topic (theme level) and one `fine` = low-level topic (topic level).
`source` = country of the firm's site (the part of the source id before the dash).

    git clone https://github.com/awinml/multifin /tmp/mf && python data/bench/build_multifin.py /tmp/mf/.git
"""

from __future__ import annotations

import json
import sys

import pandas as pd
from bench_source import git_file, write_sample

COMMIT = "da12ec8c1aac56aaefabfa76e8bc5409bd5bd67e"
ROOT = "MultiFinDataset_EACL_2023"
SPLITS = ["0-all-languages-{}/train.json", "0-all-languages-{}/val.json", "fixed-test-{}/test.json"]


def records(git_dir: str, level: str) -> pd.DataFrame:
    """All records of one label level (train, validation and test together), JSON lines."""
    rows = [
        json.loads(line)
        for split in SPLITS
        for line in git_file(git_dir, COMMIT, f"{ROOT}/{split.format(level)}")
        if line.strip()
    ]
    return pd.DataFrame(rows)


if __name__ == "__main__":
    high = records(sys.argv[1], "highlevel")
    low = records(sys.argv[1], "lowlevel")[["id", "labels"]]
    frame = high.merge(low, on="id", validate="one_to_one")
    frame = frame[(frame["lang"] == "English") & (frame["labels"].str.len() == 1)]
    frame = pd.DataFrame(
        {
            "text": frame["text"],
            "label": frame["label"],
            "fine": frame["labels"].str[0],
            "source": frame["id"].str.split("-").str[0],
        }
    )
    write_sample(frame, "multifin_en_headlines.csv")
