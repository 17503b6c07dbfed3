"""Web search result snippets (Phan et al. 2008) with their search domain (8 domains), as
copied in goamegah/Short-Text-Clustering. Lower-cased, stop words removed in the source.

    git clone https://github.com/goamegah/Short-Text-Clustering /tmp/stc && python data/bench/build_searchsnippets.py /tmp/stc/.git
"""

from __future__ import annotations

import sys

import pandas as pd
from bench_source import git_file, write_sample

COMMIT = "3b60e4e6c7f6d5bcd2a58da68c2dec2a2c48b341"
DOMAINS = [
    "business",
    "computers",
    "culture-arts-entertainment",
    "education-science",
    "engineering",
    "health",
    "politics-society",
    "sports",
]

if __name__ == "__main__":
    texts = git_file(sys.argv[1], COMMIT, "datasets/SearchSnippets/SearchSnippets.txt")
    labels = git_file(sys.argv[1], COMMIT, "datasets/SearchSnippets/SearchSnippets_gnd.txt")
    write_sample(pd.DataFrame({"text": texts, "label": [DOMAINS[int(x) - 1] for x in labels]}), "searchsnippets_5k.csv")
