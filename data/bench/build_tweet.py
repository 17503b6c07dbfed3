"""Tweets labelled by the event they are about (89 TREC 2011-2012 microblog queries; Yin and
Wang 2016), as copied in rashadulrakib/short-text-clustering-enhancement. Lower-cased, stop
words removed in the source: a story-level set of another style.

    git clone https://github.com/rashadulrakib/short-text-clustering-enhancement /tmp/ste
    python data/bench/build_tweet.py /tmp/ste/.git
"""

from __future__ import annotations

import sys

import pandas as pd
from bench_source import git_file, write_sample

COMMIT = "f363b66e6fd51f9dd1db679d2a9ce55538ab9868"

if __name__ == "__main__":
    rows = [line.split("\t", 1) for line in git_file(sys.argv[1], COMMIT, "data/tweet-original-order.txt")]
    write_sample(
        pd.DataFrame({"text": [text for _, text in rows], "story": [f"q{label}" for label, _ in rows]}),
        "tweet_trec_events.csv",
    )
